#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

namespace sluice {

/// Size limits of OpenAI strict structured outputs. They have changed over
/// time, so they are data: pick a profile or fill in your own.
struct StrictLimits
{
    int maxProperties = 5000;           ///< object properties in the whole schema
    int maxNestingDepth = 10;           ///< levels of nested objects, the root being 1
    int maxEnumValues = 1000;           ///< enum values in the whole schema
    qint64 maxTotalCharacters = 120000; ///< property and $defs names, enum and const strings

    /// Today's limits (wire-formats.md).
    [[nodiscard]] static StrictLimits openAiCurrent() { return {}; }
    /// The limits when strict mode was introduced: 100 properties, 5 levels.
    [[nodiscard]] static StrictLimits openAiEarlier() { return {100, 5, 1000, 15000}; }
};

/// One reason a schema is not acceptable in strict mode: where (JSON pointer
/// into the schema), which rule (a stable id such as "additional-properties")
/// and what to change.
struct LintFinding
{
    QString path;
    QString rule;
    QString message;
};

struct StrictLintReport
{
    QList<LintFinding> findings;

    /// Strict mode may be requested only when this is true.
    [[nodiscard]] bool passes() const { return findings.isEmpty(); }
};

/// Explains why a JSON schema would be refused by OpenAI with `strict: true`
/// (rules in wire-formats.md, "Strict structured outputs"): the root is an
/// object, every object has `additionalProperties: false` and lists all its
/// properties in `required`, only supported keywords, formats and local
/// `$ref`s are used, and the size limits hold. The engine sends
/// `strict: true` only for a schema that passes.
class StrictSchemaLinter
{
public:
    explicit StrictSchemaLinter(StrictLimits limits = StrictLimits::openAiCurrent());

    [[nodiscard]] StrictLintReport lint(const QJsonValue &schema) const;

    [[nodiscard]] const StrictLimits &limits() const { return m_limits; }

private:
    StrictLimits m_limits;
};

} // namespace sluice
