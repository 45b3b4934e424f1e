#include "core/schemavalidator.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sluice;

namespace {

// Parses a JSON text that may be a scalar (QJsonDocument only takes arrays
// and objects at the top).
QJsonValue json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument document
        = QJsonDocument::fromJson(QByteArray("[") + text + QByteArray("]"), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s (%s)", text, qPrintable(error.errorString()));
    return document.array().at(0);
}

SchemaValidator compiled(const char *schema)
{
    const SchemaCompileResult result = SchemaValidator::compile(json(schema));
    if (!result)
        qFatal("schema %s rejected: %s %s", schema, qPrintable(result.error.path),
            qPrintable(result.error.message));
    return *result.validator;
}

// Both entry points must agree; returns the verdict.
bool accepts(const SchemaValidator &validator, const QJsonValue &instance)
{
    const bool quick = validator.isValid(instance);
    const bool full = validator.validate(instance).isEmpty();
    if (quick != full)
        qFatal("isValid() and validate() disagree");
    return quick;
}

} // namespace

class TestSchemaValidator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // valijson's Qt adapter read integers through 32 bits.
    void largeIntegersAreIntegers();
    // Qt 6.4 keeps integer literals up to 2^63-1 exact; they must not be
    // compared through doubles, where 2^53 + 1 == 2^53.
    void beyondTwoToThe53IsExact();
    // valijson compared with an absolute epsilon: ordinary prices failed.
    void decimalMultipleOfPrices();
    // valijson truncated the instance for integer divisors.
    void integerDivisorMultipleOf();
    // std::regex worked on UTF-8 bytes: "." was not a character.
    void dotMatchesOneCharacter();
    // std::regex threw at validation time on \p{...}.
    void unicodePropertyPatterns();
    // std::regex overflowed the stack (SIGSEGV) on tens of thousands of
    // characters; QRegularExpression's JIT gives up silently on its own stack
    // limit, so the validator falls back to the heap-based interpreter.
    void longStringAgainstPattern();
    // Catastrophic backtracking ends at PCRE2's limits with an explicit error.
    void backtrackingIsBounded();
    // valijson recursed until the process died.
    void referenceLoopsAreSchemaErrors();
    // Recursion that moves into the instance is fine, however deep.
    void recursiveSchemasValidate();
    // valijson measured strings with an embedded NUL short.
    void embeddedNulIsMeasured();
    // format asserts on strings only, so a nullable formatted field takes null.
    void nullableFormatAcceptsNull();
    void formats_data();
    void formats();
    void errorPathsAreJsonPointers();
    // A failed anyOf also shows what is wrong inside the closest alternative.
    void anyOfExplainsTheClosestAlternative();
    // Long string enums are looked up, not scanned; mixed enums compare as JSON.
    void enums();
    // uniqueItems compares as JSON (1 == 1.0, key order free) and scales to long arrays.
    void uniqueItems();
    void localReferencesResolve();
    // The product resolves nothing outside the schema itself.
    void remoteReferencesAreRejected();
    void badSchemasNameThePlace();
    void reusableAndCopyable();
};

// Bodies outside the class: moc (Qt 6.4) misreads raw string literals and
// stops seeing a class that contains them.

void TestSchemaValidator::largeIntegersAreIntegers()
{
    const SchemaValidator timestamp = compiled(R"({"type": "integer", "minimum": 0})");
    QVERIFY(accepts(timestamp, json("1732924800123"))); // milliseconds since 1970
    QVERIFY(accepts(timestamp, json("9223372036854775807")));
    QVERIFY(!accepts(timestamp, json("-1732924800123")));
    QVERIFY(!accepts(timestamp, json("1732924800123.5")));
    QVERIFY(accepts(timestamp, json("1.0"))); // draft 7: a zero fraction is an integer

    const SchemaValidator bounded = compiled(R"({"maximum": 4102444800000})");
    QVERIFY(accepts(bounded, json("4102444800000")));
    QVERIFY(!accepts(bounded, json("4102444800001")));
}

void TestSchemaValidator::beyondTwoToThe53IsExact()
{
    QCOMPARE(json("9007199254740993").toInteger(), Q_INT64_C(9007199254740993));
    const SchemaValidator maximum = compiled(R"({"maximum": 9007199254740992})");
    QVERIFY(accepts(maximum, json("9007199254740992")));
    QVERIFY(!accepts(maximum, json("9007199254740993")));
    const SchemaValidator exact = compiled(R"({"const": 9007199254740993})");
    QVERIFY(accepts(exact, json("9007199254740993")));
    QVERIFY(!accepts(exact, json("9007199254740992")));
    const SchemaValidator choices = compiled(R"({"enum": [9007199254740993, 1]})");
    QVERIFY(!accepts(choices, json("9007199254740992")));
    QVERIFY(accepts(choices, json("1.0")));
    // Against a fractional bound the integer is not rounded first.
    const SchemaValidator below = compiled(R"({"exclusiveMaximum": 9007199254740993.0})");
    QVERIFY(accepts(below, json("9007199254740991")));
    // Beyond 2^63 Qt hands over a double: such values compare as doubles.
    QVERIFY(json("18446744073709551616").toInteger(-1) == -1);
    QVERIFY(accepts(compiled(R"({"type": "integer"})"), json("18446744073709551616")));
}

void TestSchemaValidator::decimalMultipleOfPrices()
{
    const SchemaValidator cents = compiled(R"({"type": "number", "multipleOf": 0.01})");
    for (const char *price : {"19.99", "0.07", "1234567.89", "0.1", "100", "-3.3", "0"})
        QVERIFY2(accepts(cents, json(price)), price);
    for (const char *price : {"19.999", "0.001", "1e-5", "3.14159"})
        QVERIFY2(!accepts(cents, json(price)), price);
    for (int amount = 0; amount <= 100000; amount += 7) {
        const double price = amount / 100.0;
        QVERIFY2(accepts(cents, QJsonValue(price)), qPrintable(QString::number(price)));
    }
    QVERIFY(accepts(compiled(R"({"multipleOf": 0.1})"), json("0.3")));
    QVERIFY(accepts(compiled(R"({"multipleOf": 0.0001})"), json("0.0075")));
    QVERIFY(!accepts(compiled(R"({"multipleOf": 0.0001})"), json("0.00751")));
    QVERIFY(accepts(compiled(R"({"multipleOf": 1e-8})"), json("12391239123")));
    QVERIFY(!accepts(compiled(R"({"multipleOf": 0.123456789})"), json("1e308")));
}

void TestSchemaValidator::integerDivisorMultipleOf()
{
    const SchemaValidator byThree = compiled(R"({"multipleOf": 3})");
    QVERIFY(accepts(byThree, json("9")));
    QVERIFY(!accepts(byThree, json("10")));
    QVERIFY(!accepts(byThree, json("9.5")));
    QVERIFY(!accepts(byThree, json("3.0000001")));
    QVERIFY(accepts(byThree, json("9007199254740993"))); // 3 * 3002399751580331
    QVERIFY(!accepts(byThree, json("9007199254740994")));
    QVERIFY(accepts(compiled(R"({"multipleOf": 1.5})"), json("-4.5")));
    QVERIFY(!accepts(compiled(R"({"multipleOf": 2})"), json("7")));
}

void TestSchemaValidator::dotMatchesOneCharacter()
{
    const SchemaValidator one = compiled(R"({"pattern": "^.$"})");
    QVERIFY(accepts(one, QJsonValue(u"é"_qs)));
    QVERIFY(accepts(one, QJsonValue(u"日"_qs)));
    QVERIFY(accepts(one, QJsonValue(u"😀"_qs))); // outside the BMP: one code point
    QVERIFY(!accepts(one, QJsonValue(u"ab"_qs)));
}

void TestSchemaValidator::unicodePropertyPatterns()
{
    const SchemaValidator letters = compiled(R"({"pattern": "^\\p{L}+$"})");
    QVERIFY(accepts(letters, QJsonValue(u"héllo"_qs)));
    QVERIFY(accepts(letters, QJsonValue(u"Ωμέγα"_qs)));
    QVERIFY(!accepts(letters, QJsonValue(u"abc1"_qs)));
    QVERIFY(accepts(compiled(R"({"pattern": "^\\p{Letter}+$"})"), QJsonValue(u"ça"_qs)));
    // ECMA-262: \d is ASCII only, \s includes Unicode spaces, $ is the very end.
    const SchemaValidator digits = compiled(R"({"pattern": "^\\d+$"})");
    QVERIFY(accepts(digits, QJsonValue(u"42"_qs)));
    QVERIFY(!accepts(digits, QJsonValue(u"৪২"_qs)));
    QVERIFY(!accepts(digits, QJsonValue(u"42\n"_qs)));
    QVERIFY(accepts(compiled(R"({"pattern": "^\\s$"})"), QJsonValue(u"\u00a0"_qs)));
}

void TestSchemaValidator::longStringAgainstPattern()
{
    const QJsonValue longText(QString(100'000, u'a'));
    QVERIFY(accepts(compiled(R"({"pattern": "^(a|b)*$"})"), longText));
    QVERIFY(accepts(compiled(R"({"pattern": "(.)*"})"), longText));
    QVERIFY(accepts(compiled(R"({"pattern": "^[a-z]+$", "maxLength": 100000})"), longText));
    const SchemaValidator endsInC = compiled(R"({"pattern": "^(a|b)*c$"})");
    const QList<ValidationError> errors = endsInC.validate(longText);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors[0].schemaPath, u"/pattern"_qs);
}

void TestSchemaValidator::referenceLoopsAreSchemaErrors()
{
    const SchemaCompileResult root = SchemaValidator::compile(json(R"({"$ref": "#"})"));
    QVERIFY(!root);
    QVERIFY2(root.error.message.contains(u"$ref loops back"), qPrintable(root.error.message));

    const SchemaCompileResult pair = SchemaValidator::compile(json(R"({
        "$ref": "#/definitions/a",
        "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}
    })"));
    QVERIFY(!pair);
    QVERIFY2(pair.error.message.contains(u"#/definitions/a -> #/definitions/b"),
        qPrintable(pair.error.message));

    const SchemaCompileResult throughAnyOf = SchemaValidator::compile(
        json(R"({"$defs": {"a": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/a"}]}},
                 "properties": {"x": {"$ref": "#/$defs/a"}}})"));
    QVERIFY(!throughAnyOf);
    QCOMPARE(throughAnyOf.error.path, u"/$defs/a"_qs);
}

void TestSchemaValidator::recursiveSchemasValidate()
{
    const SchemaValidator tree = compiled(R"({
        "$defs": {"node": {"type": "object", "required": ["value"],
            "properties": {"value": {"type": "integer"},
                           "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            "additionalProperties": false}},
        "$ref": "#/$defs/node"
    })");
    QJsonObject leaf {{u"value"_qs, 1}};
    QJsonObject deep = leaf;
    for (int level = 0; level < 200; ++level)
        deep = QJsonObject {{u"value"_qs, level}, {u"children"_qs, QJsonArray {deep}}};
    QVERIFY(accepts(tree, deep));
    QVERIFY(!accepts(tree, QJsonObject {{u"value"_qs, u"x"_qs}}));

    QJsonValue tooDeep = QJsonArray {};
    for (int level = 0; level < 1500; ++level)
        tooDeep = QJsonArray {tooDeep};
    const SchemaValidator nested = compiled(R"({"items": {"$ref": "#"}})");
    QVERIFY(!accepts(nested, tooDeep));
    QVERIFY(nested.validate(tooDeep).constFirst().message.contains(u"nested deeper"));
}

void TestSchemaValidator::embeddedNulIsMeasured()
{
    const QJsonValue text(QString::fromUtf16(u"a\0b", 3));
    QCOMPARE(text.toString().size(), 3);
    QVERIFY(accepts(compiled(R"({"minLength": 3})"), text));
    QVERIFY(!accepts(compiled(R"({"maxLength": 2})"), text));
    QVERIFY(accepts(compiled(R"({"const": "a\u0000b"})"), text));
    QVERIFY(!accepts(compiled(R"({"const": "a"})"), text));
    // Lengths count code points: one emoji is one character.
    QVERIFY(!accepts(compiled(R"({"minLength": 2})"), QJsonValue(u"😀"_qs)));
}

void TestSchemaValidator::nullableFormatAcceptsNull()
{
    const SchemaValidator when = compiled(R"({"type": ["string", "null"], "format": "date-time"})");
    QVERIFY(accepts(when, QJsonValue(QJsonValue::Null)));
    QVERIFY(accepts(when, QJsonValue(u"2024-02-29T23:59:60Z"_qs)));
    QVERIFY(!accepts(when, QJsonValue(u"2023-02-29T12:00:00Z"_qs)));
    QVERIFY(!accepts(when, QJsonValue(u"yesterday"_qs)));
    QVERIFY(!accepts(when, QJsonValue(42)));
    QVERIFY(accepts(compiled(R"({"format": "email"})"), QJsonValue(42)));
}

void TestSchemaValidator::formats_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    const auto row = [](const char *format, const QString &text, bool valid) {
        QTest::addRow("%s %s", format, qPrintable(text))
            << QString::fromLatin1(format) << text << valid;
    };
    row("date", u"2024-02-29"_qs, true);
    row("date", u"2023-02-29"_qs, false);
    row("time", u"08:30:06.283185Z"_qs, true);
    row("time", u"08:30:06"_qs, false);
    row("duration", u"P1Y2M3DT4H5M6S"_qs, true);
    row("duration", u"P2W"_qs, true);
    row("duration", u"PT"_qs, false);
    row("duration", u"P1H"_qs, false);
    row("email", u"joe.bloggs@example.com"_qs, true);
    row("email", u"te..st@example.com"_qs, false);
    row("hostname", u"www.example.com"_qs, true);
    row("hostname", u"-bad.example"_qs, false);
    row("ipv4", u"192.168.0.1"_qs, true);
    row("ipv4", u"192.168.0.01"_qs, false);
    row("ipv6", u"::ffff:192.168.0.1"_qs, true);
    row("ipv6", u"1::2::3"_qs, false);
    row("uuid", u"2EB8AA08-AA98-11EA-B4AA-73B441D16380"_qs, true);
    row("uuid", u"2eb8aa08-aa98-11ea-b4aa-73b441d1638"_qs, false);
    row("uri", u"https://example.com/a?b=c#d"_qs, true);
    row("uri", u"/relative/path"_qs, false);
}

void TestSchemaValidator::formats()
{
    QFETCH(QString, format);
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const SchemaCompileResult result
        = SchemaValidator::compile(QJsonObject {{u"format"_qs, format}});
    QVERIFY(result);
    QCOMPARE(accepts(*result.validator, QJsonValue(text)), valid);
}

void TestSchemaValidator::errorPathsAreJsonPointers()
{
    const SchemaValidator order = compiled(R"({
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {
                "type": "object", "required": ["sku", "price"],
                "properties": {"sku": {"type": "string"},
                               "price": {"type": "number", "multipleOf": 0.01}},
                "additionalProperties": false}},
            "a/b~c": {"type": "integer"}
        },
        "required": ["items"]
    })");
    const QJsonValue instance = json(R"({
        "items": [{"sku": "x", "price": 1.5}, {"sku": 7, "price": 19.999, "extra": true}, {}],
        "a/b~c": "nope"
    })");
    const QList<ValidationError> errors = order.validate(instance);
    QStringList seen;
    for (const ValidationError &error : errors)
        seen.append(error.instancePath + u' ' + error.schemaPath);
    const QStringList expected = {
        u"/a~1b~0c /properties/a~1b~0c/type"_qs,
        u"/items/1/sku /properties/items/items/properties/sku/type"_qs,
        u"/items/1/price /properties/items/items/properties/price/multipleOf"_qs,
        u"/items/1/extra /properties/items/items/additionalProperties"_qs,
        u"/items/2 /properties/items/items/required"_qs,
        u"/items/2 /properties/items/items/required"_qs,
    };
    QCOMPARE(seen.size(), expected.size());
    for (const QString &line : expected)
        QVERIFY2(seen.contains(line), qPrintable(seen.join(u'\n')));
    QVERIFY(errors.constLast().message.contains(u"missing required property"));
    const auto root = compiled(R"({"type": "object"})").validate(QJsonArray {});
    QCOMPARE(root.size(), 1);
    QCOMPARE(root[0].instancePath, QString());
    QCOMPARE(root[0].message, u"expected object, got array"_qs);
}

void TestSchemaValidator::localReferencesResolve()
{
    const SchemaValidator escaped = compiled(R"({
        "$defs": {"tilde~field": {"type": "integer"}, "slash/field": {"type": "string"},
                  "percent%field": {"type": "boolean"}},
        "definitions": {"legacy": {"minimum": 10}},
        "properties": {
            "a": {"$ref": "#/$defs/tilde~0field"},
            "b": {"$ref": "#/$defs/slash~1field"},
            "c": {"$ref": "#/$defs/percent%25field"},
            "d": {"$ref": "#/definitions/legacy"}
        }
    })");
    QVERIFY(accepts(escaped, json(R"({"a": 1, "b": "x", "c": true, "d": 11})")));
    QVERIFY(!accepts(escaped, json(R"({"a": "1"})")));
    QVERIFY(!accepts(escaped, json(R"({"d": 9})")));
    const SchemaValidator byId = compiled(R"({
        "$id": "https://example.com/order.json",
        "definitions": {"money": {"$id": "#money", "type": "number"},
                        "sku": {"$id": "sku.json", "type": "string"}},
        "properties": {"total": {"$ref": "#money"}, "sku": {"$ref": "sku.json"}}
    })");
    QVERIFY(accepts(byId, json(R"({"total": 3.5, "sku": "A-1"})")));
    QVERIFY(!accepts(byId, json(R"({"total": "3.5"})")));
}

void TestSchemaValidator::remoteReferencesAreRejected()
{
    const SchemaCompileResult remote = SchemaValidator::compile(
        json(R"({"properties": {"x": {"$ref": "https://example.com/x.json"}}})"));
    QVERIFY(!remote);
    QCOMPARE(remote.error.path, u"/properties/x/$ref"_qs);
    QVERIFY2(remote.error.message.contains(u"only references inside the schema"),
        qPrintable(remote.error.message));
    const SchemaCompileResult missing
        = SchemaValidator::compile(json(R"({"$ref": "#/$defs/nothing"})"));
    QVERIFY(!missing);
    QVERIFY(missing.error.message.contains(u"nothing at that path"));
}

void TestSchemaValidator::badSchemasNameThePlace()
{
    const SchemaCompileResult badType
        = SchemaValidator::compile(json(R"({"properties": {"a": {"type": "text"}}})"));
    QVERIFY(!badType);
    QCOMPARE(badType.error.path, u"/properties/a/type"_qs);
    const SchemaCompileResult badPattern
        = SchemaValidator::compile(json(R"({"items": {"pattern": "(unclosed"}})"));
    QVERIFY(!badPattern);
    QCOMPARE(badPattern.error.path, u"/items/pattern"_qs);
    QVERIFY(badPattern.error.message.contains(u"not a valid regular expression"));
    const SchemaCompileResult badCount = SchemaValidator::compile(json(R"({"minItems": -1})"));
    QVERIFY(!badCount);
    QCOMPARE(badCount.error.path, u"/minItems"_qs);
    QVERIFY(!SchemaValidator::compile(json("3")));
}

void TestSchemaValidator::reusableAndCopyable()
{
    const SchemaValidator original = compiled(R"({"type": "integer"})");
    const SchemaValidator copy = original;
    for (int i = 0; i < 1000; ++i)
        QVERIFY(copy.isValid(QJsonValue(i)));
    QVERIFY(!original.isValid(QJsonValue(u"x"_qs)));
    QVERIFY(SchemaValidator().isValid(json(R"({"anything": [1, 2]})")));
}

void TestSchemaValidator::anyOfExplainsTheClosestAlternative()
{
    const SchemaValidator nullableAddress = compiled(R"({"properties": {"address": {"anyOf": [
        {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}},
        {"type": "null"}]}}})");
    QList<ValidationError> errors = nullableAddress.validate(json(R"({"address": {"city": 5}})"));
    QCOMPARE(errors.size(), 2);
    QCOMPARE(errors[0].instancePath, u"/address"_qs);
    QCOMPARE(errors[0].schemaPath, u"/properties/address/anyOf"_qs);
    QCOMPARE(errors[1].instancePath, u"/address/city"_qs);
    QCOMPARE(errors[1].schemaPath, u"/properties/address/anyOf/0/properties/city/type"_qs);
    errors = nullableAddress.validate(json(R"({"address": 3})"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors[0].message, u"matches none of the 2 alternatives of anyOf"_qs);
    QVERIFY(nullableAddress.isValid(json(R"({"address": null})")));
}

void TestSchemaValidator::enums()
{
    QJsonArray values;
    for (int i = 999; i >= 0; --i)
        values.append(u"v"_qs + QString::number(i));
    const SchemaCompileResult many = SchemaValidator::compile(QJsonObject {{u"enum"_qs, values}});
    QVERIFY(many);
    QVERIFY(accepts(*many.validator, QJsonValue(u"v500"_qs)));
    QVERIFY(accepts(*many.validator, QJsonValue(u"v0"_qs)));
    QVERIFY(!accepts(*many.validator, QJsonValue(u"v1000"_qs)));
    QVERIFY(!accepts(*many.validator, QJsonValue(500)));
    const SchemaValidator mixed = compiled(R"({"enum": ["a", 1, null, {"k": [1.0]}]})");
    QVERIFY(accepts(mixed, json("1.0")));
    QVERIFY(accepts(mixed, json(R"({"k": [1]})")));
    QVERIFY(accepts(mixed, json("null")));
    QVERIFY(!accepts(mixed, json("false")));
    QVERIFY(!accepts(mixed, json(R"("b")")));
}

void TestSchemaValidator::backtrackingIsBounded()
{
    const SchemaValidator nested = compiled(R"({"pattern": "^(a+)+$"})");
    const QJsonValue text(QString(5000, u'a') + u'b');
    QElapsedTimer timer;
    timer.start();
    const QList<ValidationError> errors = nested.validate(text);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].message.contains(u"could not be evaluated"), qPrintable(errors[0].message));
    QVERIFY(timer.elapsed() < 10'000);
}

void TestSchemaValidator::uniqueItems()
{
    const SchemaValidator unique = compiled(R"({"uniqueItems": true})");
    QVERIFY(!accepts(unique, json("[1, 2, 1.0]")));
    QVERIFY(!accepts(unique, json(R"([{"a": 1, "b": [2]}, {"b": [2.0], "a": 1}])")));
    QVERIFY(accepts(unique, json(R"([1, true, "1", [1], {"1": 1}, null])")));
    QJsonArray many;
    for (int i = 0; i < 20000; ++i)
        many.append(i);
    QVERIFY(accepts(unique, many));
    many.append(3);
    const QList<ValidationError> errors = unique.validate(many);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors[0].message, u"items 3 and 20000 are equal; items must be unique"_qs);
}

QTEST_APPLESS_MAIN(TestSchemaValidator)
#include "tst_schemavalidator.moc"
