#include "core/strictschemalinter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sluice;

namespace {

QJsonValue json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s (%s)", text, qPrintable(error.errorString()));
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

// "path rule" for each finding, in order.
QStringList summary(const StrictLintReport &report)
{
    QStringList lines;
    for (const LintFinding &finding : report.findings)
        lines.append(finding.path + u' ' + finding.rule);
    return lines;
}

// An object of `count` required string properties, as strict mode wants it.
QJsonObject strictObject(int count, const QString &prefix = u"field"_qs)
{
    QJsonObject properties;
    QJsonArray required;
    for (int i = 0; i < count; ++i) {
        const QString name = prefix + QString::number(i);
        properties.insert(name, QJsonObject {{u"type"_qs, u"string"_qs}});
        required.append(name);
    }
    return {{u"type"_qs, u"object"_qs}, {u"properties"_qs, properties}, {u"required"_qs, required},
        {u"additionalProperties"_qs, false}};
}

const char kGood[] = R"({
    "type": "object",
    "description": "An invoice line",
    "properties": {
        "sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d+$"},
        "price": {"type": "number", "minimum": 0, "multipleOf": 0.01},
        "due": {"type": ["string", "null"], "format": "date"},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "maxItems": 5},
        "child": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}
    },
    "required": ["sku", "price", "due", "tags", "child"],
    "additionalProperties": false,
    "$defs": {
        "node": {"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#/$defs/node"},
                 {"type": "null"}]}}, "required": ["next"], "additionalProperties": false}
    }
})";

} // namespace

class TestStrictSchemaLinter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptableSchemaPasses();
    void rootMustBeAnObject();
    void everyObjectIsClosedAndFullyRequired();
    void forbiddenAndUnsupportedKeywords();
    void limitsAreData();
    void nestingDepth();
    void enumValuesAndCharacters();
    void booleanAndTypelessSchemas();
};

// Bodies outside the class: moc (Qt 6.4) misreads raw string literals and
// stops seeing a class that contains them.

void TestStrictSchemaLinter::acceptableSchemaPasses()
{
    const StrictLintReport report = StrictSchemaLinter().lint(json(kGood));
    QVERIFY2(report.passes(), qPrintable(summary(report).join(u'\n')));
}

void TestStrictSchemaLinter::rootMustBeAnObject()
{
    const StrictLintReport anyOf = StrictSchemaLinter().lint(
        json(R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})"));
    QVERIFY(!anyOf.passes());
    QCOMPARE(summary(anyOf).constFirst(), u" root-any-of"_qs);
    const StrictLintReport array
        = StrictSchemaLinter().lint(json(R"({"type": "array", "items": {"type": "string"}})"));
    QCOMPARE(summary(array), QStringList {u" root-not-object"_qs});
    QVERIFY(array.findings[0].message.contains(u"wrap the answer in a property"));
}

void TestStrictSchemaLinter::everyObjectIsClosedAndFullyRequired()
{
    const StrictLintReport report = StrictSchemaLinter().lint(json(R"({
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "address": {"type": "object", "properties": {"city": {"type": "string"}},
                        "required": ["city"], "additionalProperties": true}
        },
        "required": ["address"]
    })"));
    QCOMPARE(summary(report),
        (QStringList {
            u" additional-properties"_qs,
            u"/properties/address/additionalProperties additional-properties"_qs,
            u"/properties/name required-all"_qs,
        }));
    QVERIFY(report.findings[2].message.contains(u"add \"name\" to \"required\""));
    QVERIFY(report.findings[2].message.contains(u"null"));
}

void TestStrictSchemaLinter::forbiddenAndUnsupportedKeywords()
{
    const StrictLintReport report = StrictSchemaLinter().lint(json(R"({
        "type": "object",
        "properties": {
            "a": {"allOf": [{"type": "string"}]},
            "b": {"type": "string", "minLength": 2},
            "c": {"type": "object", "patternProperties": {"^x": {"type": "string"}},
                  "additionalProperties": false},
            "d": {"type": "string", "format": "uri"},
            "e": {"$ref": "https://example.com/schema.json"},
            "f": {"type": "text"},
            "g": {"type": "array", "items": [{"type": "string"}]}
        },
        "required": ["a", "b", "c", "d", "e", "f", "g"],
        "additionalProperties": false,
        "if": {"required": ["a"]}, "then": {"required": ["b"]}
    })"));
    const QStringList lines = summary(report);
    for (const char *expected : {
             "/if keyword-forbidden",
             "/then keyword-forbidden",
             "/properties/a/allOf keyword-forbidden",
             "/properties/b/minLength keyword-unsupported",
             "/properties/c/patternProperties keyword-forbidden",
             "/properties/d/format format-unsupported",
             "/properties/e/$ref ref-not-local",
             "/properties/f/type type-unknown",
             "/properties/g/items items-tuple",
         })
        QVERIFY2(lines.contains(QString::fromLatin1(expected)),
            qPrintable(expected + u"\nnot in:\n"_qs + lines.join(u'\n')));
    QVERIFY(!report.passes());
}

void TestStrictSchemaLinter::limitsAreData()
{
    QCOMPARE(StrictLimits::openAiCurrent().maxProperties, 5000);
    QCOMPARE(StrictLimits::openAiCurrent().maxNestingDepth, 10);
    QCOMPARE(StrictLimits::openAiCurrent().maxEnumValues, 1000);
    QCOMPARE(StrictLimits::openAiCurrent().maxTotalCharacters, 120000);
    QCOMPARE(StrictLimits::openAiEarlier().maxProperties, 100);
    QCOMPARE(StrictLimits::openAiEarlier().maxNestingDepth, 5);

    const QJsonObject wide = strictObject(150);
    QVERIFY(StrictSchemaLinter(StrictLimits::openAiCurrent()).lint(wide).passes());
    const StrictLintReport earlier = StrictSchemaLinter(StrictLimits::openAiEarlier()).lint(wide);
    QCOMPARE(summary(earlier), QStringList {u" limit-properties"_qs});
    QVERIFY(earlier.findings[0].message.contains(u"150"));
    QVERIFY(earlier.findings[0].message.contains(u"100"));
    QVERIFY(!StrictSchemaLinter().lint(strictObject(5001)).passes());
}

void TestStrictSchemaLinter::nestingDepth()
{
    QJsonObject nested = strictObject(1);
    for (int level = 1; level < 7; ++level) {
        QJsonObject outer = strictObject(0);
        outer.insert(u"properties"_qs, QJsonObject {{u"inner"_qs, nested}});
        outer.insert(u"required"_qs, QJsonArray {u"inner"_qs});
        nested = outer;
    }
    QVERIFY(StrictSchemaLinter().lint(nested).passes()); // 7 levels
    const StrictLintReport earlier = StrictSchemaLinter(StrictLimits::openAiEarlier()).lint(nested);
    QCOMPARE(earlier.findings.size(), 1);
    QCOMPARE(earlier.findings[0].rule, u"limit-nesting"_qs);
    QCOMPARE(earlier.findings[0].path,
        u"/properties/inner/properties/inner/properties/inner"
        u"/properties/inner/properties/inner/properties/inner"_qs);
}

void TestStrictSchemaLinter::enumValuesAndCharacters()
{
    QJsonArray many;
    for (int i = 0; i < 1001; ++i)
        many.append(QString::number(i));
    QJsonObject schema = strictObject(1);
    schema.insert(u"properties"_qs,
        QJsonObject {{u"field0"_qs, QJsonObject {{u"type"_qs, u"string"_qs}, {u"enum"_qs, many}}}});
    QCOMPARE(summary(StrictSchemaLinter().lint(schema)), QStringList {u" limit-enum-values"_qs});

    StrictLimits tight = StrictLimits::openAiCurrent();
    tight.maxTotalCharacters = 20;
    const QJsonObject names = strictObject(3, u"a_long_name_"_qs); // 3 x 13 characters
    const StrictLintReport report = StrictSchemaLinter(tight).lint(names);
    QCOMPARE(summary(report), QStringList {u" limit-characters"_qs});
    QVERIFY(report.findings[0].message.contains(u"39"));
}

void TestStrictSchemaLinter::booleanAndTypelessSchemas()
{
    const StrictLintReport report = StrictSchemaLinter().lint(json(R"({
        "type": "object",
        "properties": {"anything": true, "vague": {"description": "something"}},
        "required": ["anything", "vague"],
        "additionalProperties": false
    })"));
    QCOMPARE(summary(report),
        (QStringList {
            u"/properties/anything boolean-schema"_qs, u"/properties/vague type-missing"_qs}));
}

QTEST_APPLESS_MAIN(TestStrictSchemaLinter)
#include "tst_strictschemalinter.moc"
