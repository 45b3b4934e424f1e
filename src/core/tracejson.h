#pragma once

#include "core/trace.h"

#include <QJsonObject>

namespace sluice {

/// A trace as JSON (docs/trace-format.md): `{"trace_id", "spans": [{"span_id",
/// "parent_span_id", "name", "start", "duration_ms", "attributes"}]}`, with
/// `start` as ISO 8601 UTC wall time with milliseconds. Holds no secret:
/// span attributes never carry one.
[[nodiscard]] QJsonObject traceToJson(const Trace &trace);

} // namespace sluice
