#include "core/prompttemplate.h"

#include <algorithm>
#include <utility>

namespace sluice {

namespace {

bool isNameStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isValidName(QStringView name)
{
    if (name.isEmpty() || !isNameStart(name.front()))
        return false;
    return std::all_of(name.begin() + 1, name.end(), [](QChar c) {
        return isNameStart(c) || (c >= u'0' && c <= u'9') || c == u'.' || c == u'-';
    });
}

QString rolesText(const QList<const PromptTemplate *> &templates)
{
    QStringList roles;
    for (const PromptTemplate *t : templates) {
        if (!roles.contains(t->role()))
            roles.append(t->role());
    }
    return roles.join(QLatin1String(" or "));
}

} // namespace

PromptTemplate::PromptTemplate(const QString &source, const QString &role)
    : m_source(source), m_role(role)
{
    parse();
}

void PromptTemplate::parse()
{
    const QStringView s(m_source);
    const qsizetype n = s.size();
    QString literal;
    qsizetype i = 0;
    while (i < n) {
        const qsizetype open = s.indexOf(u"{{", i);
        if (open < 0) {
            literal += s.mid(i);
            break;
        }
        literal += s.mid(i, open - i);
        qsizetype run = open;
        while (run < n && s[run] == u'{')
            ++run;
        qsizetype braces = run - open;
        for (; braces >= 4; braces -= 4)
            literal += QLatin1String("{{");
        if (braces < 2) {
            if (braces == 1)
                literal += u'{';
            i = run;
            continue;
        }
        if (braces == 3)
            literal += u'{';
        const qsizetype start = run - 2;
        const qsizetype close = s.indexOf(u"}}", run);
        if (close < 0)
            return fail(start, QStringLiteral("unterminated '{{'"));
        const QStringView name = s.mid(run, close - run).trimmed();
        if (name.isEmpty())
            return fail(start, QStringLiteral("empty variable '{{}}'"));
        if (!isValidName(name))
            return fail(start, QStringLiteral("invalid variable name '%1'").arg(name));
        const QString key = name.toString();
        auto found = m_variableIndex.constFind(key);
        if (found == m_variableIndex.cend()) {
            found = m_variableIndex.insert(key, int(m_variables.size()));
            m_variables.append(key);
        }
        m_segments.append(Segment {std::exchange(literal, QString()), found.value()});
        i = close + 2;
    }
    if (!literal.isEmpty())
        m_segments.append(Segment {literal, -1});
}

void PromptTemplate::fail(qsizetype position, const QString &what)
{
    m_segments.clear();
    m_variables.clear();
    m_variableIndex.clear();
    const QStringView before = QStringView(m_source).left(position);
    const qsizetype lineStart = before.lastIndexOf(u'\n') + 1;
    ParseError error;
    error.position = position;
    error.line = int(before.count(u'\n')) + 1;
    error.column = int(position - lineStart) + 1;
    error.message = QStringLiteral("%1 in %2 at line %3, column %4")
                        .arg(what, m_role)
                        .arg(error.line)
                        .arg(error.column);
    m_error = error;
}

RenderResult PromptTemplate::render(const QHash<QString, QString> &values) const
{
    QList<const QString *> resolved(m_variables.size(), nullptr);
    for (qsizetype v = 0; v < m_variables.size(); ++v) {
        const auto found = values.constFind(m_variables[v]);
        if (found != values.cend())
            resolved[v] = &found.value();
    }
    RenderResult result = assemble(resolved);
    result.warnings = unusedVariables(values, {this});
    return result;
}

RenderResult PromptTemplate::render(const Lookup &lookup) const
{
    QList<std::optional<QString>> looked;
    looked.reserve(m_variables.size());
    QList<const QString *> resolved;
    resolved.reserve(m_variables.size());
    for (const QString &name : m_variables) {
        looked.append(lookup(name));
        resolved.append(looked.back() ? &*looked.back() : nullptr);
    }
    return assemble(resolved);
}

RenderResult PromptTemplate::assemble(const QList<const QString *> &values) const
{
    RenderResult result;
    if (m_error) {
        result.errors.append(m_error->message);
        return result;
    }
    qsizetype size = 0;
    for (qsizetype v = 0; v < values.size(); ++v) {
        if (!values[v]) {
            result.errors.append(
                QStringLiteral("missing variable '%1' (used in %2)").arg(m_variables[v], m_role));
        }
    }
    if (!result.errors.isEmpty())
        return result;
    for (const Segment &segment : m_segments)
        size += segment.literal.size()
            + (segment.variable < 0 ? 0 : values[segment.variable]->size());
    result.text.reserve(size);
    for (const Segment &segment : m_segments) {
        result.text += segment.literal;
        if (segment.variable >= 0)
            result.text += *values[segment.variable];
    }
    return result;
}

QStringList PromptTemplate::unusedVariables(
    const QHash<QString, QString> &values, const QList<const PromptTemplate *> &templates)
{
    QStringList unused;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const bool used = std::any_of(templates.begin(), templates.end(),
            [&](auto *t) { return t->m_variableIndex.contains(it.key()); });
        if (!used)
            unused.append(it.key());
    }
    unused.sort();
    const QString roles = rolesText(templates);
    for (QString &name : unused)
        name = QStringLiteral("unused variable '%1' (not used in %2)").arg(name, roles);
    return unused;
}

} // namespace sluice
