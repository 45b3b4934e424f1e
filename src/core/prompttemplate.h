#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace sluice {

/// What rendering a template made of one row's values.
struct RenderResult
{
    QString text;         ///< the rendered text; empty when `errors` is not
    QStringList errors;   ///< one per missing variable: "missing variable 'city' (used in prompt)"
    QStringList warnings; ///< one per provided variable the template does not use

    [[nodiscard]] bool ok() const { return errors.isEmpty(); }
};

/// A prompt or instructions text with `{{name}}` variables, parsed once and
/// rendered many times (one per row of a run, so rendering is one reserve and
/// one pass of appends over pre-split segments).
///
/// Syntax:
/// - `{{name}}` or `{{ name }}` (whitespace around the name) is a
///   variable; names match `[A-Za-z_][A-Za-z0-9_.-]*`.
/// - In a run of `{` characters, each leading `{{{{` is a literal `{{`; what
///   is left is read as usual: `{{` opens a variable, a single `{` is literal,
///   three are a literal `{` then a variable (`{{{x}}}` renders `{` + x + `}`).
/// - `}` and `}}` outside a variable are literal; no escape is needed.
/// - Any other `{{` is an error with its position: unterminated (no `}}`
///   follows), empty, or not a valid name. A template with an error renders
///   nothing.
class PromptTemplate
{
public:
    struct ParseError
    {
        qsizetype position = 0; ///< UTF-16 offset of the offending `{{`
        int line = 1;           ///< 1-based
        int column = 1;         ///< 1-based, in UTF-16 units
        QString message;        ///< includes `role`, line and column
    };

    /// Values by name; returns nullopt when the row has no such variable.
    using Lookup = std::function<std::optional<QString>(const QString &name)>;

    /// Parses `source`; `role` names it in messages ("prompt", "instructions").
    explicit PromptTemplate(
        const QString &source = {}, const QString &role = QStringLiteral("prompt"));

    [[nodiscard]] bool isValid() const { return !m_error.has_value(); }
    [[nodiscard]] const std::optional<ParseError> &error() const { return m_error; }
    [[nodiscard]] const QString &source() const { return m_source; }
    [[nodiscard]] const QString &role() const { return m_role; }
    /// Variable names in order of first appearance, each once.
    [[nodiscard]] const QStringList &variables() const { return m_variables; }

    /// Renders with `values`; every missing variable is an error, every value
    /// this template does not use a warning.
    [[nodiscard]] RenderResult render(const QHash<QString, QString> &values) const;
    /// Renders with values from `lookup` (no unused-variable warnings: the
    /// lookup cannot list what it holds).
    [[nodiscard]] RenderResult render(const Lookup &lookup) const;

    /// Warnings for the values none of `templates` uses: for the prompt and
    /// the instructions rendered from the same row, a value used by either one
    /// is not unused.
    [[nodiscard]] static QStringList unusedVariables(
        const QHash<QString, QString> &values, const QList<const PromptTemplate *> &templates);

private:
    /// A literal run, then (unless `variable` is -1) one variable.
    struct Segment
    {
        QString literal;
        int variable = -1; ///< index into m_variables
    };

    void parse();
    void fail(qsizetype position, const QString &what);
    [[nodiscard]] RenderResult assemble(const QList<const QString *> &values) const;

    QString m_source;
    QString m_role;
    QList<Segment> m_segments;
    QStringList m_variables;
    QHash<QString, int> m_variableIndex;
    std::optional<ParseError> m_error;
};

} // namespace sluice
