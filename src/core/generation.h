#pragma once

#include "core/errorclass.h"
#include "core/ratelimithints.h"
#include "core/tokenusage.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace sluice {

/// Structured output: the answer must be an instance of `schema`.
struct OutputSchema
{
    QString name = QStringLiteral("output"); ///< [a-zA-Z0-9_-]{1,64} for OpenAI
    QJsonObject schema;
    bool strict = false; ///< send `strict: true` (only for schemas the linter accepts)
};

/// One request as a provider sees it: already rendered (no template
/// variables left), independent of any dialect.
struct GenerationRequest
{
    QString model;
    QString instructions; ///< system prompt; empty means none
    QString input;        ///< the user's prompt
    std::optional<OutputSchema> outputSchema;
    std::optional<int> maxOutputTokens;
    std::optional<double> temperature;
    bool stream = false;
    bool store = false; ///< OpenAI stores by default; Sluice asks it not to
};

/// What a provider's answer decodes to, in every dialect.
struct GenerationOutcome
{
    enum class Status {
        Completed,  ///< text (or JSON text) is the answer
        Refused,    ///< the model refused; `refusal` says why
        Incomplete, ///< stopped early; `incompleteReason` says why; `text` is partial
        Failed,     ///< `errorClass` says why; no usable answer
    };

    Status status = Status::Failed;
    QString text;
    QString refusal;
    QString incompleteReason; ///< `max_output_tokens`, `content_filter`, ...
    TokenUsage usage;
    bool hasUsage = false;

    ErrorClass errorClass = ErrorClass::None;
    int httpStatus = 0;   ///< 0 when no HTTP answer arrived
    QString errorCode;    ///< the provider's own code, e.g. `insufficient_quota`
    QString errorMessage; ///< the provider's message or the transport's; never a key

    QString responseId; ///< the provider's id of the answer (`resp_...`)
    QString requestId;  ///< the `x-request-id` header, for support tickets
    QString model;      ///< the model that answered (may be a dated snapshot)
    RateLimitHints hints;

    [[nodiscard]] bool succeeded() const { return status == Status::Completed; }
};

} // namespace sluice
