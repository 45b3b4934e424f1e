#include "sim/schemainstance.h"

#include "sim/patternsample.h"
#include "sim/schemacheck.h"
#include "sim/schemautil.h"
#include "sim/seededrandom.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStringList>

#include <cmath>
#include <limits>
#include <numeric>

namespace sluice::sim {

namespace {

using namespace Qt::StringLiterals;

const QStringList kWords = {u"amber"_s, u"birch"_s, u"cedar"_s, u"delta"_s, u"ember"_s, u"fjord"_s,
    u"glade"_s, u"harbor"_s, u"indigo"_s, u"juniper"_s, u"kestrel"_s, u"lagoon"_s, u"meadow"_s,
    u"nectar"_s, u"orchid"_s, u"pebble"_s, u"quartz"_s, u"river"_s, u"sierra"_s, u"tundra"_s};

// Strings tried, in order, for a pattern outside the sampler's subset.
const QStringList kPatternFallbacks = {u""_s, u"a"_s, u"A"_s, u"0"_s, u"abc"_s, u"ABC"_s, u"123"_s,
    u"sample"_s, u"a1"_s, u"A1"_s, u"x-1"_s};

// Minimum sizes (minLength, minItems, minProperties) are capped here: a
// schema asking for more gets a smaller, invalid instance, not an exhausted
// process.
constexpr int kMaxSize = 10'000;

// Nested generate() calls before a value is given up (null): far beyond any
// useful document, far below a stack overflow.
constexpr int kMaxCalls = 400;

// Generated values in all before every further one is given up (null).
constexpr int kMaxNodes = 100'000;

struct Bound
{
    bool present = false;
    double value = 0;
    bool exclusive = false;
};

struct Context
{
    int refDepth = 0;
    int calls = 0;        // nested generate() calls: a guard against any loop
    bool minimal = false; // take the shortest way out of recursion
    QString hint;         // the property name, for readable strings
};

bool satisfiesLow(double value, const Bound &low)
{
    return !low.present || (low.exclusive ? value > low.value : value >= low.value);
}

bool satisfiesHigh(double value, const Bound &high)
{
    return !high.present || (high.exclusive ? value < high.value : value <= high.value);
}

// The least common multiple of two decimal steps (0.5 and 0.3 -> 1.5);
// nullopt beyond 64-bit arithmetic.
std::optional<double> commonMultiple(double a, double b)
{
    const auto x = exactDecimal(a);
    const auto y = exactDecimal(b);
    if (!x || !y || x->units <= 0 || y->units <= 0)
        return std::nullopt;
    const int decimals = qMax(x->decimals, y->decimals);
    qint64 xs = 0;
    qint64 ys = 0;
    qint64 lcm = 0;
    if (qMulOverflow(x->units, power10(decimals - x->decimals), &xs)
        || qMulOverflow(y->units, power10(decimals - y->decimals), &ys)
        || qMulOverflow(xs / std::gcd(xs, ys), ys, &lcm))
        return std::nullopt;
    return decimalValue(lcm, decimals);
}

// Two schemas that must both hold, as one schema (allOf, anyOf branches,
// $ref siblings). Conflicts the generator cannot reconcile keep `a`'s keyword.
QJsonObject mergeSchemas(QJsonObject a, const QJsonObject &b)
{
    for (auto it = b.begin(); it != b.end(); ++it) {
        const QString key = it.key();
        const QJsonValue value = it.value();
        if (!a.contains(key)) {
            a.insert(key, value);
            continue;
        }
        const QJsonValue mine = a.value(key);
        if (key == u"properties") {
            QJsonObject merged = mine.toObject();
            const QJsonObject theirs = value.toObject();
            for (auto p = theirs.begin(); p != theirs.end(); ++p) {
                merged.insert(p.key(),
                    merged.contains(p.key()) ? QJsonValue(
                        QJsonObject {{u"allOf"_s, QJsonArray {merged.value(p.key()), p.value()}}})
                                             : p.value());
            }
            a.insert(key, merged);
        } else if (key == u"required") {
            QJsonArray merged = mine.toArray();
            for (const QJsonValue &name : value.toArray()) {
                if (!merged.contains(name))
                    merged.append(name);
            }
            a.insert(key, merged);
        } else if (key == u"type") {
            const QStringList theirs = typeList(value);
            QJsonArray common;
            for (const QString &type : typeList(mine)) {
                if (theirs.contains(type))
                    common.append(type);
                else if (type == u"number" && theirs.contains(u"integer"_s))
                    common.append(u"integer"_s);
                else if (type == u"integer" && theirs.contains(u"number"_s))
                    common.append(type);
            }
            a.insert(key, common);
        } else if ((key == u"minimum" || key == u"minLength" || key == u"minItems"
                       || key == u"minProperties" || key == u"exclusiveMinimum")
            && mine.isDouble() && value.isDouble()) {
            a.insert(key, qMax(mine.toDouble(), value.toDouble()));
        } else if ((key == u"maximum" || key == u"maxLength" || key == u"maxItems"
                       || key == u"maxProperties" || key == u"exclusiveMaximum")
            && mine.isDouble() && value.isDouble()) {
            a.insert(key, qMin(mine.toDouble(), value.toDouble()));
        } else if (key == u"enum") {
            QJsonArray common;
            const QJsonArray theirs = value.toArray();
            for (const QJsonValue &entry : mine.toArray()) {
                if (theirs.contains(entry))
                    common.append(entry);
            }
            a.insert(key, common);
        } else if (key == u"allOf") {
            QJsonArray merged = mine.toArray();
            for (const QJsonValue &entry : value.toArray())
                merged.append(entry);
            a.insert(key, merged);
        } else if (key == u"anyOf" || key == u"oneOf") {
            QJsonArray all = a.value(u"allOf"_s).toArray();
            all.append(QJsonObject {{key, value}});
            a.insert(u"allOf"_s, all);
        } else if ((key == u"items" || key == u"additionalProperties") && mine.isObject()
            && value.isObject()) {
            a.insert(key, QJsonObject {{u"allOf"_s, QJsonArray {mine, value}}});
        } else if (key == u"additionalProperties" && value == QJsonValue(false)) {
            a.insert(key, false);
        } else if (key == u"multipleOf" && mine.isDouble() && value.isDouble()) {
            // Multiples of both: multiples of their least common multiple.
            if (const auto step = commonMultiple(mine.toDouble(), value.toDouble()))
                a.insert(key, *step);
        }
    }
    return a;
}

class Generator
{
public:
    Generator(const QJsonValue &root, std::uint64_t seed, const InstanceOptions &options)
        : m_root(root), m_random(seed), m_options(options)
    { }

    QJsonValue generate(const QJsonValue &schema, Context context)
    {
        if (schema.isBool())
            return schema.toBool() ? QJsonValue(anyString(context)) : QJsonValue();
        if (!schema.isObject())
            return anyString(context);
        if (++m_nodes > m_options.nodeBudget)
            context.minimal = true;
        // Past the limits (refs followed through allOf or anyOf count too):
        // give up on this value rather than on the process.
        if (++context.calls > kMaxCalls || context.refDepth > m_options.hardDepthLimit
            || m_nodes > kMaxNodes)
            return QJsonValue();

        QJsonObject object = schema.toObject();
        if (object.contains(u"$ref"_s)) {
            ++context.refDepth;
            if (context.refDepth >= m_options.refDepthLimit)
                context.minimal = true;
            const QJsonValue target = resolveReference(m_root, object.value(u"$ref"_s).toString());
            object.remove(u"$ref"_s);
            object = mergeSchemas(target.isObject() ? target.toObject() : QJsonObject(), object);
            return generate(object, context);
        }
        if (object.contains(u"allOf"_s)) {
            const QJsonArray parts = object.take(u"allOf"_s).toArray();
            for (const QJsonValue &part : parts)
                object = mergeSchemas(object, flatten(part, context));
            return generate(object, context);
        }
        for (const QString &keyword : {u"anyOf"_s, u"oneOf"_s}) {
            if (object.contains(keyword)) {
                const QJsonArray branches = object.take(keyword).toArray();
                return generateBranch(object, branches, keyword == u"oneOf", context);
            }
        }
        if (object.contains(u"const"_s))
            return object.value(u"const"_s);

        if (object.contains(u"enum"_s)) {
            return pickEnum(object.value(u"enum"_s).toArray(), typeList(object.value(u"type"_s)));
        }
        const QStringList allowed = object.contains(u"type"_s) ? typeList(object.value(u"type"_s))
                                                               : QStringList {inferredType(object)};
        if (allowed.isEmpty())
            return QJsonValue(); // contradictory types: nothing is valid

        const QString type = chooseType(allowed, context);
        if (type == u"object")
            return generateObject(object, context);
        if (type == u"array")
            return generateArray(object, context);
        if (type == u"string")
            return generateString(object, context);
        if (type == u"integer")
            return generateNumber(object, true);
        if (type == u"number")
            return generateNumber(object, false);
        if (type == u"boolean")
            return m_random.below(2) == 1;
        return QJsonValue();
    }

private:
    // The first branch (from the preferred one on) whose instance really
    // satisfies it with the rest of the schema, and for oneOf, that no other
    // branch accepts; else the preferred branch's instance.
    QJsonValue generateBranch(
        const QJsonObject &rest, const QJsonArray &branches, bool exclusive, const Context &context)
    {
        if (branches.isEmpty())
            return QJsonValue();
        const qsizetype preferred = chooseBranch(branches, context);
        QJsonValue fallback;
        for (qsizetype n = 0; n < branches.size(); ++n) {
            const qsizetype index = (preferred + n) % branches.size();
            Context branchContext = context;
            // flatten() may deepen the context: merge before passing it on.
            const QJsonObject merged
                = mergeSchemas(rest, flatten(branches.at(index), branchContext));
            const QJsonValue value = generate(merged, branchContext);
            if (n == 0)
                fallback = value;
            if (!m_check.matches(value, merged))
                continue;
            bool alone = true;
            for (qsizetype other = 0; exclusive && alone && other < branches.size(); ++other)
                alone = other == index || !m_check.matches(value, branches.at(other));
            if (alone)
                return value;
        }
        return fallback;
    }

    // A subschema with its top-level $ref chain followed, for merging.
    QJsonObject flatten(const QJsonValue &schema, Context &context) const
    {
        QJsonObject object = schema.toObject();
        for (int hops = 0; object.contains(u"$ref"_s) && hops < m_options.hardDepthLimit; ++hops) {
            if (++context.refDepth >= m_options.refDepthLimit)
                context.minimal = true;
            const QJsonValue target = resolveReference(m_root, object.take(u"$ref"_s).toString());
            object = mergeSchemas(target.toObject(), object);
        }
        return object;
    }

    static bool onlyNull(const QJsonObject &branch)
    {
        const QStringList types = typeList(branch.value(u"type"_s));
        return !types.isEmpty() && types == QStringList {u"null"_s};
    }

    qsizetype chooseBranch(const QJsonArray &branches, const Context &context) const
    {
        if (context.minimal) {
            for (qsizetype i = 0; i < branches.size(); ++i) {
                if (onlyNull(branches.at(i).toObject()))
                    return i;
            }
            for (qsizetype i = 0; i < branches.size(); ++i) {
                if (!branches.at(i).toObject().contains(u"$ref"_s))
                    return i;
            }
            return 0;
        }
        for (qsizetype i = 0; i < branches.size(); ++i) {
            if (!onlyNull(branches.at(i).toObject()))
                return i;
        }
        return 0;
    }

    static QString inferredType(const QJsonObject &object)
    {
        for (const char *key :
            {"properties", "required", "additionalProperties", "minProperties", "maxProperties"}) {
            if (object.contains(QLatin1StringView(key)))
                return u"object"_s;
        }
        for (const char *key : {"items", "prefixItems", "minItems", "maxItems", "uniqueItems"}) {
            if (object.contains(QLatin1StringView(key)))
                return u"array"_s;
        }
        for (const char *key :
            {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}) {
            if (object.contains(QLatin1StringView(key)))
                return u"number"_s;
        }
        return u"string"_s;
    }

    QString chooseType(const QStringList &allowed, const Context &context) const
    {
        if (context.minimal) {
            for (const QString &type :
                {u"null"_s, u"boolean"_s, u"integer"_s, u"number"_s, u"string"_s, u"array"_s}) {
                if (allowed.contains(type))
                    return type;
            }
            return allowed.constFirst();
        }
        for (const QString &type : allowed) {
            if (type != u"null")
                return type;
        }
        return allowed.constFirst();
    }

    QJsonValue pickEnum(const QJsonArray &values, const QStringList &allowed)
    {
        QJsonArray candidates;
        for (const QJsonValue &value : values) {
            bool fits = allowed.isEmpty();
            for (const QString &type : allowed)
                fits = fits || isType(value, type);
            if (fits)
                candidates.append(value);
        }
        if (candidates.isEmpty())
            return values.isEmpty() ? QJsonValue() : values.at(0);
        return candidates.at(qsizetype(m_random.below(std::uint64_t(candidates.size()))));
    }

    QJsonValue generateObject(const QJsonObject &object, const Context &context)
    {
        const QJsonObject properties = object.value(u"properties"_s).toObject();
        const QJsonArray required = object.value(u"required"_s).toArray();
        const QJsonValue additional = object.value(u"additionalProperties"_s);
        const QJsonValue extraSchema = additional.isObject() ? additional : QJsonValue(true);

        QJsonObject result;
        for (auto it = properties.begin(); it != properties.end(); ++it) {
            if (context.minimal && !required.contains(it.key()))
                continue;
            Context child = context;
            child.hint = it.key();
            const QJsonValue value = generate(it.value(), child);
            // An optional property whose schema cannot be met (false, not {})
            // is left out rather than sent invalid.
            if (required.contains(it.key()) || m_check.matches(value, it.value()))
                result.insert(it.key(), value);
        }
        for (const QJsonValue &name : required) {
            if (!result.contains(name.toString())) {
                Context child = context;
                child.hint = name.toString();
                result.insert(name.toString(), generate(extraSchema, child));
            }
        }
        const int minProperties = qMin(object.value(u"minProperties"_s).toInt(0), kMaxSize);
        for (int extra = 1; result.size() < minProperties && additional != QJsonValue(false);
             ++extra) {
            Context child = context;
            child.hint = u"extra"_s;
            result.insert(u"extra_%1"_s.arg(extra), generate(extraSchema, child));
        }
        if (object.contains(u"maxProperties"_s)) {
            const int maxProperties = object.value(u"maxProperties"_s).toInt();
            const QStringList keys = result.keys();
            for (auto it = keys.crbegin(); it != keys.crend() && result.size() > maxProperties;
                 ++it) {
                if (!required.contains(*it))
                    result.remove(*it);
            }
        }
        return result;
    }

    QJsonValue generateArray(const QJsonObject &object, const Context &context)
    {
        const int minItems = qMin(object.value(u"minItems"_s).toInt(0), kMaxSize);
        const int maxItems = object.contains(u"maxItems"_s) ? object.value(u"maxItems"_s).toInt()
                                                            : std::numeric_limits<int>::max();
        QJsonArray prefix = object.value(u"prefixItems"_s).toArray();
        QJsonValue rest = object.value(u"items"_s);
        if (rest.isArray()) { // draft-7 tuple form
            prefix = rest.toArray();
            rest = object.value(u"additionalItems"_s);
        }
        if (rest.isUndefined())
            rest = QJsonValue(true);

        qsizetype count = minItems;
        if (!context.minimal) {
            const int low = qMax(minItems, qMin(1, maxItems));
            count = m_random.between(low, qMin<qint64>(maxItems, qMax(low, minItems) + 2));
            count = qMax(count, qMin<qsizetype>(prefix.size(), maxItems));
        }
        count = qMin<qsizetype>(count, kMaxSize);
        if (rest == QJsonValue(false))
            count = qMin(count, prefix.size());

        const bool unique = object.value(u"uniqueItems"_s).toBool(false);
        QJsonArray result;
        for (qsizetype i = 0; i < count; ++i) {
            const QJsonValue itemSchema = i < prefix.size() ? prefix.at(i) : rest;
            if (itemSchema == QJsonValue(false) && i >= minItems)
                break; // no item may stand here
            QJsonValue item = generate(itemSchema, context);
            for (int attempt = 0; unique && result.contains(item) && attempt < 32; ++attempt)
                item = generate(itemSchema, context);
            if (unique && result.contains(item) && i >= minItems)
                break;
            result.append(item);
        }
        return result;
    }

    QString anyString(const Context &context)
    {
        const QString word = kWords.at(qsizetype(m_random.below(std::uint64_t(kWords.size()))));
        const QString number = QString::number(m_random.between(1, 99));
        return context.hint.isEmpty() ? word + u' ' + number
                                      : context.hint + u' ' + word + u' ' + number;
    }

    static qsizetype codePoints(const QString &text) { return text.toUcs4().size(); }

    QString formatted(const QString &format)
    {
        const auto two = [](qint64 n) { return QString::number(n).rightJustified(2, u'0'); };
        const QString date = u"%1-%2-%3"_s.arg(m_random.between(2020, 2029))
                                 .arg(two(m_random.between(1, 12)), two(m_random.between(1, 28)));
        const QString time = u"%1:%2:%3"_s.arg(two(m_random.between(0, 23)),
            two(m_random.between(0, 59)), two(m_random.between(0, 59)));
        const QString word = kWords.at(qsizetype(m_random.below(std::uint64_t(kWords.size()))));
        const QString number = QString::number(m_random.between(1, 999));
        if (format == u"date-time")
            return date + u'T' + time + u'Z';
        if (format == u"date")
            return date;
        if (format == u"time")
            return time + u'Z';
        if (format == u"email" || format == u"idn-email")
            return word + number + u"@example.com"_s;
        if (format == u"uri" || format == u"uri-reference" || format == u"iri"
            || format == u"iri-reference")
            return u"https://example.com/"_s + word + u'/' + number;
        if (format == u"hostname" || format == u"idn-hostname")
            return word + number + u".example.com"_s;
        if (format == u"ipv4")
            return u"192.0.2."_s + QString::number(m_random.between(1, 254));
        if (format == u"ipv6")
            return u"2001:db8::"_s + QString::number(m_random.between(1, 0xffff), 16);
        if (format == u"duration")
            return u"P%1DT%2H%3M"_s.arg(m_random.between(0, 9))
                .arg(m_random.between(0, 23))
                .arg(m_random.between(0, 59));
        if (format == u"uuid") {
            QString hex;
            for (int i = 0; i < 32; ++i)
                hex += QString::number(m_random.below(16), 16);
            hex[12] = u'4';                                             // version 4
            hex[16] = QString::number(8 + m_random.below(4), 16).at(0); // variant 10xx
            return u"%1-%2-%3-%4-%5"_s.arg(
                hex.mid(0, 8), hex.mid(8, 4), hex.mid(12, 4), hex.mid(16, 4), hex.mid(20, 12));
        }
        return QString();
    }

    QJsonValue generateString(const QJsonObject &object, const Context &context)
    {
        const qsizetype minLength = qMin(object.value(u"minLength"_s).toInt(0), kMaxSize);
        const qsizetype maxLength = object.contains(u"maxLength"_s)
            ? object.value(u"maxLength"_s).toInt()
            : std::numeric_limits<int>::max();
        const auto fitsLength = [&](const QString &text) {
            const qsizetype length = codePoints(text);
            return length >= minLength && length <= maxLength;
        };

        if (object.contains(u"pattern"_s)) {
            const QString pattern = object.value(u"pattern"_s).toString();
            const QRegularExpression regex(
                pcrePattern(pattern), QRegularExpression::UseUnicodePropertiesOption);
            const auto matches = [&](const QString &text) {
                return fitsLength(text) && (!regex.isValid() || regex.match(text).hasMatch());
            };
            QString last;
            // Wider repetition spreads on later attempts, for length bounds.
            for (int attempt = 0; attempt < 16; ++attempt) {
                const auto sample = samplePattern(pattern, m_random, qMin(3 << attempt, 1000));
                if (!sample)
                    break;
                if (matches(*sample))
                    return *sample;
                last = *sample;
            }
            QStringList candidates = kPatternFallbacks;
            candidates.prepend(anyString(context));
            if (object.contains(u"format"_s))
                candidates.prepend(formatted(object.value(u"format"_s).toString()));
            for (const QString &candidate : std::as_const(candidates)) {
                if (matches(candidate))
                    return candidate;
            }
            return last.isEmpty() ? candidates.constFirst() : last;
        }

        const QString format = formatted(object.value(u"format"_s).toString());
        if (!format.isEmpty())
            return format;

        QString text = anyString(context);
        while (codePoints(text) < minLength)
            text += u' ' + kWords.at(qsizetype(m_random.below(std::uint64_t(kWords.size()))));
        if (codePoints(text) > maxLength)
            text = text.left(maxLength).trimmed();
        while (codePoints(text) < minLength)
            text += u'x';
        return text;
    }

    QJsonValue generateNumber(const QJsonObject &object, bool integer)
    {
        Bound low;
        Bound high;
        const QJsonValue minimum = object.value(u"minimum"_s);
        const QJsonValue maximum = object.value(u"maximum"_s);
        const QJsonValue exclusiveMinimum = object.value(u"exclusiveMinimum"_s);
        const QJsonValue exclusiveMaximum = object.value(u"exclusiveMaximum"_s);
        if (minimum.isDouble())
            low = {true, minimum.toDouble(), exclusiveMinimum.toBool(false)};
        if (exclusiveMinimum.isDouble()
            && (!low.present || exclusiveMinimum.toDouble() >= low.value))
            low = {true, exclusiveMinimum.toDouble(), true};
        if (maximum.isDouble())
            high = {true, maximum.toDouble(), exclusiveMaximum.toBool(false)};
        if (exclusiveMaximum.isDouble()
            && (!high.present || exclusiveMaximum.toDouble() <= high.value))
            high = {true, exclusiveMaximum.toDouble(), true};

        // Without bounds, a readable window: [0, 100], or 100 on the open side.
        Bound windowLow = low;
        Bound windowHigh = high;
        if (!low.present && !high.present) {
            windowLow = {true, 0, false};
            windowHigh = {true, 100, false};
        } else if (!low.present) {
            windowLow = {true, high.value - 100, false};
        } else if (!high.present) {
            windowHigh = {true, low.value + 100, false};
        }

        std::optional<Decimal> step;
        if (object.contains(u"multipleOf"_s)) {
            step = exactDecimal(object.value(u"multipleOf"_s).toDouble());
            if (step && step->units <= 0)
                step.reset();
            if (step && integer && step->decimals > 0) {
                // Integers that are multiples of p / 10^d: multiples of p / gcd(p, 10^d).
                step = Decimal {step->units / std::gcd(step->units, power10(step->decimals)), 0};
            }
        } else {
            step = integer ? Decimal {1, 0} : Decimal {1, 2};
        }
        if (step) {
            // A step finer than the window (a narrow exclusive range) when needed.
            for (int refine = 0; refine < 4; ++refine) {
                if (const auto value = pickMultiple(*step, windowLow, windowHigh))
                    return *value;
                if (object.contains(u"multipleOf"_s) || integer)
                    break;
                step->decimals += 3;
            }
        }
        // Out of reach for exact steps (huge magnitudes, unsatisfiable bounds):
        // the middle of the window.
        const double middle = (windowLow.value + windowHigh.value) / 2;
        if (!integer)
            return middle;
        return std::fabs(middle) < 1e18 ? QJsonValue(qint64(std::ceil(middle)))
                                        : QJsonValue(std::ceil(middle));
    }

    std::optional<QJsonValue> pickMultiple(const Decimal &step, const Bound &low, const Bound &high)
    {
        const long double scale = (long double)(power10(step.decimals)) / step.units;
        const long double first = std::ceil((long double)(low.value) * scale);
        const long double last = std::floor((long double)(high.value) * scale);
        // k * units must stay exact in 64 bits.
        const long double largest = qMax(std::fabs(first), std::fabs(last));
        if (largest > 1e15L || largest * step.units > 1e18L)
            return std::nullopt;
        qint64 kLow = qint64(first);
        qint64 kHigh = qint64(last);
        const auto valueOf = [&](qint64 k) { return decimalValue(k * step.units, step.decimals); };
        // The long double estimate may be one off at the edges; settle exactly.
        while (kLow <= kHigh && !satisfiesLow(valueOf(kLow), low))
            ++kLow;
        while (kHigh >= kLow && !satisfiesHigh(valueOf(kHigh), high))
            --kHigh;
        if (kLow > kHigh)
            return std::nullopt;
        const qint64 k = m_random.between(kLow, kHigh);
        if (step.decimals == 0)
            return QJsonValue(k * step.units);
        return QJsonValue(valueOf(k));
    }

    const QJsonValue m_root;
    SchemaCheck m_check {m_root};
    SeededRandom m_random;
    InstanceOptions m_options;
    int m_nodes = 0;
};

} // namespace

QJsonValue generateInstance(
    const QJsonValue &schema, std::uint64_t seed, const InstanceOptions &options)
{
    // A few seeds in turn: the first instance the check accepts (random
    // choices can collide, e.g. uniqueItems over a small enum).
    constexpr int kAttempts = 4;
    SchemaCheck check(schema);
    QJsonValue first;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const QJsonValue value = Generator(schema, seed + std::uint64_t(attempt), options)
                                     .generate(schema, Context {});
        if (check.matches(value, schema))
            return value;
        if (attempt == 0)
            first = value;
    }
    return first;
}

QByteArray compactJson(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

} // namespace sluice::sim
