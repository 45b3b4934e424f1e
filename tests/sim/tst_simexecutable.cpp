// The sluice-sim executable as a user runs it: the base URL as the first
// stdout line, a real request, clean exit on SIGTERM/SIGINT, one stderr line
// and exit 2 on bad flags, exit 1 when the port is taken, the log after SIGKILL.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

const QString kExecutable = QStringLiteral(SLUICE_SIM_EXECUTABLE);

} // namespace

class TestSimExecutable : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;

    // Starts sluice-sim and returns its base URL (empty on failure).
    QString start(QProcess &process, const QStringList &arguments)
    {
        process.start(kExecutable, arguments);
        if (!process.waitForStarted(5000))
            return QString();
        while (!process.canReadLine()) {
            if (!process.waitForReadyRead(5000))
                return QString();
        }
        return QString::fromUtf8(process.readLine()).trimmed();
    }

    int post(const QString &baseUrl, const QByteArray &authorization = {})
    {
        QNetworkRequest request(QUrl(baseUrl + u"/responses"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        QNetworkReply *reply = m_network.post(request, R"({"model":"sim-small","input":"hello"})");
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(10'000))
            return -1;
        reply->deleteLater();
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

    static void runToEnd(QProcess &process, const QStringList &arguments)
    {
        process.start(kExecutable, arguments);
        QVERIFY(process.waitForFinished(10'000));
    }

private Q_SLOTS:
    void servesAndStopsOnSigterm()
    {
        QProcess process;
        const QString baseUrl = start(process, {u"--port"_s, u"0"_s});
        QVERIFY2(
            QRegularExpression(u"^http://127\\.0\\.0\\.1:\\d+/v1$"_s).match(baseUrl).hasMatch(),
            qPrintable(baseUrl));
        QCOMPARE(post(baseUrl), 200);
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(process.readAllStandardError().isEmpty()); // quiet without --verbose
    }

    void stopsOnSigint()
    {
        QProcess process;
        QVERIFY(!start(process, {}).isEmpty());
        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }

    void badFlags_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown option") << QStringList {u"--bogus"_s} << u"bogus"_s;
        QTest::newRow("port not a number") << QStringList {u"--port"_s, u"abc"_s} << u"--port"_s;
        QTest::newRow("port too large") << QStringList {u"--port"_s, u"70000"_s} << u"--port"_s;
        QTest::newRow("missing value") << QStringList {u"--latency-ms"_s} << u"latency-ms"_s;
        QTest::newRow("negative rpm") << QStringList {u"--rpm"_s, u"-1"_s} << u"--rpm"_s;
        QTest::newRow("remote host")
            << QStringList {u"--host"_s, u"192.0.2.1"_s} << u"--allow-remote"_s;
        QTest::newRow("bad host") << QStringList {u"--host"_s, u"nowhere"_s} << u"--host"_s;
        QTest::newRow("key variable unset") << QStringList {u"--require-key-env"_s,
            u"SLUICE_TEST_UNSET_VARIABLE"_s} << u"SLUICE_TEST_UNSET_VARIABLE"_s;
        QTest::newRow("positional") << QStringList {u"serve"_s} << u"serve"_s;
    }

    void badFlags()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        QProcess process;
        runToEnd(process, arguments);
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(process.readAllStandardOutput().isEmpty());
        const QString error = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(error.endsWith(u'\n') && error.count(u'\n') == 1, qPrintable(error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }

    void portInUse()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost));
        QProcess process;
        runToEnd(process, {u"--port"_s, QString::number(taken.serverPort())});
        QCOMPARE(process.exitCode(), 1);
        const QString error = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(error.count(u'\n') == 1 && error.contains(u"--port"_s), qPrintable(error));
    }

    void versionAndHelp()
    {
        QProcess version;
        runToEnd(version, {u"--version"_s});
        QCOMPARE(version.exitCode(), 0);
        QVERIFY(version.readAllStandardOutput().startsWith("sluice-sim "));
        QProcess help;
        runToEnd(help, {u"--help"_s});
        QCOMPARE(help.exitCode(), 0);
        QVERIFY(help.readAllStandardOutput().contains("--require-key-env"));
    }

    void requiredKeyFromEnvironment()
    {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"SLUICE_TEST_SIM_KEY"_s, u"sk-test-123"_s);
        process.setProcessEnvironment(environment);
        const QString baseUrl = start(process, {u"--require-key-env"_s, u"SLUICE_TEST_SIM_KEY"_s});
        QVERIFY(!baseUrl.isEmpty());
        QCOMPARE(post(baseUrl), 401);
        QCOMPARE(post(baseUrl, "Bearer sk-test-123"), 200);
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitCode(), 0);
    }

    // The log is written per line: all of it survives SIGKILL.
    void logSurvivesSigkill()
    {
        QTemporaryDir dir;
        const QString logPath = dir.filePath(u"sim.jsonl"_s);
        QProcess process;
        const QString baseUrl = start(process, {u"--log"_s, logPath, u"--verbose"_s});
        QVERIFY(!baseUrl.isEmpty());
        QCOMPARE(post(baseUrl), 200);
        QCOMPARE(post(baseUrl), 200);
        process.kill();
        QVERIFY(process.waitForFinished(5000));
        QFile log(logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = log.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        for (const QByteArray &line : lines)
            QCOMPARE(QJsonDocument::fromJson(line).object().value(u"status"_s).toInt(), 200);
        // --verbose: the same lines on stderr.
        QCOMPARE(process.readAllStandardError().trimmed().split('\n').size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSimExecutable)
#include "tst_simexecutable.moc"
