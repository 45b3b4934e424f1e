#pragma once

#include "core/generation.h"
#include "providers/httpexchange.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

// What the two Batch API dialects (openaibatch.h, anthropicbatch.h) share:
// the calls they build, the batch status and the per-row results they decode.

namespace sluice {

/// One HTTP call of a Batch API (a POST or a GET); its headers carry the
/// key: never log them.
using BatchCall = HttpRequest;

/// Where a provider's batch stands, in words common to both APIs.
struct BatchStatus
{
    enum class State {
        Validating, ///< OpenAI checks the input file
        InProgress,
        Finalizing, ///< OpenAI writes the result files
        Cancelling,
        Completed, ///< ended normally (Anthropic `ended` without a cancel)
        Failed,    ///< OpenAI rejected the input (`errors`); there are no results
        Expired,   ///< the completion window passed; the rows done have results
        Cancelled, ///< the rows done before the cancel have results
    };

    QString id;
    State state = State::Validating;
    QString providerStatus; ///< the wire word: `in_progress`, `ended`, ...
    qint64 total = 0;
    qint64 succeeded = 0;
    qint64 failed = 0; ///< OpenAI `failed`, Anthropic `errored`
    qint64 cancelled = 0;
    qint64 expired = 0;
    QString outputFileId; ///< OpenAI: 2xx lines
    QString errorFileId;  ///< OpenAI: the other lines
    QUrl resultsUrl;      ///< Anthropic, once ended
    QStringList errors;   ///< OpenAI validation errors, "line N: message (code)"

    /// Nothing more will happen to the batch.
    [[nodiscard]] bool isFinal() const
    {
        return state == State::Completed || state == State::Failed || state == State::Expired
            || state == State::Cancelled;
    }
    /// Final with results to download.
    [[nodiscard]] bool hasResults() const { return isFinal() && state != State::Failed; }
};

/// One row's line of a results file.
struct BatchLineResult
{
    enum class Kind {
        Answered,  ///< the provider ran it; `outcome` is what a live call would decode to
        Cancelled, ///< not run: the batch was cancelled first
        Expired,   ///< not run: the completion window passed first
    };
    QString customId;
    Kind kind = Kind::Answered;
    GenerationOutcome outcome; ///< Cancelled / Expired: Failed, with the provider's words
};

/// A Batch API call's answer: the value, or why there is none (class,
/// message, status and hints such as retry-after, as a live call decodes them).
template<class T> struct BatchReply
{
    std::optional<T> value;
    GenerationOutcome failure;

    [[nodiscard]] bool ok() const { return value.has_value(); }
};

class Provider;

/// Where a dialect's batch calls go: its base URL (its encode() URL without
/// the model endpoint, e.g. `/responses`) and its auth headers (what its
/// encode() sends beside Content-Type and Accept: the key, a version).
struct BatchEndpoint
{
    QUrl baseUrl;
    HttpHeaders auth;

    [[nodiscard]] static BatchEndpoint of(const Provider &dialect, QStringView modelPath);
    /// A call to `{base}/{path}`; a POST with `body` sends it as JSON.
    [[nodiscard]] BatchCall call(
        BatchCall::Method method, const QString &path, const QByteArray &jsonBody = {}) const;
};

/// The JSON object a batch call answered with, or nullopt with `failure`
/// set: a non-2xx answer decoded by the dialect (class, message, hints), a
/// transport failure, or a 2xx body that is not a JSON object.
[[nodiscard]] std::optional<QJsonObject> batchJson(
    const Provider &dialect, const HttpResponse &response, GenerationOutcome &failure);

/// The raw body of a download (file content, results), or the failure as
/// the dialect decodes a non-2xx answer.
[[nodiscard]] BatchReply<QByteArray> batchContent(
    const Provider &dialect, const HttpResponse &response);

/// Calls `visit` with each non-blank line of a JSONL file as an object
/// (empty when the line is not one) and its 1-based line number.
void forEachJsonLine(
    const QByteArray &jsonl, const std::function<void(qsizetype, const QJsonObject &)> &visit);

} // namespace sluice
