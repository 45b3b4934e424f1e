#include "core/schemavalidator.h"

#include "core/jsonpointer.h"
#include "core/schemaformats.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QVarLengthArray>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

namespace sluice {

namespace {

__extension__ typedef unsigned __int128 Uint128;

// Deeper instances are rejected rather than risking the stack; QJsonDocument
// itself refuses to parse documents nested deeper than this.
constexpr int kMaxInstanceDepth = 1024;

enum TypeBit : quint8 {
    NullBit = 1,
    BooleanBit = 2,
    ObjectBit = 4,
    ArrayBit = 8,
    NumberBit = 16,
    StringBit = 32,
    IntegerBit = 64,
};

constexpr std::pair<QStringView, quint8> kTypeNames[] = {
    {u"null", NullBit},
    {u"boolean", BooleanBit},
    {u"object", ObjectBit},
    {u"array", ArrayBit},
    {u"number", NumberBit},
    {u"string", StringBit},
    {u"integer", IntegerBit},
};

// A JSON number with its exact 64-bit integer value when it has one.
struct Number
{
    double value = 0;
    qint64 integer = 0;
    bool exact = false;
};

Number numberOf(const QJsonValue &value)
{
    const double d = value.toDouble();
    const qint64 i = value.toInteger();
    return {d, i, double(i) == d};
}

bool isIntegral(const Number &n)
{
    return n.exact || (std::isfinite(n.value) && std::trunc(n.value) == n.value);
}

int compareIntegerToDouble(qint64 i, double d)
{
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    const double floor = std::floor(d);
    const auto floorInteger = qint64(floor);
    if (i != floorInteger)
        return i < floorInteger ? -1 : 1;
    return floor < d ? -1 : 0;
}

// Exact comparison: integers as integers, an integer against a double
// without rounding the integer to a double first.
int compareNumbers(const Number &a, const Number &b)
{
    if (a.exact && b.exact)
        return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
    if (a.exact)
        return compareIntegerToDouble(a.integer, b.value);
    if (b.exact)
        return -compareIntegerToDouble(b.integer, a.value);
    return a.value < b.value ? -1 : (a.value > b.value ? 1 : 0);
}

QString numberText(const Number &n)
{
    return n.exact ? QString::number(n.integer)
                   : QString::number(n.value, 'g', QLocale::FloatingPointShortest);
}

// |value| = digits * 10^exponent, digits without trailing zeros.
struct Decimal
{
    quint64 digits = 0;
    int exponent = 0;
};

Decimal decimalOf(const Number &n)
{
    Decimal result;
    if (n.exact) {
        result.digits = n.integer < 0 ? 0 - quint64(n.integer) : quint64(n.integer);
    } else {
        // The shortest decimal form that reads back as the same double: what
        // the JSON text most likely said (0.1, 19.99).
        char buffer[64];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, std::fabs(n.value));
        Q_ASSERT(ec == std::errc());
        const char *c = buffer;
        char significant[32];
        int count = 0;
        int fractionDigits = 0;
        bool inFraction = false;
        for (; c != end && *c != 'e'; ++c) {
            if (*c == '.') {
                inFraction = true;
                continue;
            }
            if (count > 0 || *c != '0')
                significant[count++] = *c;
            if (inFraction)
                ++fractionDigits;
        }
        int exponent = c != end ? std::atoi(c + 1) : 0;
        exponent -= fractionDigits;
        while (count > 0 && significant[count - 1] == '0') {
            --count;
            ++exponent;
        }
        for (int i = 0; i < count; ++i)
            result.digits = result.digits * 10 + quint64(significant[i] - '0');
        result.exponent = exponent;
    }
    while (result.digits != 0 && result.digits % 10 == 0) {
        result.digits /= 10;
        ++result.exponent;
    }
    return result;
}

bool isMultipleOf(const Decimal &x, const Decimal &m)
{
    if (x.digits == 0)
        return true;
    if (x.exponent >= m.exponent) {
        Uint128 remainder = x.digits % m.digits;
        for (int i = m.exponent; i < x.exponent && remainder != 0; ++i)
            remainder = remainder * 10 % m.digits;
        return remainder == 0;
    }
    const int shift = m.exponent - x.exponent;
    if (shift > 19)
        return false; // m * 10^shift exceeds any 64-bit x
    Uint128 divisor = m.digits;
    for (int i = 0; i < shift; ++i)
        divisor *= 10;
    return Uint128(x.digits) % divisor == 0;
}

bool jsonEqual(const QJsonValue &a, const QJsonValue &b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case QJsonValue::Double:
        return compareNumbers(numberOf(a), numberOf(b)) == 0;
    case QJsonValue::Array: {
        const QJsonArray left = a.toArray();
        const QJsonArray right = b.toArray();
        if (left.size() != right.size())
            return false;
        for (qsizetype i = 0; i < left.size(); ++i)
            if (!jsonEqual(left.at(i), right.at(i)))
                return false;
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject left = a.toObject();
        const QJsonObject right = b.toObject();
        if (left.size() != right.size())
            return false;
        for (auto it = left.constBegin(); it != left.constEnd(); ++it) {
            const auto other = right.constFind(it.key());
            if (other == right.constEnd() || !jsonEqual(it.value(), other.value()))
                return false;
        }
        return true;
    }
    default:
        return a == b;
    }
}

quint8 typeBitsOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return NullBit;
    case QJsonValue::Bool:
        return BooleanBit;
    case QJsonValue::Object:
        return ObjectBit;
    case QJsonValue::Array:
        return ArrayBit;
    case QJsonValue::String:
        return StringBit;
    case QJsonValue::Double:
        return isIntegral(numberOf(value)) ? NumberBit | IntegerBit : NumberBit;
    default:
        return 0;
    }
}

QString typeNameOf(const QJsonValue &value)
{
    const quint8 bits = typeBitsOf(value);
    const quint8 bit = (bits & IntegerBit) ? quint8(IntegerBit) : bits;
    for (const auto &[name, known] : kTypeNames)
        if (known == bit)
            return name.toString();
    return QStringLiteral("undefined");
}

QString compactJson(const QJsonValue &value)
{
    QString text;
    if (value.isObject())
        text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    else if (value.isArray())
        text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    else if (value.isString())
        text = u'"' + value.toString() + u'"';
    else if (value.isDouble())
        text = numberText(numberOf(value));
    else if (value.isBool())
        text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    else
        text = QStringLiteral("null");
    constexpr qsizetype kMaxShown = 60;
    if (text.size() > kMaxShown)
        text = text.left(kMaxShown) + QStringLiteral("...");
    return text;
}

qsizetype codePointCount(QStringView text)
{
    qsizetype count = 0;
    for (const QChar c : text)
        count += c.isLowSurrogate() ? 0 : 1;
    return count;
}

// Long Unicode property names ECMA-262 accepts and PCRE2 10.42 does not.
constexpr std::pair<QStringView, QStringView> kPropertyAliases[] = {
    {u"Letter", u"L"},
    {u"Uppercase_Letter", u"Lu"},
    {u"Lowercase_Letter", u"Ll"},
    {u"Titlecase_Letter", u"Lt"},
    {u"Modifier_Letter", u"Lm"},
    {u"Other_Letter", u"Lo"},
    {u"Mark", u"M"},
    {u"Number", u"N"},
    {u"Decimal_Number", u"Nd"},
    {u"digit", u"Nd"},
    {u"Letter_Number", u"Nl"},
    {u"Other_Number", u"No"},
    {u"Punctuation", u"P"},
    {u"Symbol", u"S"},
    {u"Separator", u"Z"},
    {u"Space_Separator", u"Zs"},
    {u"Other", u"C"},
    {u"Control", u"Cc"},
};

// ECMA-262 regular expressions as PCRE2 (which QRegularExpression runs in
// UTF-16 mode, without Unicode properties so that \d \w \b stay ASCII as in
// ECMA): \s covers Unicode spaces, \uXXXX is an escape, $ ends the input only,
// \p{Letter}-style long property names become PCRE2's short ones.
QString translatePattern(QStringView source)
{
    static const QString kSpaces = QStringLiteral(
        "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
        "\\x{205F}\\x{3000}\\x{FEFF}");
    QString out;
    out.reserve(source.size() + 16);
    bool inClass = false;
    for (qsizetype i = 0; i < source.size(); ++i) {
        const QChar c = source[i];
        if (c == u'\\' && i + 1 < source.size()) {
            const QChar next = source[i + 1];
            if (next == u's') {
                out += inClass ? kSpaces : u'[' + kSpaces + u']';
            } else if (next == u'S' && !inClass) {
                out += QStringLiteral("[^") + kSpaces + u']';
            } else if (next == u'u' && i + 5 < source.size()
                && std::all_of(source.begin() + i + 2, source.begin() + i + 6,
                    [](QChar h) { return isxdigit(h.unicode()) && h.unicode() < 128; })) {
                out += QStringLiteral("\\x{");
                out += source.mid(i + 2, 4);
                out += u'}';
                i += 4;
            } else if ((next == u'p' || next == u'P') && i + 2 < source.size()
                && source[i + 2] == u'{') {
                const qsizetype close = source.indexOf(u'}', i + 3);
                const QStringView name
                    = close < 0 ? QStringView() : source.mid(i + 3, close - i - 3);
                const auto alias
                    = std::find_if(std::begin(kPropertyAliases), std::end(kPropertyAliases),
                        [&](const auto &entry) { return entry.first == name; });
                if (alias == std::end(kPropertyAliases)) {
                    out += c;
                    out += next;
                } else {
                    out += c;
                    out += next;
                    out += u'{';
                    out += alias->second;
                    out += u'}';
                    i = close - 1;
                }
            } else {
                out += c;
                out += next;
            }
            ++i;
            continue;
        }
        if (inClass) {
            inClass = c != u']';
        } else if (c == u'[') {
            inClass = true;
        } else if (c == u'$') {
            out += QStringLiteral("\\z");
            continue;
        }
        out += c;
    }
    return out;
}

} // namespace

struct Pattern
{
    QString source;
    QRegularExpression fast;     // JIT: fails (invalid match) when its stack runs out
    QRegularExpression fallback; // interpreter on the heap, for those cases
};

struct Dependency
{
    QString property;
    int schema = -1;
    QStringList required;
};

// One compiled subschema. Indexes refer to SchemaValidator::Program::nodes
// and patterns; -1 is "absent".
struct Node
{
    QString path;
    int ref = -1;
    bool alwaysFalse = false;
    quint8 types = 0;
    bool hasConst = false;
    QJsonValue constValue;
    bool hasEnum = false;
    QJsonArray enumValues;
    std::optional<QStringList> enumStrings; // sorted, when every value is a string
    std::optional<Number> minimum;
    std::optional<Number> maximum;
    std::optional<Number> exclusiveMinimum;
    std::optional<Number> exclusiveMaximum;
    std::optional<Number> multipleOf;
    Decimal multipleOfDecimal;
    qint64 minLength = 0;
    qint64 maxLength = -1;
    int pattern = -1;
    std::optional<SchemaFormat> format;
    QString formatName;
    int items = -1;
    bool tuple = false;
    QList<int> tupleItems;
    int additionalItems = -1;
    int contains = -1;
    qint64 minItems = 0;
    qint64 maxItems = -1;
    bool uniqueItems = false;
    QList<std::pair<QString, int>> properties; // sorted by name
    QList<std::pair<int, int>> patternProperties;
    int additionalProperties = -1;
    QStringList required;
    qint64 minProperties = 0;
    qint64 maxProperties = -1;
    int propertyNames = -1;
    QList<Dependency> dependencies;
    QList<int> allOf;
    QList<int> anyOf;
    QList<int> oneOf;
    int notSchema = -1;
    int ifSchema = -1;
    int thenSchema = -1;
    int elseSchema = -1;

    bool checksNumbers = false;
    bool checksStrings = false;
    bool checksArrays = false;
    bool checksObjects = false;
};

struct SchemaValidator::Program
{
    std::vector<Node> nodes;
    std::vector<Pattern> patterns;
    int root = 0;
};

namespace {

using Program = SchemaValidator::Program;

// The keywords whose values are schemas, walked alike when indexing ids and
// when compiling (so `$id` inside `enum` or an unknown keyword is no id).
enum class Holds { Schema, SchemaMap, SchemaArray, SchemaOrArray, DependencyMap };

constexpr std::pair<QStringView, Holds> kSchemaKeywords[] = {
    {u"additionalItems", Holds::Schema},
    {u"items", Holds::SchemaOrArray},
    {u"contains", Holds::Schema},
    {u"additionalProperties", Holds::Schema},
    {u"properties", Holds::SchemaMap},
    {u"patternProperties", Holds::SchemaMap},
    {u"dependencies", Holds::DependencyMap},
    {u"propertyNames", Holds::Schema},
    {u"if", Holds::Schema},
    {u"then", Holds::Schema},
    {u"else", Holds::Schema},
    {u"allOf", Holds::SchemaArray},
    {u"anyOf", Holds::SchemaArray},
    {u"oneOf", Holds::SchemaArray},
    {u"not", Holds::Schema},
    {u"definitions", Holds::SchemaMap},
    {u"$defs", Holds::SchemaMap},
};

class Compiler
{
public:
    explicit Compiler(const SchemaValidator::Resolver &resolver) : m_resolver(resolver) { }

    std::optional<SchemaError> run(const QJsonValue &schema, Program &program);

private:
    struct Pending
    {
        int node;
        QString location;
        QJsonValue value;
    };

    static QString locationKey(int document, const QString &pointer)
    {
        return QString::number(document) + u':' + pointer;
    }
    static std::pair<int, QString> splitLocation(const QString &location)
    {
        const qsizetype colon = location.indexOf(u':');
        return {location.left(colon).toInt(), location.mid(colon + 1)};
    }
    QString displayPath(const QString &location) const
    {
        const auto [document, pointer] = splitLocation(location);
        return document == 0 ? pointer : m_documentUrls[document] + u'#' + pointer;
    }

    // Location keys are "<document>:<pointer>", so a key extends like a pointer.
    QJsonValue valueAt(const QString &location) const
    {
        const auto [document, pointer] = splitLocation(location);
        QJsonValue value = m_documents[document];
        for (const QString &token : jsonPointerTokens(pointer).value_or(QStringList()))
            value = value.isArray() ? value.toArray().at(token.toLongLong())
                                    : value.toObject().value(token);
        return value;
    }

    void addDocument(const QString &url, const QJsonValue &root);
    void index(int document, const QString &pointer, const QJsonValue &value, QUrl base);
    int nodeFor(const QString &location, const QJsonValue &value);
    int child(const QString &location, QStringView keyword, const QJsonValue &value)
    {
        return nodeFor(jsonPointerAppend(location, keyword), value);
    }
    std::optional<QString> resolveReference(const QString &from, const QString &reference);
    bool compile(const Pending &pending);
    bool fail(const QString &location, QStringView keyword, const QString &message);
    int addPattern(const QString &location, QStringView keyword, const QString &source);
    bool checkLoops();

    const SchemaValidator::Resolver &m_resolver;
    Program *m_program = nullptr;
    std::optional<SchemaError> m_error;
    QList<QJsonValue> m_documents;
    QStringList m_documentUrls;
    QHash<QString, QString> m_resources; // absolute URI without fragment -> location
    QHash<QString, QString> m_anchors;   // absolute URI + '#' + plain name -> location
    QHash<QString, QUrl> m_bases;        // location -> base URI of its subschema
    QHash<QString, int> m_nodes;         // location -> node
    std::deque<Pending> m_queue;
};

// Documents without an $id of their own get this base, so that relative
// references and ids resolve the way they would in a file.
const QString kRootUri = QStringLiteral("sluice:/schema.json");

void Compiler::addDocument(const QString &url, const QJsonValue &root)
{
    const auto document = int(m_documents.size());
    m_documents.append(root);
    m_documentUrls.append(url);
    m_resources.insert(url, locationKey(document, {}));
    index(document, {}, root, QUrl(url));
}

void Compiler::index(int document, const QString &pointer, const QJsonValue &value, QUrl base)
{
    const QString location = locationKey(document, pointer);
    if (!value.isObject()) {
        m_bases.insert(location, base);
        return;
    }
    const QJsonObject object = value.toObject();
    // Draft 7: next to $ref every other keyword, $id included, is ignored.
    if (const QJsonValue id = object.value(u"$id"); id.isString() && !object.contains(u"$ref")) {
        const QUrl resolved = base.resolved(QUrl(id.toString()));
        const QUrl withoutFragment = resolved.adjusted(QUrl::RemoveFragment);
        if (!id.toString().startsWith(u'#')) {
            base = withoutFragment;
            m_resources.insert(base.toString(QUrl::FullyEncoded), location);
        }
        if (const QString name = resolved.fragment(QUrl::FullyDecoded);
            !name.isEmpty() && !name.startsWith(u'/'))
            m_anchors.insert(withoutFragment.toString(QUrl::FullyEncoded) + u'#' + name, location);
    }
    m_bases.insert(location, base);
    for (const auto &[keyword, holds] : kSchemaKeywords) {
        const QJsonValue held = object.value(keyword);
        const QString at = jsonPointerAppend(pointer, keyword);
        if (held.isArray() && (holds == Holds::SchemaArray || holds == Holds::SchemaOrArray)) {
            const QJsonArray array = held.toArray();
            for (qsizetype i = 0; i < array.size(); ++i)
                index(document, jsonPointerAppend(at, i), array.at(i), base);
        } else if (held.isObject()
            && (holds == Holds::SchemaMap || holds == Holds::DependencyMap)) {
            const QJsonObject map = held.toObject();
            for (auto it = map.constBegin(); it != map.constEnd(); ++it)
                index(document, jsonPointerAppend(at, it.key()), it.value(), base);
        } else if (!held.isUndefined()
            && (holds == Holds::Schema || holds == Holds::SchemaOrArray)) {
            index(document, at, held, base);
        }
    }
}

int Compiler::nodeFor(const QString &location, const QJsonValue &value)
{
    if (const auto found = m_nodes.constFind(location); found != m_nodes.constEnd())
        return found.value();
    const auto node = int(m_program->nodes.size());
    m_program->nodes.emplace_back();
    m_program->nodes.back().path = displayPath(location);
    m_nodes.insert(location, node);
    m_queue.push_back({node, location, value});
    return node;
}

bool Compiler::fail(const QString &location, QStringView keyword, const QString &message)
{
    if (!m_error) {
        const QString path = displayPath(location);
        m_error
            = SchemaError {keyword.isEmpty() ? path : jsonPointerAppend(path, keyword), message};
    }
    return false;
}

std::optional<QString> Compiler::resolveReference(const QString &from, const QString &reference)
{
    const QUrl referenceUrl(reference, QUrl::StrictMode);
    if (!referenceUrl.isValid()) {
        fail(from, u"$ref", QStringLiteral("'%1' is not a valid URI reference").arg(reference));
        return std::nullopt;
    }
    const QUrl target = m_bases.value(from, QUrl(kRootUri)).resolved(referenceUrl);
    const QString document = target.adjusted(QUrl::RemoveFragment).toString(QUrl::FullyEncoded);
    const QString fragment = target.fragment(QUrl::FullyDecoded);

    if (!m_resources.contains(document)) {
        std::optional<QJsonValue> loaded;
        if (m_resolver)
            loaded = m_resolver(QUrl(document));
        if (!loaded) {
            fail(from, u"$ref",
                m_resolver ? QStringLiteral("cannot resolve '%1': no document at %2")
                                 .arg(reference, document)
                           : QStringLiteral("cannot resolve '%1': only references inside the "
                                            "schema are allowed (such as #/$defs/name)")
                                 .arg(reference));
            return std::nullopt;
        }
        addDocument(document, *loaded);
    }

    if (!fragment.isEmpty() && !fragment.startsWith(u'/')) {
        const auto anchor = m_anchors.constFind(document + u'#' + fragment);
        if (anchor == m_anchors.constEnd()) {
            fail(from, u"$ref",
                QStringLiteral("cannot resolve '%1': no subschema has $id '#%2'")
                    .arg(reference, fragment));
            return std::nullopt;
        }
        return anchor.value();
    }

    const auto [documentIndex, resourcePointer] = splitLocation(m_resources.value(document));
    const std::optional<QStringList> tokens = jsonPointerTokens(resourcePointer + fragment);
    if (!tokens) {
        fail(from, u"$ref",
            QStringLiteral("'%1' has a malformed JSON pointer; escape '~' as ~0 and '/' as ~1")
                .arg(reference));
        return std::nullopt;
    }
    QJsonValue value = m_documents[documentIndex];
    QString pointer;
    for (const QString &token : *tokens) {
        if (value.isObject() && value.toObject().contains(token)) {
            value = value.toObject().value(token);
            pointer = jsonPointerAppend(pointer, token);
            continue;
        }
        bool isIndex = false;
        const qsizetype index = token.toLongLong(&isIndex);
        if (value.isArray() && isIndex && index >= 0 && index < value.toArray().size()) {
            value = value.toArray().at(index);
            pointer = jsonPointerAppend(pointer, index);
            continue;
        }
        fail(from, u"$ref",
            QStringLiteral("cannot resolve '%1': nothing at that path").arg(reference));
        return std::nullopt;
    }
    const QString location = locationKey(documentIndex, pointer);
    if (!m_bases.contains(location))
        m_bases.insert(location, QUrl(document));
    return location;
}

int Compiler::addPattern(const QString &location, QStringView keyword, const QString &source)
{
    const QString translated = translatePattern(source);
    Pattern pattern {source, QRegularExpression(translated),
        QRegularExpression(QStringLiteral("(*NO_JIT)") + translated)};
    if (!pattern.fast.isValid()) {
        fail(location, keyword,
            QStringLiteral("'%1' is not a valid regular expression: %2 at offset %3")
                .arg(source, pattern.fast.errorString())
                .arg(pattern.fast.patternErrorOffset()));
        return -1;
    }
    pattern.fast.optimize();
    pattern.fallback.optimize();
    m_program->patterns.push_back(std::move(pattern));
    return int(m_program->patterns.size() - 1);
}

bool Compiler::compile(const Pending &pending)
{
    const QString &at = pending.location;
    Node node;
    node.path = displayPath(at);
    if (pending.value.isBool()) {
        node.alwaysFalse = !pending.value.toBool();
        m_program->nodes[pending.node] = std::move(node);
        return true;
    }
    if (!pending.value.isObject())
        return fail(at, {}, QStringLiteral("a schema must be an object or a boolean"));
    const QJsonObject schema = pending.value.toObject();

    if (schema.contains(u"$ref")) {
        const QJsonValue reference = schema.value(u"$ref");
        if (!reference.isString())
            return fail(at, u"$ref", QStringLiteral("$ref must be a string"));
        const std::optional<QString> target = resolveReference(at, reference.toString());
        if (!target)
            return false;
        node.ref = nodeFor(*target, valueAt(*target));
        m_program->nodes[pending.node] = std::move(node);
        return true;
    }

    auto number = [&](QStringView keyword, std::optional<Number> &out) {
        const QJsonValue value = schema.value(keyword);
        if (value.isUndefined())
            return true;
        if (!value.isDouble())
            return fail(at, keyword, QStringLiteral("%1 must be a number").arg(keyword));
        out = numberOf(value);
        node.checksNumbers = true;
        return true;
    };
    auto count = [&](QStringView keyword, qint64 &out) {
        const QJsonValue value = schema.value(keyword);
        if (value.isUndefined())
            return true;
        const Number n = numberOf(value);
        if (!value.isDouble() || !isIntegral(n) || n.value < 0)
            return fail(
                at, keyword, QStringLiteral("%1 must be a non-negative integer").arg(keyword));
        out = n.exact ? n.integer : std::numeric_limits<qint64>::max();
        return true;
    };
    auto subschema = [&](QStringView keyword, int &out) {
        const QJsonValue value = schema.value(keyword);
        if (!value.isUndefined())
            out = child(at, keyword, value);
        return true;
    };
    auto schemaArray = [&](QStringView keyword, QList<int> &out) {
        const QJsonValue value = schema.value(keyword);
        if (value.isUndefined())
            return true;
        if (!value.isArray() || value.toArray().isEmpty())
            return fail(at, keyword,
                QStringLiteral("%1 must be a non-empty array of schemas").arg(keyword));
        const QJsonArray array = value.toArray();
        const QString base = jsonPointerAppend(at, keyword);
        for (qsizetype i = 0; i < array.size(); ++i)
            out.append(nodeFor(jsonPointerAppend(base, i), array.at(i)));
        return true;
    };
    auto stringList = [&](QStringView keyword, const QJsonValue &value, QStringList &out) {
        if (!value.isArray())
            return fail(at, keyword, QStringLiteral("%1 must be an array of strings").arg(keyword));
        for (const QJsonValue item : value.toArray()) {
            if (!item.isString())
                return fail(
                    at, keyword, QStringLiteral("%1 must be an array of strings").arg(keyword));
            out.append(item.toString());
        }
        return true;
    };

    if (const QJsonValue type = schema.value(u"type"); !type.isUndefined()) {
        const QJsonArray names = type.isArray() ? type.toArray() : QJsonArray {type};
        for (const QJsonValue name : names) {
            const auto known = std::find_if(
                std::begin(kTypeNames), std::end(kTypeNames), [&](const auto &entry) {
                    return name.isString() && entry.first == name.toString();
                });
            if (known == std::end(kTypeNames))
                return fail(at, u"type",
                    QStringLiteral("type must be one of null, boolean, object, array, number, "
                                   "string, integer (or an array of them), not %1")
                        .arg(compactJson(name)));
            node.types |= known->second;
        }
    }
    if (schema.contains(u"const")) {
        node.hasConst = true;
        node.constValue = schema.value(u"const");
    }
    if (const QJsonValue values = schema.value(u"enum"); !values.isUndefined()) {
        if (!values.isArray())
            return fail(at, u"enum", QStringLiteral("enum must be an array"));
        node.hasEnum = true;
        node.enumValues = values.toArray();
        // Long string enums are common in structured output: binary search.
        if (std::all_of(node.enumValues.begin(), node.enumValues.end(),
                [](const QJsonValue &entry) { return entry.isString(); })) {
            node.enumStrings.emplace();
            for (const QJsonValue entry : node.enumValues)
                node.enumStrings->append(entry.toString());
            std::sort(node.enumStrings->begin(), node.enumStrings->end());
        }
    }

    if (!number(u"minimum", node.minimum) || !number(u"maximum", node.maximum)
        || !number(u"exclusiveMinimum", node.exclusiveMinimum)
        || !number(u"exclusiveMaximum", node.exclusiveMaximum)
        || !number(u"multipleOf", node.multipleOf))
        return false;
    if (node.multipleOf) {
        if (node.multipleOf->value <= 0)
            return fail(at, u"multipleOf", QStringLiteral("multipleOf must be greater than 0"));
        node.multipleOfDecimal = decimalOf(*node.multipleOf);
    }

    if (!count(u"minLength", node.minLength) || !count(u"maxLength", node.maxLength))
        return false;
    if (const QJsonValue pattern = schema.value(u"pattern"); !pattern.isUndefined()) {
        if (!pattern.isString())
            return fail(at, u"pattern", QStringLiteral("pattern must be a string"));
        node.pattern = addPattern(at, u"pattern", pattern.toString());
        if (node.pattern < 0)
            return false;
    }
    if (const QJsonValue format = schema.value(u"format"); !format.isUndefined()) {
        if (!format.isString())
            return fail(at, u"format", QStringLiteral("format must be a string"));
        node.format = schemaFormatFromName(format.toString());
        node.formatName = format.toString();
    }
    node.checksStrings
        = node.minLength > 0 || node.maxLength >= 0 || node.pattern >= 0 || node.format.has_value();

    if (const QJsonValue items = schema.value(u"items"); items.isArray()) {
        node.tuple = true;
        const QJsonArray array = items.toArray();
        const QString base = jsonPointerAppend(at, u"items");
        for (qsizetype i = 0; i < array.size(); ++i)
            node.tupleItems.append(nodeFor(jsonPointerAppend(base, i), array.at(i)));
        subschema(u"additionalItems", node.additionalItems);
    } else {
        subschema(u"items", node.items);
    }
    subschema(u"contains", node.contains);
    if (!count(u"minItems", node.minItems) || !count(u"maxItems", node.maxItems))
        return false;
    node.uniqueItems = schema.value(u"uniqueItems").toBool();
    node.checksArrays = node.items >= 0 || node.tuple || node.contains >= 0 || node.minItems > 0
        || node.maxItems >= 0 || node.uniqueItems;

    for (const QStringView keyword : {u"properties", u"patternProperties"}) {
        const QJsonValue value = schema.value(keyword);
        if (value.isUndefined())
            continue;
        if (!value.isObject())
            return fail(at, keyword, QStringLiteral("%1 must be an object").arg(keyword));
        const QJsonObject map = value.toObject();
        const QString base = jsonPointerAppend(at, keyword);
        for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
            const int schemaNode = nodeFor(jsonPointerAppend(base, it.key()), it.value());
            if (keyword == u"properties") {
                node.properties.append({it.key(), schemaNode});
                continue;
            }
            const int pattern = addPattern(base, it.key(), it.key());
            if (pattern < 0)
                return false;
            node.patternProperties.append({pattern, schemaNode});
        }
    }
    std::sort(node.properties.begin(), node.properties.end(),
        [](const auto &a, const auto &b) { return a.first < b.first; });
    subschema(u"additionalProperties", node.additionalProperties);
    if (const QJsonValue required = schema.value(u"required"); !required.isUndefined())
        if (!stringList(u"required", required, node.required))
            return false;
    if (!count(u"minProperties", node.minProperties)
        || !count(u"maxProperties", node.maxProperties))
        return false;
    subschema(u"propertyNames", node.propertyNames);
    if (const QJsonValue dependencies = schema.value(u"dependencies");
        !dependencies.isUndefined()) {
        if (!dependencies.isObject())
            return fail(at, u"dependencies", QStringLiteral("dependencies must be an object"));
        const QJsonObject map = dependencies.toObject();
        const QString base = jsonPointerAppend(at, u"dependencies");
        for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
            Dependency dependency {it.key(), -1, {}};
            if (it.value().isArray()) {
                if (!stringList(u"dependencies", it.value(), dependency.required))
                    return false;
            } else {
                dependency.schema = nodeFor(jsonPointerAppend(base, it.key()), it.value());
            }
            node.dependencies.append(std::move(dependency));
        }
    }
    node.checksObjects = !node.properties.isEmpty() || !node.patternProperties.isEmpty()
        || node.additionalProperties >= 0 || !node.required.isEmpty() || node.minProperties > 0
        || node.maxProperties >= 0 || node.propertyNames >= 0 || !node.dependencies.isEmpty();

    if (!schemaArray(u"allOf", node.allOf) || !schemaArray(u"anyOf", node.anyOf)
        || !schemaArray(u"oneOf", node.oneOf))
        return false;
    subschema(u"not", node.notSchema);
    subschema(u"if", node.ifSchema);
    if (node.ifSchema >= 0) {
        subschema(u"then", node.thenSchema);
        subschema(u"else", node.elseSchema);
    }
    m_program->nodes[pending.node] = std::move(node);
    return true;
}

// A loop of references and in-place applicators (allOf, anyOf, oneOf, not,
// if/then/else, schema dependencies) never moves into the instance: at
// validation time it would recurse forever, so it is refused here.
bool Compiler::checkLoops()
{
    const std::vector<Node> &nodes = m_program->nodes;
    auto inPlace = [&](int index) {
        const Node &n = nodes[size_t(index)];
        QVarLengthArray<int, 8> next;
        if (n.ref >= 0)
            next.append(n.ref);
        for (const QList<int> *list : {&n.allOf, &n.anyOf, &n.oneOf})
            next.append(list->constData(), list->size());
        for (int single : {n.notSchema, n.ifSchema, n.thenSchema, n.elseSchema})
            if (single >= 0)
                next.append(single);
        for (const Dependency &dependency : n.dependencies)
            if (dependency.schema >= 0)
                next.append(dependency.schema);
        return next;
    };
    std::vector<QVarLengthArray<int, 8>> edges;
    edges.reserve(nodes.size());
    for (int index = 0; index < int(nodes.size()); ++index)
        edges.push_back(inPlace(index));
    enum Color : quint8 { White, Grey, Black };
    std::vector<Color> color(nodes.size(), White);
    for (int start = 0; start < int(nodes.size()); ++start) {
        if (color[size_t(start)] != White)
            continue;
        // Iterative depth-first search: (node, next edge) pairs.
        std::vector<std::pair<int, int>> stack {{start, 0}};
        color[size_t(start)] = Grey;
        while (!stack.empty()) {
            auto &[current, edge] = stack.back();
            const QVarLengthArray<int, 8> &next = edges[size_t(current)];
            if (edge == next.size()) {
                color[size_t(current)] = Black;
                stack.pop_back();
                continue;
            }
            const int target = next[edge++];
            if (color[size_t(target)] == White) {
                color[size_t(target)] = Grey;
                stack.push_back({target, 0});
            } else if (color[size_t(target)] == Grey) {
                QStringList cycle;
                bool onlyRefs = true;
                auto from = std::find_if(stack.begin(), stack.end(),
                    [&](const auto &entry) { return entry.first == target; });
                for (auto it = from; it != stack.end(); ++it) {
                    const Node &n = nodes[size_t(it->first)];
                    cycle.append(n.path.isEmpty() ? QStringLiteral("#") : u'#' + n.path);
                    onlyRefs = onlyRefs && n.ref >= 0;
                }
                cycle.append(cycle.constFirst());
                m_error = SchemaError {nodes[size_t(target)].path,
                    QStringLiteral("%1 loops back to itself without consuming any of the "
                                   "instance (%2); it would never finish")
                        .arg(onlyRefs ? QStringLiteral("$ref") : QStringLiteral("this schema"),
                            cycle.join(QStringLiteral(" -> ")))};
                return false;
            }
        }
    }
    return true;
}

std::optional<SchemaError> Compiler::run(const QJsonValue &schema, Program &program)
{
    m_program = &program;
    QString rootUri = kRootUri;
    if (schema.isObject() && !schema.toObject().contains(u"$ref"))
        if (const QJsonValue id = schema.toObject().value(u"$id"); id.isString())
            rootUri = QUrl(kRootUri)
                          .resolved(QUrl(id.toString()))
                          .adjusted(QUrl::RemoveFragment)
                          .toString(QUrl::FullyEncoded);
    addDocument(rootUri, schema);
    program.root = nodeFor(locationKey(0, {}), schema);
    while (!m_queue.empty() && !m_error) {
        const Pending pending = std::move(m_queue.front());
        m_queue.pop_front();
        compile(pending);
    }
    if (!m_error)
        checkLoops();
    return m_error;
}

// Walks an instance against the program. With `errors` null it answers
// yes/no and stops at the first failure; otherwise it collects every error.
class Evaluator
{
public:
    Evaluator(const Program &program, QList<ValidationError> *errors)
        : m_program(program), m_errors(errors)
    { }

    bool eval(int index, const QJsonValue &value, int depth);

private:
    struct Segment
    {
        const QString *key = nullptr;
        qsizetype index = -1;
    };

    QString instancePath() const
    {
        QString path;
        for (const Segment &segment : m_path)
            path = segment.key ? jsonPointerAppend(path, *segment.key)
                               : jsonPointerAppend(path, segment.index);
        return path;
    }

    // Evaluates quietly (for anyOf, oneOf, not, if, contains).
    bool test(int index, const QJsonValue &value, int depth)
    {
        QList<ValidationError> *saved = std::exchange(m_errors, nullptr);
        const bool ok = eval(index, value, depth);
        m_errors = saved;
        return ok;
    }

    bool evalAt(int index, const QJsonValue &value, int depth, const QString *key, qsizetype at)
    {
        m_path.append({key, at});
        const bool ok = eval(index, value, depth + 1);
        m_path.removeLast();
        return ok;
    }

    enum class Search { NoMatch, Match, Failed };
    Search search(int pattern, const QString &text) const
    {
        const Pattern &p = m_program.patterns[size_t(pattern)];
        if (const QRegularExpressionMatch m = p.fast.match(text); m.isValid())
            return m.hasMatch() ? Search::Match : Search::NoMatch;
        if (const QRegularExpressionMatch m = p.fallback.match(text); m.isValid())
            return m.hasMatch() ? Search::Match : Search::NoMatch;
        return Search::Failed;
    }

    // Records a failure of `keyword`; true when evaluation should stop here
    // (nobody collects errors, so the first one decides).
    template<typename Message>
    bool failed(const Node &node, QStringView keyword, const Message &message)
    {
        if (!m_errors)
            return true;
        m_errors->append({instancePath(), jsonPointerAppend(node.path, keyword), message()});
        return false;
    }

    struct Bounds
    {
        QStringView noun;
        QStringView minKeyword;
        qint64 minimum;
        QStringView maxKeyword;
        qint64 maximum; ///< -1: none
    };

    // minLength/maxLength, minItems/maxItems, minProperties/maxProperties;
    // false when evaluation should stop.
    bool checkCount(const Node &node, qsizetype count, const Bounds &bounds, bool &ok)
    {
        const bool tooFew = count < bounds.minimum;
        if (!tooFew && (bounds.maximum < 0 || count <= bounds.maximum))
            return true;
        ok = false;
        return !failed(node, tooFew ? bounds.minKeyword : bounds.maxKeyword, [&] {
            return QStringLiteral("has %1 %2, %3 than %4 %5")
                .arg(count)
                .arg(bounds.noun, tooFew ? u"fewer"_qs : u"more"_qs,
                    tooFew ? bounds.minKeyword : bounds.maxKeyword)
                .arg(tooFew ? bounds.minimum : bounds.maximum);
        });
    }

    // After "matches none of the alternatives": the errors of the alternative
    // that came closest (fewest errors, not just the wrong type), so that a
    // nullable object reports what is wrong inside the object.
    void explainClosest(const QList<int> &alternatives, const QJsonValue &value, int depth)
    {
        QList<ValidationError> *collected = m_errors;
        const QString here = instancePath();
        std::optional<QList<ValidationError>> closest;
        for (const int alternative : alternatives) {
            QList<ValidationError> errors;
            m_errors = &errors;
            eval(alternative, value, depth);
            const bool wrongType = errors.size() == 1 && errors[0].instancePath == here
                && errors[0].schemaPath.endsWith(u"/type");
            if (!wrongType && (!closest || errors.size() < closest->size()))
                closest = std::move(errors);
        }
        m_errors = collected;
        if (closest)
            m_errors->append(*closest);
    }

    bool evalNumber(const Node &node, const QJsonValue &value);
    bool evalString(const Node &node, const QJsonValue &value);
    bool evalArray(const Node &node, const QJsonValue &value, int depth);
    bool evalObject(const Node &node, const QJsonValue &value, int depth);

    const Program &m_program;
    QList<ValidationError> *m_errors;
    QVarLengthArray<Segment, 32> m_path;
};

// Equal values (in the sense of jsonEqual, so 1 and 1.0 too) hash alike.
size_t jsonHash(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double: {
        const Number n = numberOf(value);
        return n.exact ? qHash(n.integer) : qHash(n.value);
    }
    case QJsonValue::String:
        return qHash(value.toString());
    case QJsonValue::Bool:
        return value.toBool() ? 1 : 2;
    case QJsonValue::Array: {
        size_t seed = 3;
        for (const QJsonValue item : value.toArray())
            seed = seed * 31 + jsonHash(item);
        return seed;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        size_t seed = 5;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            seed = seed * 31 + (qHash(it.key()) ^ jsonHash(it.value()));
        return seed;
    }
    default:
        return 0;
    }
}

// The first pair of equal items (by hash, then by comparison): n log n, so
// that uniqueItems stays cheap on long arrays.
std::optional<std::pair<qsizetype, qsizetype>> firstDuplicate(const QJsonArray &array)
{
    std::vector<std::pair<size_t, qsizetype>> hashed;
    hashed.reserve(size_t(array.size()));
    for (qsizetype i = 0; i < array.size(); ++i)
        hashed.emplace_back(jsonHash(array.at(i)), i);
    std::sort(hashed.begin(), hashed.end());
    std::optional<std::pair<qsizetype, qsizetype>> first;
    for (size_t start = 0; start < hashed.size();) {
        size_t end = start + 1;
        while (end < hashed.size() && hashed[end].first == hashed[start].first)
            ++end;
        for (size_t i = start; i < end; ++i)
            for (size_t j = i + 1; j < end; ++j)
                if (jsonEqual(array.at(hashed[i].second), array.at(hashed[j].second))
                    && (!first || hashed[j].second < first->second))
                    first = std::pair(hashed[i].second, hashed[j].second);
        start = end;
    }
    return first;
}

bool inEnum(const Node &node, const QJsonValue &value)
{
    if (node.enumStrings)
        return value.isString()
            && std::binary_search(
                node.enumStrings->begin(), node.enumStrings->end(), value.toString());
    return std::any_of(node.enumValues.begin(), node.enumValues.end(),
        [&](const QJsonValue &allowed) { return jsonEqual(allowed, value); });
}

bool Evaluator::eval(int index, const QJsonValue &value, int depth)
{
    const Node &node = m_program.nodes[size_t(index)];
    if (node.ref >= 0)
        return eval(node.ref, value, depth);
    if (node.alwaysFalse) {
        if (m_errors)
            m_errors->append(
                {instancePath(), node.path, QStringLiteral("no value is allowed here")});
        return false;
    }
    if (depth > kMaxInstanceDepth) {
        if (m_errors)
            m_errors->append({instancePath(), node.path,
                QStringLiteral("nested deeper than %1 levels").arg(kMaxInstanceDepth)});
        return false;
    }

    bool ok = true;
    const quint8 bits = typeBitsOf(value);
    if (node.types != 0 && !(node.types & bits)) {
        ok = false;
        if (failed(node, u"type", [&] {
                QStringList names;
                for (const auto &[name, bit] : kTypeNames)
                    if (node.types & bit)
                        names.append(name.toString());
                return QStringLiteral("expected %1, got %2")
                    .arg(names.join(QStringLiteral(" or ")), typeNameOf(value));
            }))
            return false;
    }
    if (node.hasConst && !jsonEqual(node.constValue, value)) {
        ok = false;
        if (failed(node, u"const", [&] {
                return QStringLiteral("must be exactly %1").arg(compactJson(node.constValue));
            }))
            return false;
    }
    if (node.hasEnum && !inEnum(node, value)) {
        ok = false;
        if (failed(node, u"enum", [&] {
                return QStringLiteral("%1 is not one of the allowed values %2")
                    .arg(compactJson(value), compactJson(node.enumValues));
            }))
            return false;
    }

    if ((node.checksNumbers && (bits & NumberBit) && !evalNumber(node, value))
        || (node.checksStrings && (bits & StringBit) && !evalString(node, value))
        || (node.checksArrays && (bits & ArrayBit) && !evalArray(node, value, depth))
        || (node.checksObjects && (bits & ObjectBit) && !evalObject(node, value, depth))) {
        ok = false;
        if (!m_errors)
            return false;
    }

    for (const int sub : node.allOf) {
        if (!eval(sub, value, depth)) {
            ok = false;
            if (!m_errors)
                return false;
        }
    }
    if (!node.anyOf.isEmpty() && std::none_of(node.anyOf.begin(), node.anyOf.end(), [&](int sub) {
            return test(sub, value, depth);
        })) {
        ok = false;
        if (failed(node, u"anyOf", [&] {
                return QStringLiteral("matches none of the %1 alternatives of anyOf")
                    .arg(node.anyOf.size());
            }))
            return false;
        explainClosest(node.anyOf, value, depth);
    }
    if (!node.oneOf.isEmpty()) {
        QVarLengthArray<qsizetype, 2> matched;
        for (qsizetype i = 0; i < node.oneOf.size() && matched.size() < 2; ++i)
            if (test(node.oneOf[i], value, depth))
                matched.append(i);
        if (matched.size() != 1) {
            ok = false;
            if (failed(node, u"oneOf", [&] {
                    return matched.isEmpty()
                        ? QStringLiteral("matches none of the %1 alternatives of oneOf")
                              .arg(node.oneOf.size())
                        : QStringLiteral("matches alternatives %1 and %2 of oneOf; exactly one "
                                         "must match")
                              .arg(matched[0])
                              .arg(matched[1]);
                }))
                return false;
            if (matched.isEmpty())
                explainClosest(node.oneOf, value, depth);
        }
    }
    if (node.notSchema >= 0 && test(node.notSchema, value, depth)) {
        ok = false;
        if (failed(node, u"not", [] { return QStringLiteral("must not match the 'not' schema"); }))
            return false;
    }
    if (node.ifSchema >= 0) {
        const int branch = test(node.ifSchema, value, depth) ? node.thenSchema : node.elseSchema;
        if (branch >= 0 && !eval(branch, value, depth))
            ok = false;
    }
    return ok;
}

bool Evaluator::evalNumber(const Node &node, const QJsonValue &value)
{
    const Number n = numberOf(value);
    bool ok = true;
    // False when evaluation should stop.
    auto check = [&](bool passes, QStringView keyword, const std::optional<Number> &limit,
                     QStringView relation) {
        if (passes)
            return true;
        ok = false;
        return !failed(node, keyword, [&] {
            return QStringLiteral("%1 %2 %3").arg(numberText(n), relation, numberText(*limit));
        });
    };
    if (node.minimum
        && !check(compareNumbers(n, *node.minimum) >= 0, u"minimum", node.minimum,
            u"is less than the minimum"))
        return false;
    if (node.maximum
        && !check(compareNumbers(n, *node.maximum) <= 0, u"maximum", node.maximum,
            u"is greater than the maximum"))
        return false;
    if (node.exclusiveMinimum
        && !check(compareNumbers(n, *node.exclusiveMinimum) > 0, u"exclusiveMinimum",
            node.exclusiveMinimum, u"must be greater than"))
        return false;
    if (node.exclusiveMaximum
        && !check(compareNumbers(n, *node.exclusiveMaximum) < 0, u"exclusiveMaximum",
            node.exclusiveMaximum, u"must be less than"))
        return false;
    if (node.multipleOf) {
        const bool finite = n.exact || std::isfinite(n.value);
        if (!check(finite && isMultipleOf(decimalOf(n), node.multipleOfDecimal), u"multipleOf",
                node.multipleOf, u"is not a multiple of"))
            return false;
    }
    return ok;
}

bool Evaluator::evalString(const Node &node, const QJsonValue &value)
{
    const QString text = value.toString();
    bool ok = true;
    if ((node.minLength > 0 || node.maxLength >= 0)
        && !checkCount(node, codePointCount(text),
            {u"characters", u"minLength", node.minLength, u"maxLength", node.maxLength}, ok))
        return false;
    if (node.pattern >= 0) {
        const Search found = search(node.pattern, text);
        if (found != Search::Match) {
            ok = false;
            if (failed(node, u"pattern", [&] {
                    const QString &source = m_program.patterns[size_t(node.pattern)].source;
                    return found == Search::Failed
                        ? QStringLiteral(
                            "the pattern '%1' could not be evaluated on this string "
                            "(the regular expression engine hit its memory or backtracking limit)")
                              .arg(source)
                        : QStringLiteral("%1 does not match the pattern '%2'")
                              .arg(compactJson(value), source);
                }))
                return false;
        }
    }
    if (node.format && !matchesFormat(*node.format, text)) {
        ok = false;
        if (failed(node, u"format", [&] {
                return QStringLiteral("%1 is not a valid %2")
                    .arg(compactJson(value), node.formatName);
            }))
            return false;
    }
    return ok;
}

bool Evaluator::evalArray(const Node &node, const QJsonValue &value, int depth)
{
    const QJsonArray array = value.toArray();
    const qsizetype size = array.size();
    bool ok = true;
    if (!checkCount(
            node, size, {u"items", u"minItems", node.minItems, u"maxItems", node.maxItems}, ok))
        return false;
    for (qsizetype i = 0; i < size; ++i) {
        int schema = node.items;
        if (node.tuple)
            schema = i < node.tupleItems.size() ? node.tupleItems[i] : node.additionalItems;
        if (schema < 0)
            continue;
        if (node.tuple && i >= node.tupleItems.size()
            && m_program.nodes[size_t(schema)].alwaysFalse) {
            ok = false;
            m_path.append({nullptr, i});
            const bool stop = failed(node, u"additionalItems", [&] {
                return QStringLiteral("no items beyond the first %1 are allowed")
                    .arg(node.tupleItems.size());
            });
            m_path.removeLast();
            if (stop)
                return false;
            break;
        }
        if (!evalAt(schema, array.at(i), depth, nullptr, i)) {
            ok = false;
            if (!m_errors)
                return false;
        }
    }
    if (node.contains >= 0) {
        bool found = false;
        for (qsizetype i = 0; i < size && !found; ++i)
            found = test(node.contains, array.at(i), depth + 1);
        if (!found) {
            ok = false;
            if (failed(node, u"contains",
                    [] { return QStringLiteral("no item matches the 'contains' schema"); }))
                return false;
        }
    }
    if (node.uniqueItems) {
        if (const auto duplicate = firstDuplicate(array)) {
            ok = false;
            if (failed(node, u"uniqueItems", [&] {
                    return QStringLiteral("items %1 and %2 are equal; items must be unique")
                        .arg(duplicate->first)
                        .arg(duplicate->second);
                }))
                return false;
        }
    }
    return ok;
}

bool Evaluator::evalObject(const Node &node, const QJsonValue &value, int depth)
{
    const QJsonObject object = value.toObject();
    bool ok = true;
    for (const QString &name : node.required) {
        if (object.contains(name))
            continue;
        ok = false;
        if (failed(node, u"required",
                [&] { return QStringLiteral("missing required property '%1'").arg(name); }))
            return false;
    }
    if (!checkCount(node, object.size(),
            {u"properties", u"minProperties", node.minProperties, u"maxProperties",
                node.maxProperties},
            ok))
        return false;
    for (const Dependency &dependency : node.dependencies) {
        if (!object.contains(dependency.property))
            continue;
        if (dependency.schema >= 0) {
            if (!eval(dependency.schema, value, depth)) {
                ok = false;
                if (!m_errors)
                    return false;
            }
            continue;
        }
        for (const QString &needed : dependency.required) {
            if (object.contains(needed))
                continue;
            ok = false;
            if (failed(node, u"dependencies", [&] {
                    return QStringLiteral("property '%1' requires property '%2'")
                        .arg(dependency.property, needed);
                }))
                return false;
        }
    }

    const bool walkProperties = !node.properties.isEmpty() || !node.patternProperties.isEmpty()
        || node.additionalProperties >= 0 || node.propertyNames >= 0;
    if (!walkProperties)
        return ok;
    const bool noAdditional = node.additionalProperties >= 0
        && m_program.nodes[size_t(node.additionalProperties)].alwaysFalse;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString name = it.key();
        const QJsonValue member = it.value();
        bool matched = false;
        const auto property = std::lower_bound(node.properties.begin(), node.properties.end(), name,
            [](const auto &entry, const QString &key) { return entry.first < key; });
        if (property != node.properties.end() && property->first == name) {
            matched = true;
            if (!evalAt(property->second, member, depth, &name, -1)) {
                ok = false;
                if (!m_errors)
                    return false;
            }
        }
        for (const auto &[pattern, schema] : node.patternProperties) {
            const Search found = search(pattern, name);
            if (found == Search::NoMatch)
                continue;
            matched = true;
            if (found == Search::Failed || !evalAt(schema, member, depth, &name, -1)) {
                ok = false;
                if (!m_errors)
                    return false;
            }
        }
        if (!matched && node.additionalProperties >= 0) {
            if (noAdditional) {
                ok = false;
                m_path.append({&name, -1});
                const bool stop = failed(node, u"additionalProperties",
                    [&] { return QStringLiteral("property '%1' is not allowed here").arg(name); });
                m_path.removeLast();
                if (stop)
                    return false;
            } else if (!evalAt(node.additionalProperties, member, depth, &name, -1)) {
                ok = false;
                if (!m_errors)
                    return false;
            }
        }
        if (node.propertyNames >= 0
            && !evalAt(node.propertyNames, QJsonValue(name), depth, &name, -1)) {
            ok = false;
            if (!m_errors)
                return false;
        }
    }
    return ok;
}

} // namespace

SchemaValidator::SchemaValidator()
{
    auto program = std::make_shared<Program>();
    program->nodes.emplace_back();
    m_program = std::move(program);
}

SchemaValidator::SchemaValidator(std::shared_ptr<const Program> program)
    : m_program(std::move(program))
{ }

SchemaCompileResult SchemaValidator::compile(const QJsonValue &schema, const Resolver &resolver)
{
    auto program = std::make_shared<Program>();
    Compiler compiler(resolver);
    if (std::optional<SchemaError> error = compiler.run(schema, *program))
        return {std::nullopt, std::move(*error)};
    return {SchemaValidator(std::move(program)), {}};
}

QList<ValidationError> SchemaValidator::validate(const QJsonValue &instance) const
{
    QList<ValidationError> errors;
    Evaluator(*m_program, &errors).eval(m_program->root, instance, 0);
    return errors;
}

bool SchemaValidator::isValid(const QJsonValue &instance) const
{
    return Evaluator(*m_program, nullptr).eval(m_program->root, instance, 0);
}

} // namespace sluice
