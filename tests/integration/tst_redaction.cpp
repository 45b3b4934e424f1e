// Keys never leave the process except to the host they are for. A small
// batch of `sluice-cli run`s with marker keys (the right one, a wrong one, and
// against a server that echoes the key back in its error), then everything
// the runs printed and every file they wrote under their HOME / XDG / TMPDIR
// is scanned, as bytes, for the markers: raw, base64 (any alignment,
// standard and URL-safe) and percent-encoded.
#include "core/redaction.h"
#include "simprocess.h"

#include <QDirIterator>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;

namespace {

constexpr QByteArrayView kMarker {"sk-sluice-redaction-marker-7c41d0e9a2"};
constexpr QByteArrayView kWrongMarker {"sk-sluice-wrong-marker-55b0f3e18d"};

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestRedaction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_scratch.isValid());
        for (const char *dir : {"home", "config", "cache", "data", "state", "runtime", "tmp"})
            QVERIFY(QDir(m_scratch.path()).mkpath(QLatin1StringView(dir)));
        QFile::setPermissions(m_scratch.filePath(QStringLiteral("runtime")),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

        // The simulator runs with its own environment (its files are not ours to scan).
        QProcessEnvironment simEnv = QProcessEnvironment::systemEnvironment();
        simEnv.insert(QStringLiteral("SIM_KEY"), QString::fromLatin1(kMarker));
        QVERIFY2(m_sim.start(QStringLiteral(SLUICE_SIM_PATH),
                     {QStringLiteral("--require-key-env"), QStringLiteral("SIM_KEY")}, simEnv),
            qPrintable(m_sim.errorString()));
        m_simUrl = m_sim.baseUrl();

        // A server that echoes the request, Authorization header included,
        // in its error message, raw and base64-encoded (as careless proxies do).
        QVERIFY(m_echo.listen(QHostAddress::LocalHost));
        connect(&m_echo, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_echo.nextPendingConnection();
            auto received = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::readyRead, socket, [socket, received] {
                received->append(socket->readAll());
                const qsizetype headerEnd = received->indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return;
                const QByteArray head = received->left(headerEnd);
                const QByteArray encoded = head.toBase64();
                QByteArray plain = head;
                plain.replace('"', '\'').replace("\r\n", " ");
                const QByteArray message
                    = "Incorrect API key provided. You sent: " + encoded + " which is: " + plain;
                const QByteArray body = R"({"error":{"message":")" + message
                    + R"(","type":"invalid_request_error","code":"invalid_api_key"}})";
                socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                              "Connection: close\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                socket->disconnectFromHost();
            });
        });
    }

    void cleanupTestCase() { m_sim.stop(); }

    void batchWithTheRightKey()
    {
        for (int row = 0; row < 4; ++row) {
            const CliRun run = runCli(m_simUrl, kMarker,
                {QStringLiteral("--prompt"), QStringLiteral("Row %1: name a river.").arg(row)});
            QVERIFY2(run.exitCode == 0, run.err.constData());
        }
        // One answer cut short: exit 1, the partial answer and a stderr line.
        const CliRun cut = runCli(m_simUrl, kMarker,
            {QStringLiteral("--prompt"), QStringLiteral("Write a long story."),
                QStringLiteral("--max-output-tokens"), QStringLiteral("1")});
        QVERIFY(cut.exitCode == 0 || cut.exitCode == 1);
    }

    void batchWithAWrongKey()
    {
        for (int row = 0; row < 2; ++row) {
            const CliRun run = runCli(m_simUrl, kWrongMarker,
                {QStringLiteral("--prompt"), QStringLiteral("Row %1").arg(row)});
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains("(auth, HTTP 401)"), run.err.constData());
        }
    }

    void serverEchoingTheKeyIsRedacted()
    {
        const QString url = QStringLiteral("http://127.0.0.1:%1/v1").arg(m_echo.serverPort());
        const CliRun run
            = runCli(url, kMarker, {QStringLiteral("--prompt"), QStringLiteral("hello")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("[redacted]"), run.err.constData());
        QVERIFY2(run.err.contains("Incorrect API key provided"), run.err.constData());
    }

    // Last: everything the runs above printed or wrote.
    void nothingPrintedOrWrittenHoldsAKey()
    {
        QVERIFY(m_runs > 0);
        QList<QByteArray> needles = Redactor::encodedForms(kMarker);
        needles += Redactor::encodedForms(kWrongMarker);
        // The plain base64 of each key must be among them (a sanity check of the scan).
        QVERIFY(needles.contains(kMarker.toByteArray().toBase64()));

        const auto scan = [&needles](const QByteArray &bytes, const QString &where) {
            for (const QByteArray &needle : needles) {
                if (bytes.contains(needle))
                    return QStringLiteral("%1 holds '%2'").arg(where, QString::fromLatin1(needle));
            }
            return QString();
        };
        QString leak = scan(m_printed, QStringLiteral("the runs' output"));
        QVERIFY2(leak.isEmpty(), qPrintable(leak));

        int files = 0;
        QDirIterator it(m_scratch.path(), QDir::Files | QDir::Hidden | QDir::System,
            QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
            leak = scan(file.readAll(), file.fileName());
            QVERIFY2(leak.isEmpty(), qPrintable(leak));
            ++files;
        }
        qInfo("scanned the output of %d runs (%lld bytes) and %d files", m_runs,
            qlonglong(m_printed.size()), files);
    }

private:
    CliRun runCli(const QString &baseUrl, QByteArrayView key, QStringList extra)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString root = m_scratch.path();
        env.insert(QStringLiteral("HOME"), root + QStringLiteral("/home"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), root + QStringLiteral("/cache"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_STATE_HOME"), root + QStringLiteral("/state"));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), root + QStringLiteral("/runtime"));
        env.insert(QStringLiteral("TMPDIR"), root + QStringLiteral("/tmp"));
        env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(key));
        // Every log category on: whatever is logged goes through the redactor.
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*=true"));
        // No keychain for these runs: the key comes from the environment.
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));

        QProcess process;
        process.setProcessEnvironment(env);
        process.setWorkingDirectory(root + QStringLiteral("/home"));
        process.start(QStringLiteral(SLUICE_CLI_PATH),
            QStringList {QStringLiteral("run"), QStringLiteral("--base-url"), baseUrl,
                QStringLiteral("--model"), QStringLiteral("sim-small")}
                + extra);
        // Not waitForFinished: the echo server in this thread must keep answering.
        if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 60'000)) {
            process.kill();
            process.waitForFinished();
        }
        CliRun run {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
        m_printed += run.out + run.err;
        ++m_runs;
        return run;
    }

    QTemporaryDir m_scratch;
    sluice::test::SimProcess m_sim;
    QString m_simUrl;
    QTcpServer m_echo;
    QByteArray m_printed;
    int m_runs = 0;
};

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
