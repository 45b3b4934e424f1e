#pragma once

#include "providers/httpexchange.h"

#include <QHash>
#include <QObject>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace sluice {

/// Sends HttpRequests with QNetworkAccessManager and reports each as one
/// HttpResponse. HTTP/1.1 only: Qt 6.4's HTTP/2 stalls ~44 ms per request.
/// TLS errors are never ignored. Lives on one thread; callbacks run there.
class HttpTransport : public QObject
{
    Q_OBJECT

public:
    struct Timeouts
    {
        std::chrono::milliseconds idle {60'000};   ///< no byte for this long: timeout
        std::chrono::milliseconds total {600'000}; ///< the whole exchange
    };

    using Callback = std::function<void(HttpResponse)>;

    explicit HttpTransport(QObject *parent = nullptr);
    ~HttpTransport() override;

    /// POSTs `request`; `done` is called exactly once (also on timeout and
    /// cancel). Returns an id for cancel().
    quint64 post(const HttpRequest &request, Timeouts timeouts, Callback done);

    /// Aborts the exchange (its socket closes); `done` reports a Network error.
    void cancel(quint64 id);

private:
    void finish(QNetworkReply *reply);

    struct Call
    {
        QNetworkReply *reply = nullptr;
        Callback done;
        bool timedOut = false;
    };

    QNetworkAccessManager *m_manager;
    QHash<quint64, Call> m_calls;
    quint64 m_nextId = 1;
};

} // namespace sluice
