#pragma once

#include "core/cost.h"
#include "core/errorclass.h"
#include "core/generation.h"
#include "core/tokenusage.h"
#include "core/trace.h"

#include <QDateTime>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace sluice {

/// Why an attempt was made.
enum class AttemptKind {
    First,
    Retry, ///< after a transient error (RetryPolicy)
    Reask, ///< the repair ladder asked the model again with the validation errors
    Hedge, ///< a second copy sent after the observed p95 latency
};

/// One HTTP exchange of a request: its own line in cost, time and errors.
struct AttemptRecord
{
    AttemptKind kind = AttemptKind::First;
    double queueMs = 0;           ///< in the concurrency and rate gates
    double latencyMs = 0;         ///< send to the complete answer
    std::optional<double> ttftMs; ///< send to the first text delta (streamed attempts only)
    bool reachedServer = false;   ///< false: compensated in the gates
    bool cancelled = false;       ///< lost a hedge or the caller cancelled
    GenerationOutcome::Status status = GenerationOutcome::Status::Failed;
    ErrorClass errorClass = ErrorClass::None;
    int httpStatus = 0;
    QString errorMessage;
    TokenUsage usage;
    Cost cost; ///< unknown without usage or price
    QString requestId;
};

/// What the pipeline makes of one request (docs/architecture.md, "A
/// request's journey").
struct GenerationResult
{
    enum class Status {
        Ok,             ///< `text` (and `output` for a schema) is the answer
        InvalidOutput,  ///< the answer is not valid for the schema, even repaired
        Refused,        ///< the model refused; `outcome.refusal` says why
        Incomplete,     ///< stopped early; `outcome.incompleteReason` says why
        Failed,         ///< `errorClass` and `errorMessage` say why
        BudgetExceeded, ///< not sent: its estimate does not fit under the run's cap
        Cancelled,      ///< the caller cancelled it (nothing left in the gates)
    };

    Status status = Status::Failed;
    QString text;                     ///< the answer's text as the model sent it
    std::optional<QJsonValue> output; ///< parsed (and repaired) JSON for a schema
    QStringList validationErrors;     ///< for InvalidOutput: "path: message"
    QString repairStep;               ///< the repair rung that found `output`
    QStringList warnings;             ///< unused variables, strict lint findings
    ErrorClass errorClass = ErrorClass::None;
    QString errorMessage;

    GenerationOutcome outcome; ///< the last attempt's decoded answer
    TokenUsage usage;          ///< every attempt's, summed by class
    Cost cost;                 ///< every attempt's, summed; unknown if any is
    QString priceTableVersion;
    QList<AttemptRecord> attempts;
    bool fromCache = false; ///< answered from the result cache: nothing sent, nothing spent
    bool coalesced = false; ///< shared an identical request's exchange: nothing spent

    QDateTime startedAt;          ///< wall time the service took it
    double queueMs = 0;           ///< total time in gates, kept apart from latency
    double latencyMs = 0;         ///< the deciding attempt, send to answer
    std::optional<double> ttftMs; ///< the deciding attempt's, streamed answers with text only
    double totalMs = 0;           ///< submit to result
    QString requestId;            ///< the deciding attempt's x-request-id
    QString fingerprint;
    Trace trace;

    [[nodiscard]] bool ok() const { return status == Status::Ok; }
    [[nodiscard]] const QString &traceId() const { return trace.traceId(); }
};

[[nodiscard]] QString resultStatusName(GenerationResult::Status status);

} // namespace sluice
