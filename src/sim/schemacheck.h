#pragma once

#include <QHash>
#include <QJsonValue>
#include <QRegularExpression>
#include <QString>

namespace sluice::sim {

/// Whether a JSON value is an instance of a schema, for the keywords the
/// simulator's generator knows (see schemainstance.h), plus `not`. The
/// generator uses it to take the first anyOf/oneOf branch its instance really
/// satisfies (and, for oneOf, that no other branch accepts) and to check its
/// own result. Unknown keywords and `format` count as satisfied; so does
/// anything nested deeper than 64 schema levels, and everything once the
/// object has spent its step budget (self-references under oneOf multiply).
/// Numbers are compared as written in decimal (0.3 is a multiple of 0.1);
/// lengths count code points; patterns are ECMA-262 run by QRegularExpression
/// (a pattern it cannot compile counts as satisfied).
class SchemaCheck
{
public:
    /// `root` resolves local `$ref`s (`#`, `#/$defs/...`); `stepBudget`
    /// bounds the work of all matches() calls on this object together.
    explicit SchemaCheck(QJsonValue root, int stepBudget = 200'000)
        : m_root(std::move(root)), m_steps(stepBudget)
    { }

    [[nodiscard]] bool matches(const QJsonValue &instance, const QJsonValue &schema);

private:
    bool matches(const QJsonValue &instance, const QJsonValue &schema, int depth);
    bool matchesNumber(double value, const QJsonObject &schema);
    bool matchesString(const QString &value, const QJsonObject &schema);
    bool matchesArray(const QJsonArray &value, const QJsonObject &schema, int depth);
    bool matchesObject(const QJsonObject &value, const QJsonObject &schema, int depth);

    QJsonValue m_root;
    QHash<QString, QRegularExpression> m_patterns; ///< compiled once per pattern
    int m_steps;                                   ///< left in the budget
};

} // namespace sluice::sim
