#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>

namespace sluice::sim {

/// One request line of a batch, as it is handed to the code that answers
/// live calls: `path` is the line's endpoint (`/v1/responses`,
/// `/v1/chat/completions` or `/v1/messages`), `body` its request body.
struct BatchLineCall
{
    QString batchId;
    QString customId;
    QString path;
    QByteArray body;
};

/// The answer to one line: the HTTP status and body a live call would have
/// had (errors already in the endpoint's own shape) and its request id.
struct BatchLineAnswer
{
    int status = 200;
    QJsonObject body;
    QString requestId;
};

/// How fast batches move, in seconds of real time: a batch validates, then
/// answers one line per `secondsPerRequest`, then finalizes. Progress is
/// computed when a batch is looked at, under the speed in force since the
/// last look, so a test can speed a batch up or hold it in a status.
struct BatchSpeed
{
    double validatingSeconds = 0.2;
    double secondsPerRequest = 0.05;
    double finalizingSeconds = 0.2;
};

/// An answer of a batch endpoint: a JSON body, or raw bytes (file contents,
/// results) with their content type; `log` holds fields for the request log.
struct BatchReply
{
    int status = 200;
    QJsonObject body;
    QByteArray raw;
    QByteArray contentType; ///< set for raw answers
    QJsonObject log;
};

/// The providers' Batch APIs, written from their references:
/// - OpenAI: `POST /v1/files` (multipart, `purpose=batch`, a JSONL file of
///   `{custom_id, method:"POST", url, body}` lines, at most 50,000 lines and
///   200 MB, validated on upload), `GET /v1/files/{id}`, `GET
///   /v1/files/{id}/content`, `POST /v1/batches {input_file_id, endpoint,
///   completion_window:"24h"}`, `GET /v1/batches/{id}`, `POST
///   /v1/batches/{id}/cancel`. Statuses validating, in_progress, finalizing,
///   completed (or failed when a line's url is not the batch's endpoint),
///   cancelling, cancelled, expired; results in an output file (2xx lines)
///   and an error file (other lines, and `batch_expired` /
///   `batch_cancelled` for lines never run).
/// - Anthropic: `POST /v1/messages/batches {requests:[{custom_id, params}]}`
///   (at most 100,000 requests and 256 MB), `GET /v1/messages/batches/{id}`,
///   `GET .../results` (JSONL, once ended), `POST .../cancel`.
///   processing_status in_progress, canceling, ended; result types
///   succeeded, errored, canceled, expired.
/// Each line is answered once, through the Answerer (the live calls' code),
/// without the live rate limits. Single-threaded.
class BatchApi
{
public:
    using Answerer = std::function<BatchLineAnswer(const BatchLineCall &)>;
    using Clock = std::chrono::steady_clock;

    static constexpr qsizetype kOpenAiMaxLines = 50'000;
    static constexpr qint64 kOpenAiMaxBytes = 200LL * 1024 * 1024;
    static constexpr qsizetype kAnthropicMaxRequests = 100'000;
    static constexpr qint64 kAnthropicMaxBytes = 256LL * 1024 * 1024;

    BatchApi(Answerer answer, BatchSpeed speed);
    ~BatchApi();

    /// Whether `path` is an OpenAI batch endpoint (`/v1/files...`, `/v1/batches...`).
    [[nodiscard]] static bool isOpenAiPath(const QString &path);
    /// Whether `path` is an Anthropic batch endpoint (`/v1/messages/batches...`).
    [[nodiscard]] static bool isAnthropicPath(const QString &path);

    /// Answers one request to a batch endpoint (after the caller checked the
    /// key); `baseUrl` makes Anthropic's absolute `results_url`.
    [[nodiscard]] BatchReply handle(const QByteArray &method, const QString &path,
        const QByteArray &contentType, const QByteArray &body, const QUrl &baseUrl);

    /// Moves every batch on to `now`, answering the lines that came due.
    void advance(Clock::time_point now);
    /// Ends every unfinished batch now as expired; returns how many.
    int expireAll(Clock::time_point now);

    [[nodiscard]] BatchSpeed speed() const;
    /// Applies from now on (batches are first moved on under the old speed).
    void setSpeed(BatchSpeed speed, Clock::time_point now);
    /// Forgets every file and batch.
    void clear();

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace sluice::sim
