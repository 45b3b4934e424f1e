#pragma once

#include "engine/generationresult.h"

#include <QJsonObject>
#include <QString>

namespace sluice {

/// A row's status in outputs: `ok`, `invalid_output`, `refused`,
/// `incomplete`, `failed`, or `skipped` (never sent: the run stopped first,
/// or its estimate did not fit the budget).
[[nodiscard]] QString rowStatusName(GenerationResult::Status status);

/// The output line for one finished row (docs/cli.md, "Output lines"):
/// `{"id", "status", "output", "usage": {"input_tokens", "cached_tokens",
/// "output_tokens", "reasoning_tokens"}, "cost_usd", "attempts",
/// "latency_ms", "queue_ms", "ttft_ms", "error": {"class", "http_status",
/// "message"} | null, "trace_id"}`. `output` is the parsed JSON for a schema,
/// else the text; null when `keepContent` is false or there is no answer.
/// `cost_usd` is null when the cost is unknown (never a silent 0), `ttft_ms`
/// null unless streamed, `http_status` and `trace_id` null when there is
/// none; times are rounded to the microsecond. error.class is the
/// ErrorClass name for `failed`, else `invalid_output` (the first validation
/// errors), `refused`, `incomplete` (the reason), `budget` or `cancelled`;
/// error.message goes through the process-wide redactor (core/redaction.h).
[[nodiscard]] QJsonObject rowLine(
    const QString &id, const GenerationResult &result, bool keepContent = true);

/// The line for a row that was never sent; `reason` goes to error.message
/// and `errorClass` to error.class (e.g. `quota_exhausted`, `budget`).
[[nodiscard]] QJsonObject skippedRowLine(
    const QString &id, const QString &errorClass, const QString &reason);

} // namespace sluice
