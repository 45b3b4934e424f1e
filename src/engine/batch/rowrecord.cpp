#include "engine/batch/rowrecord.h"

#include "core/redaction.h"

#include <QJsonValue>

#include <cmath>

namespace sluice {

namespace {

/// Validation errors named in error.message; the rest are counted.
constexpr qsizetype kShownValidationErrors = 3;

/// Milliseconds to the microsecond: enough for any chart, short on the line.
QJsonValue millis(double ms)
{
    return std::round(ms * 1000.0) / 1000.0;
}

/// What error.class and error.message say, and the HTTP status if any.
struct RowError
{
    QString errorClass;
    int httpStatus = 0;
    QString message;
};

/// Everything the output line carries; the one place that builds it.
struct LineParts
{
    QString status;
    QJsonValue output = QJsonValue::Null;
    TokenUsage usage;
    std::optional<PicoAmount> costPico;
    qsizetype attempts = 0;
    double latencyMs = 0;
    double queueMs = 0;
    std::optional<double> ttftMs;
    std::optional<RowError> error;
    QString traceId;
};

QJsonObject buildLine(const QString &id, const LineParts &parts)
{
    QJsonValue error = QJsonValue::Null;
    if (parts.error) {
        error = QJsonObject {
            {QStringLiteral("class"), parts.error->errorClass},
            {QStringLiteral("http_status"),
                parts.error->httpStatus > 0 ? QJsonValue(parts.error->httpStatus)
                                            : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("message"), redactSecrets(parts.error->message)},
        };
    }
    return QJsonObject {
        {QStringLiteral("id"), id},
        {QStringLiteral("status"), parts.status},
        {QStringLiteral("output"), parts.output},
        {QStringLiteral("usage"),
            QJsonObject {
                {QStringLiteral("input_tokens"), qint64(parts.usage.input)},
                {QStringLiteral("cached_tokens"), qint64(parts.usage.cached)},
                {QStringLiteral("output_tokens"), qint64(parts.usage.output)},
                {QStringLiteral("reasoning_tokens"), qint64(parts.usage.reasoning)},
            }},
        {QStringLiteral("cost_usd"),
            parts.costPico ? QJsonValue(unitsFromPico(*parts.costPico))
                           : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("attempts"), qint64(parts.attempts)},
        {QStringLiteral("latency_ms"), millis(parts.latencyMs)},
        {QStringLiteral("queue_ms"), millis(parts.queueMs)},
        {QStringLiteral("ttft_ms"), parts.ttftMs ? millis(*parts.ttftMs) : QJsonValue::Null},
        {QStringLiteral("error"), error},
        {QStringLiteral("trace_id"),
            parts.traceId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(parts.traceId)},
    };
}

QString validationSummary(const QStringList &errors)
{
    if (errors.isEmpty())
        return QStringLiteral("the answer does not match the output schema");
    QString text = errors.mid(0, kShownValidationErrors).join(QStringLiteral("; "));
    if (errors.size() > kShownValidationErrors)
        text += QStringLiteral(" (and %1 more)").arg(errors.size() - kShownValidationErrors);
    return text;
}

std::optional<RowError> rowError(const GenerationResult &result)
{
    const int httpStatus = result.outcome.httpStatus;
    auto firstOf = [](const QString &preferred, const QString &fallback) {
        return preferred.isEmpty() ? fallback : preferred;
    };
    switch (result.status) {
    case GenerationResult::Status::Ok:
        return std::nullopt;
    case GenerationResult::Status::InvalidOutput:
        return RowError {QStringLiteral("invalid_output"), httpStatus,
            validationSummary(result.validationErrors)};
    case GenerationResult::Status::Refused:
        return RowError {QStringLiteral("refused"), httpStatus,
            firstOf(result.outcome.refusal, result.errorMessage)};
    case GenerationResult::Status::Incomplete:
        return RowError {QStringLiteral("incomplete"), httpStatus,
            firstOf(result.outcome.incompleteReason, result.errorMessage)};
    case GenerationResult::Status::Failed:
        return RowError {errorClassName(result.errorClass), httpStatus, result.errorMessage};
    case GenerationResult::Status::BudgetExceeded:
        return RowError {QStringLiteral("budget"), 0,
            firstOf(result.errorMessage,
                QStringLiteral("not sent: its estimate does not fit "
                               "under the run's budget"))};
    case GenerationResult::Status::Cancelled:
        return RowError {QStringLiteral("cancelled"), 0,
            firstOf(result.errorMessage, QStringLiteral("cancelled before it finished"))};
    }
    return std::nullopt;
}

} // namespace

QString rowStatusName(GenerationResult::Status status)
{
    if (status == GenerationResult::Status::BudgetExceeded
        || status == GenerationResult::Status::Cancelled)
        return QStringLiteral("skipped");
    return resultStatusName(status); // the others are named alike
}

QJsonObject rowLine(const QString &id, const GenerationResult &result, bool keepContent)
{
    LineParts parts;
    parts.status = rowStatusName(result.status);
    if (keepContent) {
        if (result.output)
            parts.output = *result.output;
        else if (result.ok() || !result.text.isEmpty())
            parts.output = result.text;
    }
    parts.usage = result.usage;
    parts.costPico = result.cost.pico;
    parts.attempts = result.attempts.size();
    parts.latencyMs = result.latencyMs;
    parts.queueMs = result.queueMs;
    parts.ttftMs = result.ttftMs;
    parts.error = rowError(result);
    parts.traceId = result.traceId();
    return buildLine(id, parts);
}

QJsonObject skippedRowLine(const QString &id, const QString &errorClass, const QString &reason)
{
    LineParts parts;
    parts.status = QStringLiteral("skipped");
    parts.costPico = 0; // never sent: nothing spent
    parts.error = RowError {errorClass, 0, reason};
    return buildLine(id, parts);
}

} // namespace sluice
