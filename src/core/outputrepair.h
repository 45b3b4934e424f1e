#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace sluice {

/// The deterministic rungs of the repair ladder, in the order they are tried.
enum class RepairStep {
    AsIs,             ///< the answer parsed as it came
    StripCodeFences,  ///< the content of a Markdown code fence (```json, ```, ~~~)
    ExtractFromProse, ///< the first balanced object or array inside other text
};

/// One rung tried, for the trace.
struct RepairAttempt
{
    RepairStep step = RepairStep::AsIs;
    bool parsed = false;   ///< some candidate of this rung was JSON
    bool accepted = false; ///< ... and the acceptor took it
    QString description;   ///< what the rung did or why it gave up
};

/// The ladder's answer: the JSON and the rung that found it, or nothing.
struct RepairResult
{
    std::optional<QJsonValue> value;
    RepairStep step = RepairStep::AsIs; ///< the rung that produced `value`
    QList<RepairAttempt> attempts;      ///< every rung tried, in order

    [[nodiscard]] bool ok() const { return value.has_value(); }
    /// True when a rung past AsIs had to change the text.
    [[nodiscard]] bool repaired() const { return ok() && step != RepairStep::AsIs; }
};

/// Decides whether a parsed candidate is the answer (the engine passes its
/// schema validation); a candidate it rejects sends the ladder on.
using RepairAcceptor = std::function<bool(const QJsonValue &)>;

[[nodiscard]] QString repairStepName(RepairStep step);

/// Finds the JSON in a model's answer without asking it again: as-is, then
/// each fenced block in order, then each balanced `{...}` or `[...]` in
/// order (string-aware: braces inside JSON strings do not count). The first
/// candidate that parses and that `accept` (when given) takes wins. Any JSON
/// value parses as-is; the later rungs look for objects and arrays only.
/// The prose rung gives up after 256 unbalanced openings, so that a
/// degenerate answer costs time linear in its length.
[[nodiscard]] RepairResult repairJsonOutput(const QString &text, const RepairAcceptor &accept = {});

} // namespace sluice
