#pragma once

#include "core/clock.h"
#include "providers/httpexchange.h"

#include <QHash>
#include <QObject>

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace sluice {

/// Sends HttpRequests with a small pool of QNetworkAccessManagers and reports
/// each exchange as one HttpResponse. Why a pool: one Qt 6.4 manager opens at
/// most 6 HTTP/1.1 connections per host and queues the rest; each manager
/// runs its own HTTP thread, and a request goes to the least-loaded one.
/// HTTP/1.1 by default: Qt 6.4's HTTP/2 stalls ~44 ms per request.
/// A POST body is uploaded from a device that cannot be rewound, so Qt cannot
/// silently re-send a request whose kept-alive connection closed before the
/// answer: that attempt fails as a Network error instead (docs/transport.md).
/// A GET (a batch poll or download) has no body and Qt may re-send it once
/// that way, which is harmless: it changes nothing on the server. POSTs and
/// GETs share the pool, timeouts and TLS policy; TLS errors are never
/// ignored. Lives on one thread; callbacks run there.
class HttpTransport : public QObject
{
    Q_OBJECT

public:
    /// Each timeout that passes ends the attempt with ErrorClass::Timeout and
    /// a message naming it.
    struct Timeouts
    {
        std::chrono::milliseconds connect {15'000};    ///< a new socket's connect (and TLS)
        std::chrono::milliseconds firstByte {120'000}; ///< request sent -> answer headers
        std::chrono::milliseconds idle {60'000};       ///< no byte for this long after the first
        std::chrono::milliseconds total {600'000};     ///< the whole attempt
        /// The request's absolute deadline on the transport's Clock, shared by
        /// all its attempts: an attempt's total never runs past it.
        std::optional<TimePoint> deadline;
    };

    /// Optional streaming hooks; all run on the transport's thread.
    struct StreamHandlers
    {
        /// Once, when the status line and headers arrived.
        std::function<void(int status, const HttpHeaders &headers)> headers;
        /// Set: a 2xx body is handed over as it arrives and HttpResponse::body
        /// stays empty. An error status's body is still collected in the response.
        std::function<void(const QByteArray &bytes)> data;
        /// Each time Qt wrote the request to a server (an attempt the server saw).
        std::function<void()> sent;
    };

    struct Settings
    {
        int managers = 4;   ///< pool size: up to 6 connections per host each
        bool http2 = false; ///< off: Qt 6.4's HTTP/2 adds ~44 ms to every request
    };

    using Callback = std::function<void(HttpResponse)>;

    explicit HttpTransport(QObject *parent = nullptr);
    HttpTransport(Settings settings, const Clock &clock, QObject *parent = nullptr);
    ~HttpTransport() override;

    /// Sends `request` with its method (a GET sends no body); `done` is called
    /// exactly once (also on timeout and cancel, never from inside send()).
    /// Returns an id for cancel(). A plain answer cut short reports status 0
    /// and the transport error; a streamed one keeps its status with the
    /// error beside it.
    quint64 send(const HttpRequest &request, const Timeouts &timeouts, Callback done,
        StreamHandlers stream = {});

    /// Aborts the exchange (its socket closes); `done` reports a Network error.
    void cancel(quint64 id);

    /// Exchanges started and not yet reported.
    [[nodiscard]] int inFlight() const { return int(m_calls.size()); }

private:
    enum class Phase { Queued, Connecting, AwaitingAnswer, Receiving };
    struct Call
    {
        QNetworkReply *reply = nullptr;
        int manager = 0;
        Callback done;
        StreamHandlers stream;
        Phase phase = Phase::Queued;
        QTimer *phaseTimer = nullptr; ///< connect, first-byte or idle, by phase
        Timeouts timeouts;
        bool headersSeen = false;
        bool cancelled = false;
        QString timedOut; ///< which timeout ended it, if one did
    };

    [[nodiscard]] int leastLoadedManager() const;
    void enterPhase(quint64 id, Phase phase);
    void onReadyRead(quint64 id);
    void onMetaData(quint64 id);
    void timeOut(quint64 id, const QString &which);
    void finish(quint64 id);
    void failLater(const QString &message, Callback done);

    const Clock &m_clock;
    Settings m_settings;
    std::vector<QNetworkAccessManager *> m_managers;
    std::vector<int> m_load;
    QHash<quint64, Call> m_calls;
    quint64 m_nextId = 1;
};

} // namespace sluice
