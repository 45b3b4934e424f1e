// The Compose, Schema and Settings controllers in plain C++: the variables
// table, the schema lab, the price table, the Workbench's gate limits as the
// service sees them, and its CA bundle making a self-signed HTTPS endpoint
// trusted. No D-Bus and no display (set below): the keychain is never
// reached, so the embedded simulator stands in.
#include "app/preferences.h"
#include "app/pricetable.h"
#include "app/promptvariables.h"
#include "app/schemalab.h"
#include "app/workbench.h"
#include "engine/llmservice.h"
#include "isolateddesktop.h"
#include "providers/endpointpolicy.h"
#include "sim/simserver.h"

#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace sluice;

namespace {

/// HTTPS in front of a plain HTTP server on loopback: TLS ends here with the
/// self-signed certificate for 127.0.0.1 in data/ (valid 2020 to 2120), and
/// the bytes go on to `targetPort` and back.
class TlsRelay : public QSslServer
{
public:
    TlsRelay(const QSslConfiguration &configuration, quint16 targetPort)
    {
        setSslConfiguration(configuration);
        connect(this, &QTcpServer::pendingConnectionAvailable, this, [this, targetPort] {
            auto *client = static_cast<QSslSocket *>(nextPendingConnection());
            auto *upstream = new QTcpSocket(client);
            upstream->connectToHost(QHostAddress::LocalHost, targetPort);
            connect(client, &QIODevice::readyRead, upstream,
                [client, upstream] { upstream->write(client->readAll()); });
            connect(upstream, &QIODevice::readyRead, client,
                [client, upstream] { client->write(upstream->readAll()); });
            connect(upstream, &QAbstractSocket::disconnected, client,
                &QAbstractSocket::disconnectFromHost);
            connect(client, &QAbstractSocket::disconnected, client, &QObject::deleteLater);
        });
    }
};

/// One prompt through `service`, waited for.
std::optional<GenerationResult> ask(LlmService *service)
{
    LlmRequest request;
    request.model = u"sim-small"_qs;
    request.promptTemplate = u"Say hello."_qs;
    request.maxAttempts = 1;
    std::optional<GenerationResult> result;
    service->submit(request, [&result](const GenerationResult &done) { result = done; });
    QTest::qWaitFor([&result] { return result.has_value(); }, 20'000);
    return result;
}

} // namespace

class TstAppWorkbench : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void variablesFollowTheTemplates();
    void variablesKeepTheirRowsWhileATemplateIsBroken();
    void schemaErrorsHaveLineAndColumn();
    void schemaLabMarksTheFailingSubtree();
    void schemaLintOnlyForStrictProviders();
    void priceImportNamesEveryProblem();
    void limitsReachTheService();
    void endpointIsValidated();
    void languageInstallsItsTranslator();
    void importedPricesReachTheService();
    void caBundleMakesAnHttpsEndpointTrusted();
    void caBundleMissingAtStartIsASetupError();
};

void TstAppWorkbench::variablesFollowTheTemplates()
{
    PromptVariables variables;
    QSignalSpy inserted(&variables, &QAbstractItemModel::rowsInserted);
    variables.setTemplates(QStringLiteral("You are {{persona}}."),
        QStringLiteral("Tell {{name}} about {{topic}}, {{name}}, as {{persona}}."));
    QCOMPARE(variables.rowCount(), 3);
    QCOMPARE(variables.data(variables.index(0), PromptVariables::NameRole), u"persona"_qs);
    QCOMPARE(variables.data(variables.index(1), PromptVariables::NameRole), u"name"_qs);
    QCOMPARE(variables.data(variables.index(2), PromptVariables::NameRole), u"topic"_qs);
    QCOMPARE(inserted.count(), 3);

    QVERIFY(variables.setData(variables.index(2), u"rivers"_qs, PromptVariables::ValueRole));
    variables.setValue(u"name"_qs, u"Ada"_qs);
    variables.setTemplates({}, QStringLiteral("{{topic}} for {{name}}"));
    QCOMPARE(variables.rowCount(), 2);
    QCOMPARE(variables.data(variables.index(0), PromptVariables::NameRole), u"topic"_qs);
    const QHash<QString, QString> sent {{u"topic"_qs, u"rivers"_qs}, {u"name"_qs, u"Ada"_qs}};
    QCOMPARE(variables.values(), sent);
    QCOMPARE(variables.allValues().size(), 2); // persona had no value yet
}

void TstAppWorkbench::variablesKeepTheirRowsWhileATemplateIsBroken()
{
    PromptVariables variables;
    variables.setTemplates({}, QStringLiteral("Hello {{name}}"));
    QSignalSpy removed(&variables, &QAbstractItemModel::rowsRemoved);
    variables.setTemplates({}, QStringLiteral("Hello {{name}} {{"));
    QCOMPARE(variables.rowCount(), 1);
    QCOMPARE(removed.count(), 0);
    QVERIFY2(variables.error().contains(u"column 16"), qPrintable(variables.error()));
    variables.setTemplates({}, QStringLiteral("Hello {{name}} {{x}}"));
    QVERIFY(variables.error().isEmpty());
    QCOMPARE(variables.rowCount(), 2);
}

void TstAppWorkbench::schemaErrorsHaveLineAndColumn()
{
    SchemaLab lab;
    lab.setText(QStringLiteral("{\n  \"type\": \"object\",\n  \"properties\": { \"é\": 1,, }\n}"));
    QVERIFY(!lab.valid());
    QCOMPARE(lab.errorLine(), 3);
    QCOMPARE(lab.errorColumn(), 26); // the second comma; "é" is one column
    QVERIFY(lab.error().startsWith(u"Line 3, column 26:"));
    QVERIFY(lab.sample().isEmpty());

    lab.setText(QStringLiteral("[1, 2]"));
    QVERIFY(lab.error().contains(u"JSON object"));
    QCOMPARE(lab.errorLine(), 0);
}

void TstAppWorkbench::schemaLabMarksTheFailingSubtree()
{
    SchemaLab lab;
    lab.setText(QStringLiteral(R"({"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object", "required": ["id"]}},
        "ok": {"type": "boolean"}}})"));
    QVERIFY2(lab.valid(), qPrintable(lab.error()));
    lab.setAnswer(
        QStringLiteral(R"({"items": [{"id": 1}, {"name": "x", "tags": [1]}], "ok": true})"));
    QCOMPARE(lab.answerState(), int(SchemaLab::AnswerInvalid));
    QCOMPARE(lab.answerErrors().size(), 1);
    QCOMPARE(lab.answerErrors().first().toMap().value(u"path"_qs).toString(), u"/items/1"_qs);
    QStringList failing;
    for (const QVariant &line : lab.answerLines()) {
        const QVariantMap map = line.toMap();
        if (map.value(u"failing"_qs).toBool())
            failing.append(map.value(u"text"_qs).toString().trimmed());
    }
    // The whole failing object, its nested array included, and nothing else.
    const QStringList expected {
        u"{"_qs, u"\"name\": \"x\","_qs, u"\"tags\": ["_qs, u"1"_qs, u"]"_qs, u"}"_qs};
    QCOMPARE(failing, expected);

    lab.setAnswer(QStringLiteral(R"({"items": [], "ok": true})"));
    QCOMPARE(lab.answerState(), int(SchemaLab::AnswerValid));
}

void TstAppWorkbench::schemaLintOnlyForStrictProviders()
{
    SchemaLab lab;
    lab.setText(QStringLiteral(R"({"type": "object", "properties": {"a": {"type": "string"}}})"));
    lab.setProviderId(u"openai-responses"_qs);
    QVERIFY(lab.lintApplies());
    QVERIFY(!lab.lintFindings().isEmpty());
    lab.setProviderId(u"anthropic"_qs);
    QVERIFY(!lab.lintApplies());
    QVERIFY(lab.lintFindings().isEmpty());
}

void TstAppWorkbench::priceImportNamesEveryProblem()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"prices.json"_qs);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        R"({"version": "yesterday", "currency": "USD", "models": {"m": {"input_per_mtok": -1}}})");
    file.close();

    PriceTable table;
    QVERIFY(table.builtin());
    const int builtinRows = table.rowCount();
    QVERIFY(!table.importFile(QUrl::fromLocalFile(path)));
    QVERIFY(table.builtin());
    QCOMPARE(table.rowCount(), builtinRows);
    QVERIFY2(table.importError().contains(path), qPrintable(table.importError()));
    QVERIFY2(table.importError().count(u'\n') >= 2, qPrintable(table.importError()));

    const QModelIndex gpt
        = table.match(table.index(0), PriceTable::ModelRole, u"gpt-5-mini"_qs).value(0);
    QVERIFY(gpt.isValid());
    QCOMPARE(gpt.data(PriceTable::InputRole).toString(), u"$0.25"_qs);
    QCOMPARE(gpt.data(PriceTable::CachedRole).toString(), u"$0.025"_qs);
    QCOMPARE(gpt.data(PriceTable::OutputRole).toString(), u"$2.00"_qs);
    QCOMPARE(gpt.data(PriceTable::BatchRole).toString(), u"−50%"_qs);
}

void TstAppWorkbench::limitsReachTheService()
{
    Workbench workbench;
    QVERIFY(workbench.usingSimulator());
    LlmService *first = workbench.service();
    QVERIFY(first);
    QSignalSpy replaced(&workbench, &Workbench::serviceChanged);

    QVERIFY(workbench.setLimits(120, 40000, 30, 16));
    QCOMPARE(workbench.service(), first); // rate limits change in place
    QCOMPARE(replaced.count(), 0);
    const RateLimits &limits = workbench.service()->rateGate().limits();
    QCOMPARE(limits.requestsPerMinute, std::optional<std::int64_t>(120));
    QCOMPARE(limits.tokensPerMinute, std::optional<std::int64_t>(40000));
    QCOMPARE(limits.window, Duration(std::chrono::seconds(30)));

    QVERIFY(workbench.setLimits(120, 0, 30, 4));
    QCOMPARE(replaced.count(), 1); // the concurrency gate comes with a new service
    QCOMPARE(workbench.service()->concurrencyGate().limit(), 4);
    QVERIFY(!workbench.service()->rateGate().limits().tokensPerMinute);
    QCOMPARE(workbench.service()->rateGate().limits().requestsPerMinute,
        std::optional<std::int64_t>(120));

    QVERIFY(!workbench.setLimits(-1, 0, 60, 4));
    QVERIFY(!workbench.setLimits(0, 0, 0, 4));
    QVERIFY(!workbench.setLimits(0, 0, 60, 0));
    QCOMPARE(workbench.requestsPerMinute(), 120);

    // A second Workbench (the next start) restores them.
    Workbench next;
    QCOMPARE(next.service()->concurrencyGate().limit(), 4);
    QCOMPARE(
        next.service()->rateGate().limits().requestsPerMinute, std::optional<std::int64_t>(120));
    QVERIFY(workbench.runStorePath().endsWith(u"/runs/runs.sqlite"));
}

void TstAppWorkbench::endpointIsValidated()
{
    Workbench workbench;
    QSignalSpy replaced(&workbench, &Workbench::serviceChanged);
    QVERIFY(!workbench.configureEndpoint(u"gopher"_qs, {}));
    QVERIFY(!workbench.configureEndpoint(u"openai-chat"_qs, u"ftp://example.com"_qs));
    QVERIFY(workbench.keyStatus().contains(u"http(s)"));
    QCOMPARE(replaced.count(), 0);

    QVERIFY(workbench.configureEndpoint(u"anthropic"_qs, {}));
    QCOMPARE(workbench.providerId(), u"anthropic"_qs);
    QVERIFY(workbench.usingSimulator()); // no key: the simulator speaks Messages too
    QCOMPARE(workbench.service()->provider().id(), u"anthropic"_qs);
    QCOMPARE(replaced.count(), 1);
    QVERIFY(workbench.configureEndpoint(u"openai-responses"_qs, {}));
}

void TstAppWorkbench::languageInstallsItsTranslator()
{
    Preferences preferences(nullptr);
    preferences.setLanguage(u"de"_qs);
    QCOMPARE(QCoreApplication::translate("SettingsPage", "Dark"), u"Dunkel"_qs);
    QCOMPARE(QCoreApplication::translate("sluice::Workbench", "Write a prompt, then run."),
        u"Schreiben Sie einen Prompt und führen Sie ihn dann aus."_qs);
    preferences.setLanguage(u"en"_qs);
    QCOMPARE(QCoreApplication::translate("SettingsPage", "Dark"), u"Dark"_qs);
    preferences.setLanguage(u"xx"_qs); // unknown: refused
    QCOMPARE(preferences.language(), u"en"_qs);
}

void TstAppWorkbench::importedPricesReachTheService()
{
    Workbench workbench;
    QCOMPARE(workbench.modelSuggestions(), QStringList({u"sim-small"_qs, u"sim-large"_qs}));
    const QString builtinVersion = workbench.service()->priceBook()->version();
    QVERIFY(workbench.prices()->importFile(
        QUrl::fromLocalFile(QStringLiteral(SLUICE_UI_TEST_DATA "/prices-small.json"))));
    QCOMPARE(workbench.service()->priceBook()->version(), u"2026-01-15"_qs);
    QVERIFY(builtinVersion != u"2026-01-15"_qs);
    QVERIFY(workbench.setLimits(0, 0, 60, 3)); // a new service gets the same table
    QCOMPARE(workbench.service()->priceBook()->version(), u"2026-01-15"_qs);
    workbench.prices()->useBuiltin();
    QCOMPARE(workbench.service()->priceBook()->version(), builtinVersion);
}

void TstAppWorkbench::caBundleMakesAnHttpsEndpointTrusted()
{
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend");
    const QString certPath = QStringLiteral(SLUICE_UI_TEST_DATA "/tls-127.0.0.1.pem");
    const CaBundle server = loadCaBundle(certPath);
    QVERIFY2(server.error.isEmpty(), qPrintable(server.error));
    QFile keyFile(QStringLiteral(SLUICE_UI_TEST_DATA "/tls-127.0.0.1.key"));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(server.certificates.constFirst());
    configuration.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
    sim::SimServer simulator;
    QVERIFY(simulator.listen());
    TlsRelay relay(configuration, simulator.port());
    QVERIFY(relay.listen(QHostAddress::LocalHost));

    Workbench workbench;
    QVERIFY(workbench.configureEndpoint(
        u"openai-chat"_qs, QStringLiteral("https://127.0.0.1:%1/v1").arg(relay.serverPort())));
    QVERIFY(!workbench.usingSimulator());

    std::optional<GenerationResult> refused = ask(workbench.service());
    QVERIFY(refused);
    QCOMPARE(refused->status, GenerationResult::Status::Failed);
    QCOMPARE(errorClassName(refused->errorClass), u"tls"_qs);
    QCOMPARE(simulator.requestCount(), 0);

    QVERIFY(!workbench.setCaBundle(
        QUrl::fromLocalFile(QStringLiteral(SLUICE_UI_TEST_DATA "/reviews.csv"))));
    QVERIFY(workbench.caBundleProblem());
    QVERIFY(workbench.caBundlePath().isEmpty());

    QSignalSpy changed(&workbench, &Workbench::caBundleChanged);
    QVERIFY2(workbench.setCaBundle(QUrl::fromLocalFile(certPath)),
        qPrintable(workbench.caBundleStatus()));
    QCOMPARE(changed.count(), 1);
    QVERIFY(!workbench.caBundleProblem());
    QVERIFY2(workbench.caBundleStatus().contains(u"Added 1 CA certificate:"),
        qPrintable(workbench.caBundleStatus()));
    QCOMPARE(workbench.caBundlePath(), certPath);

    std::optional<GenerationResult> answered = ask(workbench.service());
    QVERIFY(answered);
    QVERIFY2(answered->status == GenerationResult::Status::Ok, qPrintable(answered->errorMessage));
    QVERIFY(!answered->text.isEmpty());
    QCOMPARE(simulator.requestCount(), 1);

    // The next start loads the same file again.
    Workbench next;
    QCOMPARE(next.caBundlePath(), certPath);
    QVERIFY(!next.caBundleProblem());
    QVERIFY2(next.caBundleStatus().contains(u"1 CA certificate from this file trusted"),
        qPrintable(next.caBundleStatus()));
    QVERIFY(next.setupError().isEmpty());

    workbench.clearCaBundle();
    QVERIFY2(workbench.caBundleStatus().contains(u"until Sluice restarts"),
        qPrintable(workbench.caBundleStatus()));
    QVERIFY(workbench.caBundlePath().isEmpty());
    QVERIFY(Workbench().caBundlePath().isEmpty());
    QVERIFY(workbench.configureEndpoint(u"openai-responses"_qs, {}));
}

void TstAppWorkbench::caBundleMissingAtStartIsASetupError()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"proxy-root.pem"_qs);
    QVERIFY(QFile::copy(QStringLiteral(SLUICE_UI_TEST_DATA "/tls-127.0.0.1.pem"), path));
    {
        Workbench workbench;
        QVERIFY(workbench.setCaBundle(QUrl::fromLocalFile(path)));
    }
    QVERIFY(QFile::remove(path));

    Workbench workbench;
    QCOMPARE(workbench.caBundlePath(), path); // kept, to pick again or clear
    QVERIFY(workbench.caBundleProblem());
    const QString warning = workbench.setupError();
    QVERIFY2(warning.contains(u"CA bundle set in Settings was not loaded") && warning.contains(path)
            && warning.contains(u"pick the file again"),
        qPrintable(warning));
    QCOMPARE(workbench.caBundleStatus(), warning);

    QSignalSpy setupChanged(&workbench, &Workbench::setupErrorChanged);
    workbench.clearCaBundle();
    QCOMPARE(setupChanged.count(), 1);
    QVERIFY(workbench.setupError().isEmpty());
    QVERIFY2(workbench.caBundleStatus() == u"Cleared: only the system's CAs are trusted.",
        qPrintable(workbench.caBundleStatus()));
    QVERIFY(!Workbench().caBundleProblem());
}

int main(int argc, char **argv)
{
    const QTemporaryDir home;
    test::isolateFromDesktop(home);
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"Sluice"_qs);
    QCoreApplication::setApplicationName(u"Sluice"_qs);
    TstAppWorkbench test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_app_workbench.moc"
