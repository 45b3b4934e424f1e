// Keys never leave the process except to the host they are for. A small
// batch of `sluice-cli run`s with marker keys (the right one, a wrong one, and
// against a server that echoes the key back in its error), a run over a
// dataset with its run store, trace and exports in every format, the same
// through the provider's Batch API killed and resumed, and `runs`; then
// everything the runs printed and every file they wrote under their HOME /
// XDG / TMPDIR (the SQLite store with its -wal and -shm included) is
// scanned, as bytes, for the markers: raw, base64 (any alignment, standard
// and URL-safe) and percent-encoded. And --no-content keeps the prompts and
// answers out of the store while its metrics stay.
#include "clirun.h"
#include "core/redaction.h"
#include "simprocess.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
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

    // A run over a dataset journalled in a run store, with its trace, the
    // store exported in every format and listed; then the same through the
    // provider's Batch API, killed (SIGKILL) once its batch exists so that
    // the store's -wal and -shm files are left to scan, and resumed.
    void runOverADatasetWithItsStoreAndExports()
    {
        const QString root = m_scratch.path();
        const QString input = root + QStringLiteral("/home/rivers.jsonl");
        QFile file(input);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int row = 0; row < 6; ++row)
            file.write(QStringLiteral("{\"id\":\"r%1\",\"n\":\"%1\"}\n").arg(row).toUtf8());
        file.close();
        const QString runDir = root + QStringLiteral("/home/runs");
        const QStringList dataset {QStringLiteral("--prompt"),
            QStringLiteral("Row {{n}}: name a river."), QStringLiteral("--input"), input,
            QStringLiteral("--run-dir"), runDir};

        // The simulator requires the key: exit 0 proves it was sent.
        CliRun run = runCli(m_simUrl, kMarker,
            dataset
                + QStringList {QStringLiteral("--output"), root + QStringLiteral("/home/out.jsonl"),
                    QStringLiteral("--trace"), root + QStringLiteral("/home/run.trace.json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QFileInfo(root + QStringLiteral("/home/run.trace.json")).size() > 0);
        for (const QString &format : {u"jsonl"_qs, u"csv"_qs, u"trace"_qs, u"otlp"_qs}) {
            run = cli({QStringLiteral("export"), QStringLiteral("--run-dir"), runDir,
                          QStringLiteral("--format"), format, QStringLiteral("--output"),
                          root + QStringLiteral("/home/export.") + format},
                kMarker);
            QVERIFY2(run.exitCode == 0, run.err.constData());
        }

        const QStringList batch = dataset
            + QStringList {QStringLiteral("--batch-api"), QStringLiteral("--poll-seconds"),
                QStringLiteral("1"), QStringLiteral("--output"),
                root + QStringLiteral("/home/batch.jsonl")};
        QProcess killed;
        start(killed, kMarker,
            QStringList {QStringLiteral("run"), QStringLiteral("--base-url"), m_simUrl,
                QStringLiteral("--model"), QStringLiteral("sim-small")}
                + batch);
        QByteArray err;
        QVERIFY(sluice::test::killOnceBatchExists(killed, err));
        m_printed += killed.readAllStandardOutput() + err + killed.readAllStandardError();
        for (const char *suffix : {"", "-wal", "-shm"}) {
            QFile store(runDir + QStringLiteral("/runs.sqlite") + QLatin1String(suffix));
            QVERIFY2(store.open(QIODevice::ReadOnly), qPrintable(store.fileName()));
            m_snapshots.append({store.fileName(), store.readAll()}); // resume checkpoints them
        }
        run = runCli(m_simUrl, kMarker, batch + QStringList {QStringLiteral("--resume")});
        QVERIFY2(run.exitCode == 0, run.err.constData());

        run = cli({QStringLiteral("runs"), QStringLiteral("--run-dir"), runDir}, kMarker);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out.count('\n'), 2);
    }

    // --no-content: the store holds the metrics of every row (tokens, cost,
    // status) but no prompt and no answer text.
    void noContentKeepsTextOutOfTheStore()
    {
        const QString root = m_scratch.path();
        const QString input = root + QStringLiteral("/home/secret-rows.jsonl");
        QStringList values;
        QFile file(input);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int row = 0; row < 4; ++row) {
            values << QStringLiteral("quokka-%1-c0ffee-private").arg(row);
            file.write(QStringLiteral("{\"id\":\"p%1\",\"text\":\"%2\"}\n")
                           .arg(row)
                           .arg(values.constLast())
                           .toUtf8());
        }
        file.close();
        const QString runDir = root + QStringLiteral("/home/runs-no-content");
        const QString output = root + QStringLiteral("/home/no-content.jsonl");
        const CliRun run = runCli(m_simUrl, kMarker,
            {QStringLiteral("--prompt"), QStringLiteral("Summarize privately: {{text}}"),
                QStringLiteral("--input"), input, QStringLiteral("--run-dir"), runDir,
                QStringLiteral("--output"), output, QStringLiteral("--no-content")});
        QVERIFY2(run.exitCode == 0, run.err.constData());

        // The answers go to --output: they are what the store must not hold.
        QFile lines(output);
        QVERIFY(lines.open(QIODevice::ReadOnly));
        QByteArrayList needles {"Summarize privately"};
        for (const QString &value : std::as_const(values))
            needles << value.toUtf8();
        for (const QByteArray &line : lines.readAll().split('\n')) {
            if (!line.isEmpty())
                needles << QJsonDocument::fromJson(line)["output"].toString().toUtf8();
        }
        QCOMPARE(needles.size(), 1 + 2 * values.size());
        for (const char *suffix : {"", "-wal", "-shm"}) {
            QFile store(runDir + QStringLiteral("/runs.sqlite") + QLatin1String(suffix));
            if (!store.open(QIODevice::ReadOnly))
                continue; // a clean exit folds the -wal into the file
            const QByteArray bytes = store.readAll();
            for (const QByteArray &needle : std::as_const(needles)) {
                QVERIFY2(!needle.isEmpty() && !bytes.contains(needle),
                    qPrintable(
                        store.fileName() + QStringLiteral(" holds ") + QString::fromUtf8(needle)));
            }
        }

        // The metrics are there: the journal's lines, exported.
        const QString exported = root + QStringLiteral("/home/no-content-export.jsonl");
        const CliRun exportRun = cli({QStringLiteral("export"), QStringLiteral("--run-dir"), runDir,
                                         QStringLiteral("--format"), QStringLiteral("jsonl"),
                                         QStringLiteral("--output"), exported},
            kMarker);
        QVERIFY2(exportRun.exitCode == 0, exportRun.err.constData());
        QFile journal(exported);
        QVERIFY(journal.open(QIODevice::ReadOnly));
        int rows = 0;
        for (const QByteArray &text : journal.readAll().split('\n')) {
            if (text.isEmpty())
                continue;
            const QJsonObject line = QJsonDocument::fromJson(text).object();
            QCOMPARE(line.value(u"status").toString(), u"ok"_qs);
            QVERIFY(line.value(u"output").isNull());
            QVERIFY(line[u"usage"][u"input_tokens"].toInt() > 0);
            QVERIFY(line[u"usage"][u"output_tokens"].toInt() > 0);
            QVERIFY(line.value(u"cost_usd").toDouble() > 0);
            ++rows;
        }
        QCOMPARE(rows, values.size());
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
        for (const auto &[name, bytes] : std::as_const(m_snapshots)) {
            leak = scan(bytes, name + QStringLiteral(" (after the kill)"));
            QVERIFY2(leak.isEmpty(), qPrintable(leak));
        }

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
    // Starts sluice-cli in the scratch HOME / XDG / TMPDIR with `key` in OPENAI_API_KEY.
    void start(QProcess &process, QByteArrayView key, const QStringList &arguments)
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

        process.setProcessEnvironment(env);
        process.setWorkingDirectory(root + QStringLiteral("/home"));
        process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
        ++m_runs;
    }

    CliRun cli(const QStringList &arguments, QByteArrayView key)
    {
        QProcess process;
        start(process, key, arguments);
        // Not waitForFinished: the echo server in this thread must keep answering.
        if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 60'000)) {
            process.kill();
            process.waitForFinished();
        }
        CliRun run {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
        m_printed += run.out + run.err;
        return run;
    }

    CliRun runCli(const QString &baseUrl, QByteArrayView key, const QStringList &extra)
    {
        return cli(QStringList {QStringLiteral("run"), QStringLiteral("--base-url"), baseUrl,
                       QStringLiteral("--model"), QStringLiteral("sim-small")}
                + extra,
            key);
    }

    QTemporaryDir m_scratch;
    sluice::test::SimProcess m_sim;
    QString m_simUrl;
    QTcpServer m_echo;
    QByteArray m_printed;
    QList<std::pair<QString, QByteArray>> m_snapshots; ///< files a later run rewrites, as they were
    int m_runs = 0;
};

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
