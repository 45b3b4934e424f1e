// Schema instances from the simulator's generator, checked with valijson (an
// independent validator) and, where valijson is known to be wrong (decimal
// multipleOf, most formats), with assertions of this test's own.
#include "schemacases.h"
#include "sim/patternsample.h"
#include "sim/schemacheck.h"
#include "sim/schemainstance.h"
#include "testdata.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

#include <valijson/adapters/qtjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

using namespace sluice::sim;
using namespace Qt::StringLiterals;

namespace {

constexpr int kSeeds = 25;

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test schema: %s", qPrintable(error.errorString()));
    return document.object();
}

// Empty when valid, else valijson's reasons.
QString validationErrors(const QJsonObject &schemaJson, const QJsonValue &instance)
{
    try {
        valijson::Schema schema;
        valijson::SchemaParser parser;
        const valijson::adapters::QtJsonAdapter schemaAdapter(schemaJson);
        parser.populateSchema(schemaAdapter, schema);
        valijson::Validator validator;
        valijson::ValidationResults results;
        const valijson::adapters::QtJsonAdapter target(instance);
        if (validator.validate(schema, target, &results))
            return QString();
        QStringList reasons;
        valijson::ValidationResults::Error error;
        while (results.popError(error)) {
            QString path;
            for (const std::string &part : error.context)
                path += QString::fromStdString(part);
            reasons.append(path + u": "_s + QString::fromStdString(error.description));
        }
        return reasons.join(u"; "_s);
    } catch (const std::exception &exception) {
        return u"valijson threw: "_s + QString::fromUtf8(exception.what());
    }
}

int depthOf(const QJsonValue &value)
{
    int deepest = 0;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            deepest = qMax(deepest, depthOf(it.value()));
        return deepest + 1;
    }
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            deepest = qMax(deepest, depthOf(item));
        return deepest + 1;
    }
    return 0;
}

} // namespace

class TestSchemaInstance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validInstances_data()
    {
        QTest::addColumn<QByteArray>("schema");
        for (const auto &[name, schema] : sluice::test::validatedSchemaCases())
            QTest::newRow(name) << QByteArray(schema);
    }

    void validInstances()
    {
        QFETCH(QByteArray, schema);
        const QJsonObject schemaJson = parseObject(schema);
        QSet<QByteArray> distinct;
        for (int seed = 0; seed < kSeeds; ++seed) {
            const QJsonValue instance = generateInstance(schemaJson, seed);
            const QByteArray text = compactJson(instance);
            const QString errors = validationErrors(schemaJson, instance);
            QVERIFY2(errors.isEmpty(),
                qPrintable(u"seed %1: %2 -> %3"_s.arg(seed).arg(QString::fromUtf8(text), errors)));
            QCOMPARE(compactJson(generateInstance(schemaJson, seed)), text); // deterministic
            distinct.insert(text);
        }
        // Different rows (seeds) give different instances, except for schemas
        // with a single valid instance.
        if (!QByteArray(QTest::currentDataTag()).startsWith("const"))
            QVERIFY2(distinct.size() > kSeeds / 2, qPrintable(QString::number(distinct.size())));
    }

    // Recursion through $ref ends (valijson validates the tree; the `#` case
    // is checked by hand, since valijson recurses forever on a root `#`).
    void recursiveTree()
    {
        const QJsonObject schema = parseObject(sluice::test::kRecursiveTreeSchema);
        bool sawGrandchild = false;
        for (int seed = 0; seed < kSeeds; ++seed) {
            const QJsonValue instance = generateInstance(schema, seed);
            const QString errors = validationErrors(schema, instance);
            QVERIFY2(errors.isEmpty(), qPrintable(errors));
            QVERIFY(depthOf(instance) < 20);
            const QJsonArray children
                = instance.toObject().value(u"root"_s).toObject().value(u"children"_s).toArray();
            for (const QJsonValue &child : children)
                sawGrandchild = sawGrandchild || depthOf(child) > 2;
        }
        QVERIFY(sawGrandchild); // it does recurse before it stops
    }

    void selfReference()
    {
        const QJsonObject schema = parseObject(sluice::test::kSelfReferenceSchema);
        for (int seed = 0; seed < kSeeds; ++seed) {
            QJsonValue node = generateInstance(schema, seed);
            int length = 0;
            while (node.isObject()) {
                const QJsonObject object = node.toObject();
                QCOMPARE(object.keys(), (QStringList {u"next"_s, u"value"_s}));
                QVERIFY(object.value(u"value"_s).isDouble());
                const double value = object.value(u"value"_s).toDouble();
                QVERIFY(value >= 0 && value <= 9 && value == std::floor(value));
                node = object.value(u"next"_s);
                ++length;
            }
            QVERIFY(node.isNull());
            QVERIFY(length >= 2 && length < 20);
        }
    }

    // valijson compares multipleOf with an absolute epsilon (wrong for 0.01):
    // here the check is exact, on the JSON text.
    void decimalMultipleOf()
    {
        const QJsonObject schema = parseObject(sluice::test::kDecimalMultipleSchema);
        static const QRegularExpression twoDecimals(u"^\\d+(\\.\\d{1,2})?$"_s);
        for (int seed = 0; seed < kSeeds; ++seed) {
            const QJsonObject instance = generateInstance(schema, seed).toObject();
            const QString price = QString::fromUtf8(compactJson(instance.value(u"price"_s)));
            QVERIFY2(twoDecimals.match(price).hasMatch(), qPrintable(price));
            QVERIFY(price.toDouble() >= 0 && price.toDouble() <= 1000);
            const double quarter = instance.value(u"quarter"_s).toDouble();
            QVERIFY(quarter > 0 && quarter <= 2 && quarter * 4 == std::floor(quarter * 4));
            const QString tiny = QString::fromUtf8(compactJson(instance.value(u"tiny"_s)));
            QVERIFY2(tiny == u"0.5" || tiny == u"0.501", qPrintable(tiny));
        }
    }

    // Formats valijson does not check, checked here by their definitions.
    void formats()
    {
        const QJsonObject schema = parseObject(sluice::test::kFormatsSchema);
        static const QRegularExpression email(
            u"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"_s);
        static const QRegularExpression uuid(
            u"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
        static const QRegularExpression hostname(
            u"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"_s);
        static const QRegularExpression duration(
            u"^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$"_s);
        for (int seed = 0; seed < kSeeds; ++seed) {
            const QJsonObject instance = generateInstance(schema, seed).toObject();
            QVERIFY(email.match(instance.value(u"email"_s).toString()).hasMatch());
            QVERIFY(uuid.match(instance.value(u"uuid"_s).toString()).hasMatch());
            const QUrl uri(instance.value(u"uri"_s).toString(), QUrl::StrictMode);
            QVERIFY(uri.isValid() && !uri.scheme().isEmpty());
            QVERIFY(hostname.match(instance.value(u"host"_s).toString()).hasMatch());
            QHostAddress v4;
            QVERIFY(v4.setAddress(instance.value(u"v4"_s).toString()));
            QCOMPARE(v4.protocol(), QAbstractSocket::IPv4Protocol);
            QHostAddress v6;
            QVERIFY(v6.setAddress(instance.value(u"v6"_s).toString()));
            QCOMPARE(v6.protocol(), QAbstractSocket::IPv6Protocol);
            QVERIFY2(duration.match(instance.value(u"duration"_s).toString()).hasMatch(),
                qPrintable(instance.value(u"duration"_s).toString()));
        }
    }

    // The generator's own check, on cases where valijson is known to be
    // wrong or silent (decimal multipleOf, ECMA escapes, draft-4 bounds).
    void schemaCheck_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QByteArray>("instance");
        QTest::addColumn<bool>("valid");
        for (const auto &[name, schema, instance, valid] : sluice::test::schemaCheckCases())
            QTest::newRow(name) << QByteArray(schema) << QByteArray(instance) << valid;
    }

    void schemaCheck()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QByteArray, instance);
        QFETCH(bool, valid);
        const QJsonObject schemaJson = parseObject(schema);
        const QJsonValue value = QJsonDocument::fromJson(instance).array().at(0);
        QCOMPARE(SchemaCheck(schemaJson).matches(value, schemaJson), valid);
    }

    // The official JSON-Schema-Test-Suite (draft 7), on every group that uses
    // only keywords the simulator knows: the check agrees with every verdict,
    // and the generator's instance passes the check whenever the suite shows
    // the schema has a valid instance. Nothing crashes on the rest.
    void officialSuite()
    {
        static const QStringList unsupported = {u"\"patternProperties\""_s, u"\"contains\""_s,
            u"\"dependencies\""_s, u"\"if\""_s, u"\"propertyNames\""_s, u"\"$id\""_s, u"http"_s};
        // Keywords beside $ref apply (as from draft 2019-09 on); draft 7 ignored them.
        static const QStringList laterDrafts = {u"ref overrides any sibling keywords"_s};
        // additionalProperties beside an allOf that declares the property:
        // merging allOf hides the distinction (a documented limit).
        static const QStringList generatorLimits
            = {u"additionalProperties does not look in applicators"_s};
        const QDir folder(sluice::test::testDataPath(u"json-schema-test-suite/tests/draft7"_s));
        const QStringList files = folder.entryList({u"*.json"_s}, QDir::Files);
        QVERIFY(files.size() > 30);
        int verdicts = 0;
        int generated = 0;
        for (const QString &name : files) {
            QFile file(folder.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QJsonArray groups = QJsonDocument::fromJson(file.readAll()).array();
            for (const QJsonValue &groupValue : groups) {
                const QJsonObject group = groupValue.toObject();
                const QJsonValue schema = group.value(u"schema"_s);
                const QJsonValue instance = generateInstance(schema, 11); // never crashes
                const QString text = QString::fromUtf8(compactJson(schema));
                if (std::any_of(unsupported.begin(), unsupported.end(),
                        [&](const QString &keyword) { return text.contains(keyword); })
                    || laterDrafts.contains(group.value(u"description"_s).toString()))
                    continue;
                const QString where = name + u": "_s + group.value(u"description"_s).toString();
                bool satisfiable = false;
                for (const QJsonValue &test : group.value(u"tests"_s).toArray()) {
                    const bool valid = test[u"valid"_s].toBool();
                    satisfiable = satisfiable || valid;
                    QVERIFY2(SchemaCheck(schema).matches(test[u"data"_s], schema) == valid,
                        qPrintable(where + u" / "_s + test[u"description"_s].toString()));
                    ++verdicts;
                }
                if (satisfiable
                    && !generatorLimits.contains(group.value(u"description"_s).toString())) {
                    QVERIFY2(SchemaCheck(schema).matches(instance, schema),
                        qPrintable(where + u" -> "_s + QString::fromUtf8(compactJson(instance))));
                    ++generated;
                }
            }
        }
        QVERIFY(verdicts > 400);
        QVERIFY(generated > 150);
    }

    void patternSamples_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::newRow("codes") << u"^[A-Z]{3}-\\d{4}$"_s;
        QTest::newRow("alternation in group") << u"^(?:red|green|blue)-[a-z]+$"_s;
        QTest::newRow("named group") << u"^(?<year>\\d{4})-(0[1-9]|1[0-2])$"_s;
        QTest::newRow("negated class") << u"^[^aeiou\\s]{5,8}$"_s;
        QTest::newRow("escapes") << u"^\\$\\d+\\.\\d\\d$"_s;
        QTest::newRow("lazy and open") << u"^a+?b*c{2,}$"_s;
        QTest::newRow("unanchored") << u"x[0-9]y"_s;
        QTest::newRow("unicode") << u"^caf\u00e9-[\u0430-\u044f]{3}$"_s;
        QTest::newRow("shorthand negations") << u"^\\D\\W\\S$"_s;
        QTest::newRow("dot") << u"^a.c$"_s;
    }

    void patternSamples()
    {
        QFETCH(QString, pattern);
        const QRegularExpression regex(pattern, QRegularExpression::UseUnicodePropertiesOption);
        QVERIFY(regex.isValid());
        for (int seed = 0; seed < kSeeds; ++seed) {
            SeededRandom random(seed);
            const auto sample = samplePattern(pattern, random);
            QVERIFY(sample.has_value());
            QVERIFY2(regex.match(*sample).hasMatch(), qPrintable(*sample));
        }
    }

    // Outside the sampler's subset: nullopt, and the generator falls back to
    // candidates it checks itself.
    void patternOutsideSubset()
    {
        SeededRandom random(1);
        QVERIFY(!samplePattern(u"^(a)\\1$"_s, random));
        QVERIFY(!samplePattern(u"^(?=x)x$"_s, random));
        QVERIFY(!samplePattern(u"^\\p{Lu}$"_s, random));
        const QJsonObject schema {{u"type"_s, u"string"_s}, {u"pattern"_s, u"^(?!b)[a-c]$"_s}};
        const QString value = generateInstance(schema, 7).toString();
        QVERIFY2(QRegularExpression(u"^(?!b)[a-c]$"_s).match(value).hasMatch(), qPrintable(value));
    }

    // ECMA's \uXXXX escape, which PCRE spells differently, in the sampler and
    // in the generator's own check.
    void ecmaUnicodeEscape()
    {
        const QJsonObject schema {
            {u"type"_s, u"string"_s}, {u"pattern"_s, u"^caf\\u00e9-\\u0430{2}$"_s}};
        QCOMPARE(generateInstance(schema, 1).toString(), u"caf\u00e9-\u0430\u0430"_s);
    }

    // Hostile sizes: the generator answers quickly and within bounds (an
    // invalid instance is acceptable there, an exhausted process is not).
    void hostileSizesStayBounded()
    {
        SeededRandom random(1);
        QVERIFY(!samplePattern(u"^a{5000}$"_s, random));
        QVERIFY(!samplePattern(u"^((a{1000}){1000})$"_s, random));
        const QJsonObject huge {{u"type"_s, u"object"_s},
            {u"properties"_s,
                QJsonObject {
                    {u"s"_s,
                        QJsonObject {{u"type"_s, u"string"_s}, {u"minLength"_s, 2'000'000'000}}},
                    {u"a"_s,
                        QJsonObject {{u"type"_s, u"array"_s}, {u"minItems"_s, 2'000'000'000},
                            {u"items"_s, QJsonObject {{u"type"_s, u"integer"_s}}}}},
                    {u"p"_s,
                        QJsonObject {{u"type"_s, u"string"_s}, {u"pattern"_s, u"^x{1000}$"_s}}}}}};
        const QJsonObject instance = generateInstance(huge, 1).toObject();
        QVERIFY(instance.value(u"s"_s).toString().size() <= 20'000);
        QVERIFY(instance.value(u"a"_s).toArray().size() <= 10'000);
        QCOMPARE(instance.value(u"p"_s).toString(), QString(1000, u'x'));
    }

    // Magnitudes beyond exact 64-bit steps: a number still comes back, in range.
    void hugeNumbers()
    {
        const QJsonObject schema {{u"type"_s, u"object"_s},
            {u"properties"_s,
                QJsonObject {{u"big"_s,
                                 QJsonObject {{u"type"_s, u"integer"_s}, {u"minimum"_s, 1e20},
                                     {u"multipleOf"_s, 1000000}}},
                    {u"huge"_s, QJsonObject {{u"type"_s, u"integer"_s}, {u"minimum"_s, 1e300}}},
                    {u"tiny"_s,
                        QJsonObject {{u"type"_s, u"number"_s}, {u"exclusiveMinimum"_s, 0},
                            {u"exclusiveMaximum"_s, 1e-12}}}}}};
        const QJsonObject instance = generateInstance(schema, 5).toObject();
        QVERIFY(instance.value(u"big"_s).toDouble() >= 1e20);
        QVERIFY(instance.value(u"huge"_s).toDouble() >= 1e300);
        const double tiny = instance.value(u"tiny"_s).toDouble();
        QVERIFY2(tiny > 0 && tiny < 1e-12, qPrintable(QString::number(tiny)));
    }

    void recursionWithoutWayOutStops()
    {
        // No branch ends the recursion: the generator must still return.
        const QJsonObject schema = parseObject(sluice::test::kNoWayOutSchema);
        const QJsonValue instance = generateInstance(schema, 3);
        QVERIFY(depthOf(instance) <= InstanceOptions().hardDepthLimit + 1);

        // Self-references through applicators, which multiply: generation and
        // check both end (these once overflowed the stack).
        for (const char *applicator : {"allOf", "anyOf", "oneOf"}) {
            const QJsonObject loop = parseObject(sluice::test::selfApplicatorSchema(applicator));
            QElapsedTimer clock;
            clock.start();
            const QJsonValue value = generateInstance(loop, 1);
            static_cast<void>(SchemaCheck(loop).matches(value, loop));
            QVERIFY2(clock.elapsed() < 5000, applicator);
        }
    }
};

QTEST_GUILESS_MAIN(TestSchemaInstance)
#include "tst_schemainstance.moc"
