// `sluice-cli export` and `sluice-cli runs` against a run store the test
// fills itself: the default run, the default folder (run's), every format,
// the exit codes, and no key from the environment or the config in anything
// written or printed.
#include "core/redaction.h"
#include "core/tracejson.h"
#include "engine/batch/rowrecord.h"
#include "engine/batch/runstore.h"
#include "manualclock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace sluice;

namespace {

constexpr auto kEnvKey = "sk-cli-export-marker-env-41d2c9";
constexpr auto kCustomEnvKey = "sk-cli-export-marker-custom-93be07";

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestCliExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_runDir;
    QString m_olderRun;
    QString m_newerRun;
    QByteArrayList m_printed; ///< everything the CLI printed, scanned for keys at the end

    /// The CLI's XDG_DATA_HOME, where its default run folder is.
    QString dataHome() const { return m_dir.filePath(QStringLiteral("data")); }

    CliRun cli(const QStringList &arguments)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromLatin1(kEnvKey));
        env.insert(QStringLiteral("CUSTOM_KEY_VAR"), QString::fromLatin1(kCustomEnvKey));
        env.insert(QStringLiteral("XDG_DATA_HOME"), dataHome());
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
        CliRun run;
        if (!process.waitForFinished(30000)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        m_printed << run.out << run.err;
        return run;
    }

    CliRun exportRun(const QString &format, const QString &output, const QStringList &more = {})
    {
        return cli(QStringList {QStringLiteral("export"), QStringLiteral("--run-dir"), m_runDir,
                       QStringLiteral("--format"), format, QStringLiteral("--output"), output}
            + more);
    }

    /// A run whose config carries both keys (one under a harmless name, one
    /// read from the variable the config names) and rows `ids`.
    QString addRun(RunStore &store, const QStringList &ids, const QString &lastStatus)
    {
        const QJsonObject config {
            {QStringLiteral("provider"), QStringLiteral("anthropic")},
            {QStringLiteral("base_url"), QStringLiteral("http://127.0.0.1:9/v1")},
            {QStringLiteral("model"), QStringLiteral("claude-test")},
            {QStringLiteral("api_key_env"), QStringLiteral("CUSTOM_KEY_VAR")},
            {QStringLiteral("note"),
                QStringLiteral("%1 / %2").arg(
                    QLatin1String(kEnvKey), QLatin1String(kCustomEnvKey))},
        };
        QString error;
        const std::optional<RunInfo> run
            = store.createRun(config, QStringLiteral("fp"), QStringLiteral("test"), &error);
        if (!run)
            qFatal("createRun: %s", qPrintable(error));
        test::ManualClock clock;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            Trace trace(clock);
            const std::uint64_t request = trace.begin(QStringLiteral("request"));
            trace.setAttribute(request, QStringLiteral("model"), QStringLiteral("claude-test"));
            trace.end(trace.begin(QStringLiteral("attempt"), request));
            trace.end(request);
            GenerationResult result;
            const bool last = i == ids.size() - 1;
            result.status = last && lastStatus == u"failed" ? GenerationResult::Status::Failed
                                                            : GenerationResult::Status::Ok;
            result.errorClass = result.ok() ? ErrorClass::None : ErrorClass::Server;
            result.errorMessage = result.ok() ? QString() : QStringLiteral("server error");
            result.text = QStringLiteral("answer, \"%1\"").arg(ids.at(i));
            result.usage.input = 10;
            result.usage.output = 4;
            result.attempts.append(AttemptRecord {});
            result.trace = trace;
            const QJsonObject line = rowLine(ids.at(i), result);
            if (!store.markSending(run->runId, ids.at(i), i, QStringLiteral("f"), &error)
                || !store.markDone(run->runId, ids.at(i), i, line, traceToJson(trace), &error))
                qFatal("journal: %s", qPrintable(error));
        }
        if (!store.setRunStatus(run->runId, QStringLiteral("finished"), QString(), &error))
            qFatal("status: %s", qPrintable(error));
        return run->runId;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runDir = m_dir.filePath(QStringLiteral("runs"));
        RunStore store;
        QString error;
        QVERIFY2(store.open(m_runDir + QStringLiteral("/runs.sqlite"), &error), qPrintable(error));
        m_olderRun = addRun(store, {u"a1"_qs}, u"ok"_qs);
        QThread::msleep(20); // created_at has millisecond resolution
        m_newerRun = addRun(store, {u"b1"_qs, u"b2"_qs, u"b3"_qs}, u"failed"_qs);
    }

    void runsListsNewestFirst()
    {
        const CliRun run = cli({QStringLiteral("runs"), QStringLiteral("--run-dir"), m_runDir});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).startsWith(m_newerRun.toUtf8()), run.out.constData());
        QVERIFY(lines.at(0).contains(" finished "));
        QVERIFY2(lines.at(0).endsWith("failed=1 ok=2"), lines.at(0).constData());
        QVERIFY(lines.at(1).startsWith(m_olderRun.toUtf8()));
        QVERIFY(lines.at(1).endsWith("ok=1"));
    }

    void defaultIsTheNewestRun()
    {
        const QString out = m_dir.filePath(QStringLiteral("newest.jsonl"));
        const CliRun run = exportRun(QStringLiteral("jsonl"), out);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.isEmpty());
        const QList<QByteArray> lines = readAll(out).trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QCOMPARE(QJsonDocument::fromJson(lines.at(0)).object().value(u"id").toString(), u"b1"_qs);
        QVERIFY(!QFile::exists(out + QStringLiteral(".tmp")));
    }

    void withoutRunDirTheDefaultFolderOfRun()
    {
        // The folder `run` journals into without --run-dir (docs/cli.md), here empty.
        const QString folder = dataHome() + QStringLiteral("/Sluice/Sluice/runs");
        const QString out = m_dir.filePath(QStringLiteral("default.csv"));
        CliRun run = cli({u"runs"_qs});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QDir::toNativeSeparators(folder).toUtf8()), run.err.constData());
        run = cli({u"export"_qs, u"--format"_qs, u"csv"_qs, u"--output"_qs, out});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("no run store at"), run.err.constData());
        QVERIFY(!QFile::exists(folder + QStringLiteral("/runs.sqlite"))); // never created

        // The three commands name the same default in their help.
        for (const char *command : {"run", "export", "runs"}) {
            const CliRun help = cli({QString::fromLatin1(command), u"--help"_qs});
            QVERIFY2(
                help.out.simplified().contains(QDir::toNativeSeparators(folder).toUtf8()), command);
        }

        QString defaultRun;
        {
            RunStore store;
            QString error;
            QVERIFY2(
                store.open(folder + QStringLiteral("/runs.sqlite"), &error), qPrintable(error));
            defaultRun = addRun(store, {u"d1"_qs, u"d2"_qs}, u"ok"_qs);
        }
        run = cli({u"runs"_qs});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.startsWith(defaultRun.toUtf8()), run.out.constData());
        QCOMPARE(run.out.trimmed().count('\n'), 0);
        run = cli({u"export"_qs, u"--format"_qs, u"csv"_qs, u"--output"_qs, out});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(readAll(out).contains("d2"));
    }

    void chosenRunInEveryFormat()
    {
        const QString csv = m_dir.filePath(QStringLiteral("older.csv"));
        CliRun run = exportRun(QStringLiteral("csv"), csv, {QStringLiteral("--run"), m_olderRun});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QByteArray table = readAll(csv);
        QVERIFY(table.startsWith("id,status,output,"));
        QVERIFY2(table.contains("\r\na1,ok,\"answer, \"\"a1\"\"\",10,0,4,0,"), table.constData());

        const QString trace = m_dir.filePath(QStringLiteral("older.trace.json"));
        run = exportRun(QStringLiteral("trace"), trace, {QStringLiteral("--run"), m_olderRun});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject doc = QJsonDocument::fromJson(readAll(trace)).object();
        QCOMPARE(doc.value(u"format").toString(), u"sluice-trace"_qs);
        QCOMPARE(doc[u"run"][u"run_id"].toString(), m_olderRun);
        QCOMPARE(doc[u"requests"].toArray().size(), 1);

        const QString otlp = m_dir.filePath(QStringLiteral("newer.otlp.json"));
        run = exportRun(QStringLiteral("otlp"), otlp);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject scope = QJsonDocument::fromJson(readAll(otlp))
                                      .object()[u"resourceSpans"][0][u"scopeSpans"][0]
                                      .toObject();
        QVERIFY(!scope[u"scope"][u"version"].toString().isEmpty()); // the program's version
        const QJsonArray spans = scope[u"spans"].toArray();
        QCOMPARE(spans.size(), 6);
        QCOMPARE(spans.at(0)[u"name"].toString(), u"chat claude-test"_qs);
        bool anthropic = false;
        for (const QJsonValue &a : spans.at(0)[u"attributes"].toArray()) {
            if (a[u"key"].toString() == u"gen_ai.provider.name")
                anthropic = a[u"value"][u"stringValue"].toString() == u"anthropic";
        }
        QVERIFY(anthropic);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("message");
        const QString out = m_dir.filePath(QStringLiteral("never.jsonl"));
        QTest::newRow("no store") << QStringList {u"export"_qs, u"--run-dir"_qs,
            m_dir.filePath(u"empty"_qs), u"--format"_qs, u"jsonl"_qs, u"--output"_qs, out}
                                  << QByteArray("no run store at");
        QTest::newRow("runs, no store") << QStringList {u"runs"_qs, u"--run-dir"_qs,
            m_dir.filePath(u"empty"_qs)} << QByteArray("no run store at");
        QTest::newRow("unknown run") << QStringList {u"export"_qs, u"--run-dir"_qs, m_runDir,
            u"--run"_qs, u"run_nope"_qs, u"--format"_qs, u"jsonl"_qs, u"--output"_qs, out}
                                     << QByteArray("no run 'run_nope'");
        QTest::newRow("bad format") << QStringList {u"export"_qs, u"--run-dir"_qs, m_runDir,
            u"--format"_qs, u"xml"_qs, u"--output"_qs, out}
                                    << QByteArray("unknown --format 'xml'");
        QTest::newRow("no format") << QStringList {u"export"_qs, u"--run-dir"_qs, m_runDir,
            u"--output"_qs, out} << QByteArray("missing --format");
        QTest::newRow("no output")
            << QStringList {u"export"_qs, u"--run-dir"_qs, m_runDir, u"--format"_qs, u"csv"_qs}
            << QByteArray("missing --output");
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, message);
        QVERIFY(QDir().mkpath(m_dir.filePath(u"empty"_qs)));
        const CliRun run = cli(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(
            run.err.startsWith("sluice-cli: ") && run.err.contains(message), run.err.constData());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.jsonl"))));
        // Looking for a store never creates one.
        QVERIFY(!QFile::exists(m_dir.filePath(u"empty/runs.sqlite"_qs)));
    }

    void emptyStoreIsAUsageError()
    {
        const QString dir = m_dir.filePath(QStringLiteral("fresh"));
        {
            RunStore store;
            QString error;
            QVERIFY2(store.open(dir + QStringLiteral("/runs.sqlite"), &error), qPrintable(error));
        }
        const CliRun run = cli({u"export"_qs, u"--run-dir"_qs, dir, u"--format"_qs, u"csv"_qs,
            u"--output"_qs, m_dir.filePath(u"fresh.csv"_qs)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("holds no run yet"), run.err.constData());
    }

    void writeFailureExitsOne()
    {
        const QString blocker = m_dir.filePath(QStringLiteral("blocker"));
        QVERIFY(QFile(blocker).open(QIODevice::WriteOnly));
        const QString target = blocker + QStringLiteral("/out.csv");
        const CliRun run = exportRun(QStringLiteral("csv"), target);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("cannot write"), run.err.constData());
        QVERIFY(!QFile::exists(target + QStringLiteral(".tmp")));
    }

    void noKeyWrittenOrPrinted()
    {
        QStringList files;
        for (const QString &format : {u"jsonl"_qs, u"csv"_qs, u"trace"_qs, u"otlp"_qs}) {
            const QString out = m_dir.filePath(QStringLiteral("scan.") + format);
            const CliRun run = exportRun(format, out);
            QVERIFY2(run.exitCode == 0, run.err.constData());
            files << out;
        }
        const QJsonObject trace
            = QJsonDocument::fromJson(readAll(m_dir.filePath(u"scan.trace"_qs))).object();
        QCOMPARE(trace[u"run"][u"config"][u"note"].toString(),
            QStringLiteral("%1 / %1").arg(Redactor::kMask));

        QByteArrayList scanned = m_printed;
        const QFileInfoList written
            = QDir(m_dir.path()).entryInfoList(QDir::Files | QDir::NoDotAndDotDot);
        for (const QFileInfo &file : written) // the store itself is in runs/
            scanned << readAll(file.filePath());
        QVERIFY(scanned.size() > 10);
        for (const char *key : {kEnvKey, kCustomEnvKey}) {
            for (const QByteArray &form : Redactor::encodedForms(key)) {
                for (const QByteArray &bytes : std::as_const(scanned))
                    QVERIFY2(!bytes.contains(form), key);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "tst_cli_export.moc"
