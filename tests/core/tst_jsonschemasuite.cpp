#include "core/schemavalidator.h"
#include "testdata.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <array>

using namespace sluice;

namespace {

const QString kSuite = QStringLiteral("json-schema-test-suite");

// Files of the keywords structured output uses: every case passes, no skips.
const QStringList kWholeFiles = {
    QStringLiteral("type.json"),
    QStringLiteral("enum.json"),
    QStringLiteral("const.json"),
    QStringLiteral("anyOf.json"),
    QStringLiteral("properties.json"),
    QStringLiteral("required.json"),
    QStringLiteral("additionalProperties.json"),
    QStringLiteral("items.json"),
    QStringLiteral("minItems.json"),
    QStringLiteral("maxItems.json"),
    QStringLiteral("minimum.json"),
    QStringLiteral("maximum.json"),
    QStringLiteral("exclusiveMinimum.json"),
    QStringLiteral("exclusiveMaximum.json"),
    QStringLiteral("multipleOf.json"),
    QStringLiteral("pattern.json"),
    QStringLiteral("ref.json"),
    QStringLiteral("definitions.json"),
};

// Required cases known to fail, with the reason. A listed case that starts
// passing fails the test (XPASS), so the list stays honest. Keep it in step
// with docs/json-schema-suite.md.
struct Skip
{
    const char *file;
    const char *group;
    const char *test; ///< nullptr: every test of the group
    const char *reason;
};

// Today every required case passes, so the list is empty; add entries here
// (and to the document) rather than loosening the checks below.
constexpr std::array<Skip, 0> kSkips {};

const Skip *skipFor(const QString &file, const QString &group, const QString &test)
{
    for (const Skip &skip : kSkips)
        if (file == QLatin1StringView(skip.file) && group == QString::fromUtf8(skip.group)
            && (!skip.test || test == QString::fromUtf8(skip.test)))
            return &skip;
    return nullptr;
}

// Serves the suite's remotes as http://localhost:1234/ and the draft-07
// meta-schema (which the suite leaves to implementations) from test data.
std::optional<QJsonValue> suiteResolver(const QUrl &url)
{
    QString relative;
    const QString text = url.toString();
    if (text == u"http://json-schema.org/draft-07/schema")
        relative = QStringLiteral("metaschema-draft-07.json");
    else if (text.startsWith(u"http://localhost:1234/"))
        relative = QStringLiteral("remotes/") + text.mid(22);
    else
        return std::nullopt;
    QFile file(test::testDataPath(kSuite + u'/' + relative));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

struct Case
{
    QString file;
    QString group;
    QString description;
    QJsonValue schema;
    QJsonValue data;
    bool valid = false;
};

QList<Case> loadCases(const QString &folder)
{
    QList<Case> cases;
    QDir dir(test::testDataPath(kSuite + QStringLiteral("/tests/draft7/") + folder));
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(file.fileName()));
        const QJsonArray groups = QJsonDocument::fromJson(file.readAll()).array();
        const QString label = folder.isEmpty() ? name : folder + u'/' + name;
        for (const QJsonValue group : groups) {
            const QJsonObject g = group.toObject();
            for (const QJsonValue test : g.value(u"tests").toArray()) {
                const QJsonObject t = test.toObject();
                cases.append(
                    {label, g.value(u"description").toString(), t.value(u"description").toString(),
                        g.value(u"schema"), t.value(u"data"), t.value(u"valid").toBool()});
            }
        }
    }
    return cases;
}

// Passes when compile succeeds and both validate() and isValid() agree with
// the expected verdict; `why` says what went wrong otherwise.
bool runCase(const Case &c, QString *why = nullptr)
{
    const SchemaCompileResult compiled = SchemaValidator::compile(c.schema, suiteResolver);
    if (!compiled) {
        if (why)
            *why = QStringLiteral("schema error at %1: %2")
                       .arg(compiled.error.path, compiled.error.message);
        return false;
    }
    const QList<ValidationError> errors = compiled.validator->validate(c.data);
    const bool quick = compiled.validator->isValid(c.data);
    if (errors.isEmpty() == c.valid && quick == c.valid)
        return true;
    if (why) {
        *why = QStringLiteral("expected %1, validate() gave %2 error(s), isValid() %3")
                   .arg(c.valid ? u"valid"_qs : u"invalid"_qs)
                   .arg(errors.size())
                   .arg(quick);
        if (!errors.isEmpty())
            *why += QStringLiteral("; first: %1 %2").arg(errors[0].instancePath, errors[0].message);
    }
    return false;
}

} // namespace

class TestJsonSchemaSuite : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void required_data()
    {
        QTest::addColumn<int>("index");
        m_required = loadCases({});
        QVERIFY(m_required.size() > 900);
        for (qsizetype i = 0; i < m_required.size(); ++i) {
            const Case &c = m_required[i];
            QTest::addRow(
                "%s: %s / %s", qPrintable(c.file), qPrintable(c.group), qPrintable(c.description))
                << int(i);
        }
    }

    void required()
    {
        QFETCH(int, index);
        const Case &c = m_required[index];
        if (const Skip *skip = skipFor(c.file, c.group, c.description))
            QEXPECT_FAIL("", skip->reason, Abort);
        QString why;
        QVERIFY2(runCase(c, &why), qPrintable(why));
    }

    void skipsAreNotInWholeFiles()
    {
        for (const Skip &skip : kSkips)
            QVERIFY2(!kWholeFiles.contains(QLatin1StringView(skip.file)), skip.file);
    }

    void requiredPassRate()
    {
        const QList<Case> cases = loadCases({});
        qsizetype passed = 0;
        for (const Case &c : cases)
            passed += runCase(c) ? 1 : 0;
        qInfo("draft7 required: %lld of %lld pass (%.1f%%)", qint64(passed), qint64(cases.size()),
            100.0 * double(passed) / double(cases.size()));
        QVERIFY(double(passed) >= 0.97 * double(cases.size()));
    }

    // Informational: optional tests are not required to pass.
    void optionalReport()
    {
        for (const QString &folder :
            {QStringLiteral("optional"), QStringLiteral("optional/format")}) {
            const QList<Case> cases = loadCases(folder);
            QMap<QString, std::pair<int, int>> perFile;
            for (const Case &c : cases) {
                auto &[passed, total] = perFile[c.file];
                ++total;
                if (runCase(c))
                    ++passed;
                else if (qEnvironmentVariableIsSet("SLUICE_SUITE_VERBOSE"))
                    qInfo("optional miss: %s: %s / %s", qPrintable(c.file), qPrintable(c.group),
                        qPrintable(c.description));
            }
            int passed = 0;
            int total = 0;
            for (auto it = perFile.cbegin(); it != perFile.cend(); ++it) {
                qInfo("%s: %d of %d", qPrintable(it.key()), it.value().first, it.value().second);
                passed += it.value().first;
                total += it.value().second;
            }
            qInfo("draft7 %s: %d of %d pass", qPrintable(folder), passed, total);
        }
    }

private:
    QList<Case> m_required;
};

QTEST_APPLESS_MAIN(TestJsonSchemaSuite)
#include "tst_jsonschemasuite.moc"
