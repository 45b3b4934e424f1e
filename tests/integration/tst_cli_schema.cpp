#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

namespace {

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliRun runCli(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
    if (!process.waitForFinished(30'000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
        process.readAllStandardOutput(), process.readAllStandardError()};
}

QList<QByteArray> lines(const QByteArray &text)
{
    return text.trimmed().split('\n');
}

// Each run must end with exit 2 and exactly one line on stderr, none on stdout.
void verifyUsageErrors(const QList<QStringList> &cases)
{
    for (const QStringList &arguments : cases) {
        const CliRun run = runCli(arguments);
        QVERIFY2(run.exitCode == 2, qPrintable(arguments.join(u' ')));
        QCOMPARE(lines(run.err).size(), 1);
        QVERIFY(run.err.startsWith("sluice-cli: "));
        QVERIFY(run.out.isEmpty());
    }
}

const char kOrderSchema[] = R"({
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {
            "type": "object",
            "properties": {"sku": {"type": "string"},
                           "price": {"type": "number", "multipleOf": 0.01}},
            "required": ["sku", "price"],
            "additionalProperties": false}},
        "due": {"type": ["string", "null"], "format": "date"}
    },
    "required": ["items", "due"],
    "additionalProperties": false
})";

} // namespace

class TestCliSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void validDocumentExitsZero();
    void invalidDocumentListsEveryErrorWithItsPath();
    void badSchemaExitsTwo();
    void unreadableOrNonJsonFilesExitTwo();
    void usageErrorsExitTwo();
    void lintPassesAndFinds();
    void lintUsageErrorsExitTwo();
    void commandsAreListed();

private:
    QString write(const QString &name, const QByteArray &content);

    QTemporaryDir m_dir;
    QString m_schema;
};

// Bodies outside the class: moc (Qt 6.4) misreads raw string literals and
// stops seeing a class that contains them.

QString TestCliSchema::write(const QString &name, const QByteArray &content)
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(file.fileName()));
    return file.fileName();
}

void TestCliSchema::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_schema = write(u"order.schema.json"_qs, kOrderSchema);
}

void TestCliSchema::validDocumentExitsZero()
{
    const QString document = write(u"good.json"_qs,
        R"({"items": [{"sku": "A-1", "price": 19.99}, {"sku": "B-2", "price": 0.3}],
            "due": null})");
    const CliRun run = runCli({u"validate"_qs, u"--schema"_qs, m_schema, document});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.err.isEmpty(), run.err.constData());
    QVERIFY(run.out.contains("valid"));
}

void TestCliSchema::invalidDocumentListsEveryErrorWithItsPath()
{
    const QString document = write(u"bad.json"_qs,
        R"({"items": [{"sku": "A-1", "price": 19.999}, {"price": "free", "note": 1}],
            "due": "tomorrow"})");
    const CliRun run = runCli({u"validate"_qs, u"--schema"_qs, m_schema, document});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.out.isEmpty());
    const QList<QByteArray> errors = lines(run.err);
    QCOMPARE(errors.size(), 5);
    for (const char *expected : {
             "sluice-cli: /due: \"tomorrow\" is not a valid date",
             "sluice-cli: /items/0/price: 19.999 is not a multiple of 0.01",
             "sluice-cli: /items/1: missing required property 'sku'",
             "sluice-cli: /items/1/note: property 'note' is not allowed",
             "sluice-cli: /items/1/price: expected number, got string",
         }) {
        const bool found = std::any_of(errors.begin(), errors.end(),
            [&](const QByteArray &line) { return line.startsWith(expected); });
        QVERIFY2(found,
            qPrintable(
                QString::fromUtf8(expected) + u"\nnot in:\n"_qs + QString::fromUtf8(run.err)));
    }
    QVERIFY(run.err.contains("(schema /properties/items/items/properties/price/multipleOf)"));
}

void TestCliSchema::badSchemaExitsTwo()
{
    const QString document = write(u"any.json"_qs, "{}");
    const QString badType
        = write(u"badtype.schema.json"_qs, R"({"properties": {"a": {"type": 1}}})");
    CliRun run = runCli({u"validate"_qs, u"--schema"_qs, badType, document});
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(lines(run.err).size(), 1);
    QVERIFY2(run.err.contains("at /properties/a/type") && run.err.contains("fix the schema"),
        run.err.constData());

    const QString loop = write(u"loop.schema.json"_qs, R"({"$ref": "#"})");
    run = runCli({u"validate"_qs, u"--schema"_qs, loop, document});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("loops back"), run.err.constData());

    const QString remote
        = write(u"remote.schema.json"_qs, R"({"$ref": "https://example.com/schema.json"})");
    run = runCli({u"validate"_qs, u"--schema"_qs, remote, document});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("only references inside the schema"), run.err.constData());
}

void TestCliSchema::unreadableOrNonJsonFilesExitTwo()
{
    const QString document = write(u"doc.json"_qs, "{}");
    const QString missing = m_dir.filePath(u"missing.json"_qs);
    CliRun run = runCli({u"validate"_qs, u"--schema"_qs, missing, document});
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(lines(run.err).size(), 1);
    QVERIFY2(run.err.contains("cannot read --schema") && run.err.contains("check the path"),
        run.err.constData());

    const QString broken = write(u"broken.json"_qs, "{\"a\": ");
    run = runCli({u"validate"_qs, u"--schema"_qs, m_schema, broken});
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(lines(run.err).size(), 1);
    QVERIFY2(
        run.err.contains("is not JSON") && run.err.contains("fix the file"), run.err.constData());

    run = runCli({u"validate"_qs, u"--schema"_qs, broken, document});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains("--schema"));
}

void TestCliSchema::usageErrorsExitTwo()
{
    const QString document = write(u"doc.json"_qs, "{}");
    const QList<QStringList> cases = {
        {u"validate"_qs, document},
        {u"validate"_qs, u"--schema"_qs, m_schema},
        {u"validate"_qs, u"--schema"_qs, m_schema, document, document},
        {u"validate"_qs, u"--no-such-flag"_qs, u"--schema"_qs, m_schema, document},
    };
    verifyUsageErrors(cases);
    const CliRun help = runCli({u"validate"_qs, u"--help"_qs});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("--schema"));
}

void TestCliSchema::lintPassesAndFinds()
{
    CliRun run = runCli({u"lint-schema"_qs, u"--provider"_qs, u"openai"_qs, m_schema});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("passes"));

    const QString loose = write(u"loose.schema.json"_qs,
        R"({"type": "object", "properties": {"name": {"type": "string", "minLength": 1}}})");
    run = runCli({u"lint-schema"_qs, u"--provider"_qs, u"openai"_qs, loose});
    QCOMPARE(run.exitCode, 1);
    const QList<QByteArray> findings = lines(run.out);
    QCOMPARE(findings.size(), 3);
    QVERIFY(findings[0].startsWith("(root): additional-properties: "));
    QVERIFY(findings[1].startsWith("/properties/name: required-all: "));
    QVERIFY(findings[2].startsWith("/properties/name/minLength: keyword-unsupported: "));
    QVERIFY(run.err.contains("3 finding(s)"));

    QJsonObject properties;
    QJsonArray required;
    for (int i = 0; i < 150; ++i) {
        properties.insert(u"f"_qs + QString::number(i), QJsonObject {{u"type"_qs, u"string"_qs}});
        required.append(u"f"_qs + QString::number(i));
    }
    const QString wide = write(u"wide.schema.json"_qs,
        QJsonDocument(QJsonObject {{u"type"_qs, u"object"_qs}, {u"properties"_qs, properties},
                          {u"required"_qs, required}, {u"additionalProperties"_qs, false}})
            .toJson());
    run = runCli({u"lint-schema"_qs, u"--provider"_qs, u"openai"_qs, wide});
    QCOMPARE(run.exitCode, 0);
    run = runCli(
        {u"lint-schema"_qs, u"--provider"_qs, u"openai"_qs, u"--limits"_qs, u"earlier"_qs, wide});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.out.contains("limit-properties"));
}

void TestCliSchema::lintUsageErrorsExitTwo()
{
    const QString broken = write(u"broken.json"_qs, "{\"a\": ");
    const QList<QStringList> cases = {
        {u"lint-schema"_qs, m_schema},
        {u"lint-schema"_qs, u"--provider"_qs, u"anthropic"_qs, m_schema},
        {u"lint-schema"_qs, u"--provider"_qs, u"openai"_qs},
        {u"lint-schema"_qs, u"--provider"_qs, u"openai"_qs, u"--limits"_qs, u"old"_qs, m_schema},
        {u"lint-schema"_qs, u"--provider"_qs, u"openai"_qs, broken},
    };
    verifyUsageErrors(cases);
}

void TestCliSchema::commandsAreListed()
{
    const CliRun help = runCli({u"--help"_qs});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("validate"));
    QVERIFY(help.out.contains("lint-schema"));
    const CliRun unknown = runCli({u"no-such-command"_qs});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY(unknown.err.contains("run, validate, lint-schema"));
}

QTEST_GUILESS_MAIN(TestCliSchema)
#include "tst_cli_schema.moc"
