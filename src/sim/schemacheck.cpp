#include "sim/schemacheck.h"

#include "sim/schemautil.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace sluice::sim {

using namespace Qt::StringLiterals;

namespace {

// Deeper nesting (a $ref cycle without structure, say) counts as a match.
constexpr int kMaxDepth = 64;

} // namespace

bool SchemaCheck::matches(const QJsonValue &instance, const QJsonValue &schema)
{
    return matches(instance, schema, 0);
}

bool SchemaCheck::matches(const QJsonValue &instance, const QJsonValue &schemaValue, int depth)
{
    if (depth > kMaxDepth || --m_steps < 0)
        return true;
    if (schemaValue.isBool())
        return schemaValue.toBool();
    if (!schemaValue.isObject())
        return true;
    const QJsonObject schema = schemaValue.toObject();

    if (schema.contains(u"$ref"_s)) {
        const QJsonValue target = resolveReference(m_root, schema.value(u"$ref"_s).toString());
        if (!matches(instance, target, depth + 1))
            return false;
    }
    for (const QJsonValue &part : schema.value(u"allOf"_s).toArray()) {
        if (!matches(instance, part, depth + 1))
            return false;
    }
    if (schema.contains(u"anyOf"_s)) {
        const QJsonArray branches = schema.value(u"anyOf"_s).toArray();
        if (std::none_of(branches.begin(), branches.end(),
                [&](const QJsonValue &branch) { return matches(instance, branch, depth + 1); }))
            return false;
    }
    if (schema.contains(u"oneOf"_s)) {
        const QJsonArray branches = schema.value(u"oneOf"_s).toArray();
        const auto matching = std::count_if(branches.begin(), branches.end(),
            [&](const QJsonValue &branch) { return matches(instance, branch, depth + 1); });
        if (matching != 1)
            return false;
    }
    if (schema.contains(u"not"_s) && matches(instance, schema.value(u"not"_s), depth + 1))
        return false;

    if (schema.contains(u"const"_s) && instance != schema.value(u"const"_s))
        return false;
    if (schema.contains(u"enum"_s) && !schema.value(u"enum"_s).toArray().contains(instance))
        return false;
    if (schema.contains(u"type"_s)) {
        const QStringList types = typeList(schema.value(u"type"_s));
        if (std::none_of(types.begin(), types.end(),
                [&](const QString &type) { return isType(instance, type); }))
            return false;
    }

    if (instance.isDouble())
        return matchesNumber(instance.toDouble(), schema);
    if (instance.isString())
        return matchesString(instance.toString(), schema);
    if (instance.isArray())
        return matchesArray(instance.toArray(), schema, depth);
    if (instance.isObject())
        return matchesObject(instance.toObject(), schema, depth);
    return true;
}

bool SchemaCheck::matchesNumber(double value, const QJsonObject &schema)
{
    const QJsonValue minimum = schema.value(u"minimum"_s);
    const QJsonValue maximum = schema.value(u"maximum"_s);
    const QJsonValue exclusiveMinimum = schema.value(u"exclusiveMinimum"_s);
    const QJsonValue exclusiveMaximum = schema.value(u"exclusiveMaximum"_s);
    // Draft 4 spells exclusivity as a boolean beside minimum / maximum.
    if (minimum.isDouble()
        && (exclusiveMinimum.toBool(false) ? value <= minimum.toDouble()
                                           : value < minimum.toDouble()))
        return false;
    if (maximum.isDouble()
        && (exclusiveMaximum.toBool(false) ? value >= maximum.toDouble()
                                           : value > maximum.toDouble()))
        return false;
    if (exclusiveMinimum.isDouble() && value <= exclusiveMinimum.toDouble())
        return false;
    if (exclusiveMaximum.isDouble() && value >= exclusiveMaximum.toDouble())
        return false;
    if (schema.value(u"multipleOf"_s).isDouble())
        return isDecimalMultiple(value, schema.value(u"multipleOf"_s).toDouble());
    return true;
}

bool SchemaCheck::matchesString(const QString &value, const QJsonObject &schema)
{
    const qsizetype length = value.toUcs4().size();
    if (schema.value(u"minLength"_s).isDouble() && length < schema.value(u"minLength"_s).toDouble())
        return false;
    if (schema.value(u"maxLength"_s).isDouble() && length > schema.value(u"maxLength"_s).toDouble())
        return false;
    if (schema.value(u"pattern"_s).isString()) {
        const QString pattern = schema.value(u"pattern"_s).toString();
        auto it = m_patterns.find(pattern);
        if (it == m_patterns.end()) {
            it = m_patterns.insert(pattern,
                QRegularExpression(
                    pcrePattern(pattern), QRegularExpression::UseUnicodePropertiesOption));
        }
        if (it->isValid() && !it->match(value).hasMatch())
            return false;
    }
    return true;
}

bool SchemaCheck::matchesArray(const QJsonArray &value, const QJsonObject &schema, int depth)
{
    if (schema.value(u"minItems"_s).isDouble()
        && value.size() < schema.value(u"minItems"_s).toDouble())
        return false;
    if (schema.value(u"maxItems"_s).isDouble()
        && value.size() > schema.value(u"maxItems"_s).toDouble())
        return false;
    if (schema.value(u"uniqueItems"_s).toBool(false)) {
        for (qsizetype i = 0; i < value.size(); ++i) {
            for (qsizetype j = i + 1; j < value.size(); ++j) {
                if (value.at(i) == value.at(j))
                    return false;
            }
        }
    }
    QJsonArray prefix = schema.value(u"prefixItems"_s).toArray();
    QJsonValue rest = schema.value(u"items"_s);
    if (rest.isArray()) { // draft-7 tuple form
        prefix = rest.toArray();
        rest = schema.value(u"additionalItems"_s);
    }
    for (qsizetype i = 0; i < value.size(); ++i) {
        const QJsonValue itemSchema = i < prefix.size() ? prefix.at(i) : rest;
        if (!itemSchema.isUndefined() && !matches(value.at(i), itemSchema, depth + 1))
            return false;
    }
    return true;
}

bool SchemaCheck::matchesObject(const QJsonObject &value, const QJsonObject &schema, int depth)
{
    if (schema.value(u"minProperties"_s).isDouble()
        && value.size() < schema.value(u"minProperties"_s).toDouble())
        return false;
    if (schema.value(u"maxProperties"_s).isDouble()
        && value.size() > schema.value(u"maxProperties"_s).toDouble())
        return false;
    for (const QJsonValue &name : schema.value(u"required"_s).toArray()) {
        if (!value.contains(name.toString()))
            return false;
    }
    const QJsonObject properties = schema.value(u"properties"_s).toObject();
    const QJsonValue additional = schema.value(u"additionalProperties"_s);
    for (auto it = value.begin(); it != value.end(); ++it) {
        const QJsonValue propertySchema
            = properties.contains(it.key()) ? properties.value(it.key()) : additional;
        if (!propertySchema.isUndefined() && !matches(it.value(), propertySchema, depth + 1))
            return false;
    }
    return true;
}

} // namespace sluice::sim
