#pragma once

#include <QString>

#include <optional>

namespace sluice {

class RunStore;

/// What a run can be exported as (docs/trace-format.md, docs/cli.md).
enum class ExportFormat {
    Jsonl, ///< the stored output lines, one per row, in row order
    Csv,   ///< the same rows flattened, RFC 4180 (quoted fields, CRLF)
    Trace, ///< the run and every request's spans (`sluice-trace` version 1)
    Otlp,  ///< the spans as OTLP/JSON with the OpenTelemetry GenAI conventions
};

/// `jsonl`, `csv`, `trace`, `otlp`.
[[nodiscard]] std::optional<ExportFormat> exportFormatFromName(const QString &name);
[[nodiscard]] QString exportFormatName(ExportFormat format);

/// Writes run `runId` of `store` to `path` from the store alone (nothing is
/// sent again). Rows are streamed from the store and written as they come,
/// so memory stays flat for any run size. The file is written as `path.tmp`
/// and renamed over `path` only when complete: a failure leaves no partial
/// file and any earlier `path` as it was. Everything written goes through the
/// process-wide redactor, and the run config loses members named like
/// credentials (`api_key`, `authorization`, ...), so no key reaches a file.
/// False with a one-line `error` (unknown run, unwritable file).
bool exportRun(const RunStore &store, const QString &runId, ExportFormat format,
    const QString &path, QString *error);

} // namespace sluice
