#include "simprocess.h"

#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace {

// A marker key: if it shows up in any output, something leaked it.
constexpr auto kMarkerKey = "sk-sluice-marker-3f9a1c77e2";

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliRun runCli(const QStringList &arguments, const QProcessEnvironment &environment = {})
{
    QProcess process;
    QProcessEnvironment env
        = environment.isEmpty() ? QProcessEnvironment::systemEnvironment() : environment;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
        process.readAllStandardOutput(), process.readAllStandardError()};
}

int lineCount(const QByteArray &text)
{
    return int(text.trimmed().split('\n').size());
}

} // namespace

class TestCliSim : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SIM_TEST_KEY"), QString::fromLatin1(kMarkerKey));
        QVERIFY2(m_sim.start(QStringLiteral(SLUICE_SIM_PATH),
                     {QStringLiteral("--require-key-env"), QStringLiteral("SIM_TEST_KEY")}, env),
            qPrintable(m_sim.errorString()));
        m_baseUrl = m_sim.baseUrl();
    }

    void cleanupTestCase() { QCOMPARE(m_sim.stop(), 0); }

    void printsTheSimulatorsAnswer()
    {
        const QStringList arguments = {
            QStringLiteral("run"),
            QStringLiteral("--base-url"),
            m_baseUrl,
            QStringLiteral("--model"),
            QStringLiteral("sim-small"),
            QStringLiteral("--prompt"),
            QStringLiteral("Name three rivers in Europe."),
        };
        const CliRun first = runCli(arguments, keyEnvironment());
        QCOMPARE(first.exitCode, 0);
        QVERIFY2(!first.out.trimmed().isEmpty(), first.err.constData());
        QVERIFY2(first.err.isEmpty(), first.err.constData());

        // Deterministic: the same prompt gets the same answer.
        const CliRun second = runCli(arguments, keyEnvironment());
        QCOMPARE(second.out, first.out);
        QVERIFY(!first.out.contains(kMarkerKey));
    }

    void wrongKeyIsAnAuthErrorWithoutTheKey()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENAI_API_KEY"), QStringLiteral("sk-wrong-key-0000"));
        const CliRun run = runCli({QStringLiteral("run"), QStringLiteral("--base-url"), m_baseUrl,
                                      QStringLiteral("--model"), QStringLiteral("m"),
                                      QStringLiteral("--prompt"), QStringLiteral("hi")},
            env);
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.out.isEmpty());
        QCOMPARE(lineCount(run.err), 1);
        QVERIFY2(run.err.contains("(auth, HTTP 401)"), run.err.constData());
        QVERIFY(run.err.contains("OPENAI_API_KEY"));
        QVERIFY(!run.err.contains("sk-wrong-key-0000"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("mentions");
        QTest::newRow("no command") << QStringList() << QByteArray("no command");
        QTest::newRow("unknown command") << QStringList {u"fly"_qs} << QByteArray("'fly'");
        QTest::newRow("unknown flag") << QStringList {u"run"_qs, u"--model"_qs, u"m"_qs,
            u"--prompt"_qs, u"x"_qs, u"--frobnicate"_qs}
                                      << QByteArray("frobnicate");
        QTest::newRow("missing model") << QStringList {u"run"_qs, u"--base-url"_qs,
            u"http://127.0.0.1:9/v1"_qs, u"--prompt"_qs, u"x"_qs}
                                       << QByteArray("--model");
        QTest::newRow("missing prompt") << QStringList {u"run"_qs, u"--base-url"_qs,
            u"http://127.0.0.1:9/v1"_qs, u"--model"_qs, u"m"_qs}
                                        << QByteArray("--prompt");
        QTest::newRow("flag without value")
            << QStringList {u"run"_qs, u"--model"_qs} << QByteArray("model");
        QTest::newRow("bad base url") << QStringList {u"run"_qs, u"--base-url"_qs, u"ftp://x"_qs,
            u"--model"_qs, u"m"_qs, u"--prompt"_qs, u"x"_qs}
                                      << QByteArray("--base-url");
        QTest::newRow("bad max tokens")
            << QStringList {u"run"_qs, u"--base-url"_qs, u"http://127.0.0.1:9/v1"_qs, u"--model"_qs,
                   u"m"_qs, u"--prompt"_qs, u"x"_qs, u"--max-output-tokens"_qs, u"lots"_qs}
            << QByteArray("--max-output-tokens");
        QTest::newRow("remote URL without key") << QStringList {u"run"_qs, u"--base-url"_qs,
            u"https://api.example.com/v1"_qs, u"--model"_qs, u"m"_qs, u"--prompt"_qs, u"x"_qs}
                                                << QByteArray("OPENAI_API_KEY");
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, mentions);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("OPENAI_API_KEY"));
        const CliRun run = runCli(arguments, env);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QCOMPARE(lineCount(run.err), 1);
        QVERIFY2(run.err.startsWith("sluice-cli: "), run.err.constData());
        QVERIFY2(run.err.contains(mentions), run.err.constData());
    }

    void unreachableServerFailsInOneLine()
    {
        // Bind a port, then close it, so nothing listens there.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();

        const CliRun run = runCli(
            {u"run"_qs, u"--base-url"_qs, QStringLiteral("http://127.0.0.1:%1/v1").arg(port),
                u"--model"_qs, u"m"_qs, u"--prompt"_qs, u"x"_qs});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(lineCount(run.err), 1);
        QVERIFY2(run.err.contains("(network)"), run.err.constData());
        QVERIFY(run.err.contains("--base-url"));
    }

    void nonJsonAnswerFailsInOneLine()
    {
        // A server that answers every request with an HTML page.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        connect(&server, &QTcpServer::newConnection, &server, [&server] {
            QTcpSocket *socket = server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                              "Content-Length: 20\r\nConnection: close\r\n\r\n"
                              "<html>hello!</html>\n");
                socket->disconnectFromHost();
            });
        });

        QProcess process;
        process.start(QStringLiteral(SLUICE_CLI_PATH),
            {u"run"_qs, u"--base-url"_qs,
                QStringLiteral("http://127.0.0.1:%1/v1").arg(server.serverPort()), u"--model"_qs,
                u"m"_qs, u"--prompt"_qs, u"x"_qs});
        QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 30'000);
        const QByteArray err = process.readAllStandardError();
        QCOMPARE(process.exitCode(), 1);
        QCOMPARE(lineCount(err), 1);
        QVERIFY2(err.contains("(malformed_response"), err.constData());
    }

private:
    QProcessEnvironment keyEnvironment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(kMarkerKey));
        return env;
    }

    sluice::test::SimProcess m_sim;
    QString m_baseUrl;
};

QTEST_GUILESS_MAIN(TestCliSim)
#include "tst_cli_sim.moc"
