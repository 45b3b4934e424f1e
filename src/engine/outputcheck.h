#pragma once

#include "core/schemavalidator.h"
#include "core/trace.h"

#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace sluice {

/// What schema validation and the deterministic repair ladder make of an
/// answer: valid JSON and the rung that found it, or why there is none.
struct OutputCheck
{
    std::optional<QJsonValue> output; ///< valid for the schema, when found
    QString repairStep;               ///< the rung that found `output` (core/outputrepair.h)
    bool repaired = false;            ///< a rung past as-is had to change the text
    QStringList validationErrors;     ///< no valid JSON: "path: message" of the first JSON found

    [[nodiscard]] bool valid() const { return output.has_value(); }
};

/// Validates `text` against `validator` through the repair ladder (as-is,
/// code fences, JSON in prose; a candidate is accepted only if valid), and
/// records it in `trace` under `parentSpan`: a `validation` span (attribute
/// `valid`) and, when a rung changed the text, a `repair` span (`step`).
/// When nothing valid is found, the errors are those of the first JSON the
/// rungs find, else "/: the answer contains no JSON".
[[nodiscard]] OutputCheck checkOutput(
    const QString &text, const SchemaValidator &validator, Trace &trace, std::uint64_t parentSpan);

} // namespace sluice
