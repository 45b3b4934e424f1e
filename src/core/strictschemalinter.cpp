#include "core/strictschemalinter.h"

#include "core/jsonpointer.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace sluice {

namespace {

constexpr QStringView kAllowedKeywords[] = {
    u"type",
    u"properties",
    u"required",
    u"additionalProperties",
    u"items",
    u"enum",
    u"const",
    u"anyOf",
    u"$defs",
    u"$ref",
    u"pattern",
    u"format",
    u"minimum",
    u"maximum",
    u"exclusiveMinimum",
    u"exclusiveMaximum",
    u"multipleOf",
    u"minItems",
    u"maxItems",
    u"description",
};

// Keywords the provider names as refused, with what to do instead.
constexpr std::pair<QStringView, QStringView> kForbiddenKeywords[] = {
    {u"allOf", u"merge the subschemas into one"},
    {u"not", u"list the allowed values with enum instead"},
    {u"if", u"describe the alternatives with anyOf"},
    {u"then", u"describe the alternatives with anyOf"},
    {u"else", u"describe the alternatives with anyOf"},
    {u"dependentRequired", u"make the fields required (nullable where optional)"},
    {u"dependentSchemas", u"describe the alternatives with anyOf"},
    {u"patternProperties", u"list the properties by name"},
};

constexpr QStringView kFormats[] = {
    u"date-time",
    u"time",
    u"date",
    u"duration",
    u"email",
    u"hostname",
    u"ipv4",
    u"ipv6",
    u"uuid",
};

constexpr QStringView kTypes[] = {
    u"string",
    u"number",
    u"integer",
    u"boolean",
    u"object",
    u"array",
    u"null",
};

template<typename List> bool listed(const List &list, QStringView word)
{
    return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

QString joined(const auto &list)
{
    QStringList words;
    for (const QStringView word : list)
        words.append(word.toString());
    return words.join(QStringLiteral(", "));
}

// One pass over the schema: rule findings as it goes, totals for the limits.
class Walker
{
public:
    Walker(const StrictLimits &limits, QList<LintFinding> &findings)
        : m_limits(limits), m_findings(findings)
    { }

    void root(const QJsonValue &schema);

private:
    void add(const QString &path, const char *rule, const QString &message)
    {
        m_findings.append({path, QString::fromLatin1(rule), message});
    }
    void walk(const QJsonValue &value, const QString &path, int depth);
    void walkObject(const QJsonObject &schema, const QString &path, int depth);
    void checkLimits();

    const StrictLimits &m_limits;
    QList<LintFinding> &m_findings;
    int m_properties = 0;
    int m_enumValues = 0;
    qint64 m_characters = 0;
    int m_deepest = 0;
    QString m_deepestPath;
};

bool typeIncludes(const QJsonValue &type, QStringView name)
{
    if (type.isString())
        return type.toString() == name;
    const QJsonArray types = type.toArray();
    return std::any_of(types.begin(), types.end(),
        [&](const QJsonValue &entry) { return entry.toString() == name; });
}

void Walker::root(const QJsonValue &schema)
{
    const QJsonObject object = schema.toObject();
    if (object.contains(u"anyOf") && !typeIncludes(object.value(u"type"), u"object"))
        add({}, "root-any-of",
            QStringLiteral("the root must be an object, not anyOf: put the alternatives in a "
                           "property, e.g. {\"type\": \"object\", \"properties\": {\"result\": "
                           "{\"anyOf\": [...]}}, \"required\": [\"result\"], "
                           "\"additionalProperties\": false}"));
    else if (!typeIncludes(object.value(u"type"), u"object"))
        add({}, "root-not-object",
            QStringLiteral("the root must be {\"type\": \"object\"}: wrap the answer in a "
                           "property"));
    walk(schema, {}, 0);
    checkLimits();
}

void Walker::walk(const QJsonValue &value, const QString &path, int depth)
{
    if (value.isBool()) {
        add(path, "boolean-schema",
            QStringLiteral("true/false schemas are not supported: write the schema out, e.g. "
                           "{\"type\": \"string\"}"));
        return;
    }
    if (!value.isObject()) {
        add(path, "not-a-schema", QStringLiteral("a schema must be a JSON object"));
        return;
    }
    walkObject(value.toObject(), path, depth);
}

void Walker::walkObject(const QJsonObject &schema, const QString &path, int depth)
{
    for (auto it = schema.constBegin(); it != schema.constEnd(); ++it) {
        const QString keyword = it.key();
        const auto forbidden
            = std::find_if(std::begin(kForbiddenKeywords), std::end(kForbiddenKeywords),
                [&](const auto &entry) { return entry.first == keyword; });
        if (forbidden != std::end(kForbiddenKeywords))
            add(jsonPointerAppend(path, keyword), "keyword-forbidden",
                QStringLiteral("'%1' is not allowed in strict mode: %2")
                    .arg(keyword, forbidden->second));
        else if (keyword == u"definitions")
            add(jsonPointerAppend(path, keyword), "keyword-unsupported",
                QStringLiteral("rename 'definitions' to '$defs' (and the references to "
                               "#/$defs/...)"));
        else if (!listed(kAllowedKeywords, keyword))
            add(jsonPointerAppend(path, keyword), "keyword-unsupported",
                QStringLiteral("'%1' is not supported in strict mode: remove it (the supported "
                               "keywords are %2)")
                    .arg(keyword, joined(kAllowedKeywords)));
    }

    const QJsonValue type = schema.value(u"type");
    const QJsonArray types = type.isArray() ? type.toArray() : QJsonArray {type};
    if (!type.isUndefined()
        && !std::all_of(types.begin(), types.end(),
            [](const QJsonValue &entry) { return listed(kTypes, entry.toString()); }))
        add(jsonPointerAppend(path, u"type"), "type-unknown",
            QStringLiteral("type must be one of %1 (or an array of them)").arg(joined(kTypes)));
    if (type.isUndefined() && !schema.contains(u"anyOf") && !schema.contains(u"$ref")
        && !schema.contains(u"enum") && !schema.contains(u"const"))
        add(path, "type-missing",
            QStringLiteral("say what this value is: add \"type\" (or anyOf, $ref, enum, const)"));

    if (const QJsonValue reference = schema.value(u"$ref");
        !reference.isUndefined() && !reference.toString().startsWith(u'#'))
        add(jsonPointerAppend(path, u"$ref"), "ref-not-local",
            QStringLiteral("only references inside the schema are allowed, e.g. "
                           "\"#/$defs/name\": copy the referenced schema into $defs"));

    if (const QJsonValue format = schema.value(u"format");
        !format.isUndefined() && !listed(kFormats, format.toString()))
        add(jsonPointerAppend(path, u"format"), "format-unsupported",
            QStringLiteral("format '%1' is not supported in strict mode: use one of %2, a "
                           "pattern, or no format")
                .arg(format.toString(), joined(kFormats)));

    if (const QJsonValue values = schema.value(u"enum"); values.isArray()) {
        m_enumValues += int(values.toArray().size());
        for (const QJsonValue entry : values.toArray())
            m_characters += entry.toString().size();
    }
    m_characters += schema.value(u"const").toString().size();

    const bool isObject = typeIncludes(type, u"object") || schema.contains(u"properties");
    if (isObject) {
        ++depth;
        if (depth > m_deepest) {
            m_deepest = depth;
            m_deepestPath = path;
        }
        const QJsonValue additional = schema.value(u"additionalProperties");
        if (additional != QJsonValue(false))
            add(additional.isUndefined() ? path : jsonPointerAppend(path, u"additionalProperties"),
                "additional-properties",
                QStringLiteral("set \"additionalProperties\": false on this object"));
        QStringList required;
        for (const QJsonValue name : schema.value(u"required").toArray())
            required.append(name.toString());
        const QJsonObject properties = schema.value(u"properties").toObject();
        const QString propertiesPath = jsonPointerAppend(path, u"properties");
        for (auto it = properties.constBegin(); it != properties.constEnd(); ++it) {
            ++m_properties;
            m_characters += it.key().size();
            const QString at = jsonPointerAppend(propertiesPath, it.key());
            if (!required.contains(it.key()))
                add(at, "required-all",
                    QStringLiteral("add \"%1\" to \"required\"; an optional field is written "
                                   "as required with \"type\": [\"<type>\", \"null\"]")
                        .arg(it.key()));
            walk(it.value(), at, depth);
        }
    }

    if (const QJsonValue items = schema.value(u"items"); items.isArray())
        add(jsonPointerAppend(path, u"items"), "items-tuple",
            QStringLiteral("tuple items are not supported: give one schema for every item "
                           "(anyOf for several shapes)"));
    else if (!items.isUndefined())
        walk(items, jsonPointerAppend(path, u"items"), depth);

    const QJsonArray alternatives = schema.value(u"anyOf").toArray();
    for (qsizetype i = 0; i < alternatives.size(); ++i)
        walk(alternatives.at(i), jsonPointerAppend(jsonPointerAppend(path, u"anyOf"), i), depth);

    const QJsonObject definitions = schema.value(u"$defs").toObject();
    for (auto it = definitions.constBegin(); it != definitions.constEnd(); ++it) {
        m_characters += it.key().size();
        walk(it.value(), jsonPointerAppend(jsonPointerAppend(path, u"$defs"), it.key()), 0);
    }
}

void Walker::checkLimits()
{
    struct Total
    {
        qint64 value;
        qint64 limit;
        const char *rule;
        const char *what;
        const char *fix;
        QString path;
    };
    const Total totals[] = {
        {m_properties, m_limits.maxProperties, "limit-properties",
            "object properties in the schema", "drop fields or split the request", {}},
        {m_deepest, m_limits.maxNestingDepth, "limit-nesting", "levels of nested objects here",
            "flatten the structure", m_deepestPath},
        {m_enumValues, m_limits.maxEnumValues, "limit-enum-values", "enum values in the schema",
            "use a string with a pattern, or fewer values", {}},
        {m_characters, m_limits.maxTotalCharacters, "limit-characters",
            "characters of property names, $defs names, enum and const values", "shorten them", {}},
    };
    for (const Total &total : totals)
        if (total.value > total.limit)
            add(total.path, total.rule,
                QStringLiteral("%1 %2; strict mode allows at most %3: %4")
                    .arg(total.value)
                    .arg(QLatin1StringView(total.what))
                    .arg(total.limit)
                    .arg(QLatin1StringView(total.fix)));
}

} // namespace

StrictSchemaLinter::StrictSchemaLinter(StrictLimits limits) : m_limits(limits) { }

StrictLintReport StrictSchemaLinter::lint(const QJsonValue &schema) const
{
    StrictLintReport report;
    Walker(m_limits, report.findings).root(schema);
    return report;
}

} // namespace sluice
