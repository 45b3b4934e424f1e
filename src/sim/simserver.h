#pragma once

#include "sim/batchapi.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
class QTcpServer;
QT_END_NAMESPACE

namespace sluice::sim {

Q_DECLARE_LOGGING_CATEGORY(lcSim)

class RateWindow;
class RequestLog;
/// The three model APIs the simulator speaks.
enum class Dialect { Responses, Chat, Messages };
struct SimAnswer; // one decided answer, defined in simserver.cpp

/// `bytes` random bytes as lowercase hex, for ids (`req_...`, `file-...`).
[[nodiscard]] QByteArray randomHex(int bytes);

/// How the simulator behaves; fixed for the life of a SimServer.
struct SimConfig
{
    std::chrono::milliseconds latency {0};       ///< added before each answer (deterministic)
    std::chrono::milliseconds latencyJitter {0}; ///< optional +- jitter, deterministic per request
    int requestsPerMinute = 0;                   ///< 0 = unlimited; enforced with 429 + headers
    int tokensPerMinute = 0;                     ///< 0 = unlimited
    QByteArray requiredApiKey; ///< empty = accept any/no key; else 401 unless "Authorization:
                               ///< Bearer <key>"
    QString logPath; ///< optional JSONL request log, one line per request (flushed per line)
    int tokensPerSecond = 0; ///< streaming pace after the first token (the latency); 0 = at once
    quint64 seed = 0;        ///< drives fault-by-rate draws: same seed, same faults per request
    /// Fault name (see faultNames()) -> probability per model request.
    QHash<QString, double> faultRates;
    qint64 quotaRequests = 0; ///< 0 = none; model requests before 429 insufficient_quota
    qint64 quotaTokens = 0;   ///< 0 = none; estimated tokens before 429 insufficient_quota
    BatchSpeed batchSpeed;    ///< how fast the batch APIs move (POST /sim/batch-speed changes it)
};

/// sluice-sim: a real HTTP server on loopback speaking OpenAI's Responses API
/// (`POST /v1/responses`), OpenAI Chat Completions (`POST /v1/chat/completions`)
/// and Anthropic Messages (`POST /v1/messages`: `x-api-key`,
/// `anthropic-version`, `anthropic-ratelimit-*` with RFC 3339 resets, errors
/// as `{type:"error", error:{type,message}}`), plain and streaming; `GET /v1/models`. It answers
/// deterministically from the prompt, with valid instances of a requested
/// JSON schema, estimated usage, configurable latency and its own rate limits
/// with OpenAI's headers. It shares no code with the client it checks.
///
/// Every answer carries `x-request-id` and, when limits are set, the
/// `x-ratelimit-*` headers. A request header `x-sim-latency-ms: N` replaces
/// the configured latency for that request. Order of checks: route (404/405),
/// key (401), body (400), fault (scripted, else drawn), quota and rate limits
/// (429), answer. `"stream": true` answers with the Responses event stream,
/// paced by `tokensPerSecond` after the first token.
///
/// Faults (faultNames()) come from a script (a queue consumed one per model
/// request) or else by rate, drawn deterministically from the seed and the
/// request's position. Control endpoints, never logged nor rate limited:
/// `POST /sim/faults` `{"script":[names], "rates":{name:p}, "seed":n}`
/// (each field optional; a script replaces the queue), `GET /sim/log`
/// (`{"entries":[...]}`, the model requests since the start or the last
/// reset, at most the last 10,000), `POST /sim/reset` (clears script, log,
/// counters, rate window and quota; rates and seed back to the configuration).
///
/// The providers' Batch APIs (see BatchApi): OpenAI's `/v1/files` and
/// `/v1/batches`, Anthropic's `/v1/messages/batches`, with the same keys as
/// their dialects. Each line is answered by the code that answers live calls
/// (same answers, schema instances, usage and faults: a fault that breaks a
/// connection becomes a 500 line), without the live rate limits or quota, and
/// is logged with its `batch_id` and `custom_id`; the batch API requests are
/// logged too. Controls: `POST /sim/batch-speed {"seconds_per_request",
/// "validating_seconds", "finalizing_seconds"}` (each optional; answers the
/// speed in force) and `POST /sim/batch-expire` (ends every unfinished batch
/// as expired). `POST /sim/reset` also forgets every file and batch.
class SimServer : public QObject
{
    Q_OBJECT
public:
    explicit SimServer(SimConfig config = {}, QObject *parent = nullptr);
    ~SimServer() override;

    /// Starts listening (port 0 = any free port); false + errorString() on failure.
    bool listen(quint16 port = 0, const QHostAddress &address = QHostAddress::LocalHost);
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] quint16 port() const;
    /// "http://127.0.0.1:PORT/v1" (the address it listens on; loopback for "any").
    [[nodiscard]] QUrl baseUrl() const;
    /// Requests received on the model endpoints, answered or not.
    [[nodiscard]] qint64 requestCount() const;
    /// Every fault the simulator can play, by name.
    [[nodiscard]] static const QStringList &faultNames();
    /// Queues faults for the next model requests ("none" for a clean one);
    /// false (and nothing queued) if a name is unknown.
    bool scriptFaults(const QStringList &faults);
    /// The log entries of the model requests since the start or the last
    /// reset (at most the last 10,000).
    [[nodiscard]] QJsonArray log() const { return m_entries; }

Q_SIGNALS:
    /// One per request, when its answer is decided (before the latency
    /// delay); the same object as the request log's line.
    void requestServed(const QJsonObject &logEntry);

private:
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    [[nodiscard]] std::chrono::milliseconds configuredDelay(
        const QHttpServerRequest &request) const;
    [[nodiscard]] SimAnswer decide(const QHttpServerRequest &request);
    /// The answer to one model call; `live` false (a batch line) skips the
    /// rate limits and the quota.
    [[nodiscard]] SimAnswer answerModel(const QByteArray &body, Dialect dialect, bool live);
    [[nodiscard]] BatchLineAnswer answerBatchLine(const BatchLineCall &call);
    /// The 401/400 answer when the request lacks the key (or, `anthropic`,
    /// the version header); nullopt when it may pass.
    [[nodiscard]] std::optional<SimAnswer> refuseKey(
        const QHttpServerRequest &request, bool anthropic) const;
    /// Writes a log entry; `keep` also keeps it for GET /sim/log.
    void record(const QJsonObject &entry, bool keep);
    [[nodiscard]] SimAnswer answerModels() const;
    void deliver(QHttpServerResponder &&responder, SimAnswer answer);
    void handleControl(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void reset();
    [[nodiscard]] QString nextFault();

    SimConfig m_config;
    QHttpServer *m_http = nullptr;
    QTcpServer *m_tcp = nullptr;
    std::unique_ptr<RateWindow> m_rates;
    std::unique_ptr<RequestLog> m_log;
    std::unique_ptr<BatchApi> m_batches;
    QString m_errorString;
    qint64 m_requestCount = 0;
    QStringList m_script;                ///< scripted faults, next first
    QHash<QString, double> m_faultRates; ///< current rates (configured, or set by control)
    quint64 m_seed = 0;
    quint64 m_faultDraws = 0; ///< model requests that drew a fault by rate
    qint64 m_quotaRequestsUsed = 0;
    qint64 m_quotaTokensUsed = 0;
    QJsonArray m_entries;
};

} // namespace sluice::sim
