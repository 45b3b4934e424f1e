// `sluice-cli run --input` and `sluice-cli plan` against a real sluice-sim
// process, as a script would run them: the output lines' exact fields for
// JSONL and CSV inputs, the exit codes 0 / 1 / 2 / 3, the budget and quota
// stops with the rest skipped, the trace file, and a run killed with SIGKILL
// mid-way then resumed: the simulator's log shows every row finished before
// the kill answered once, and the output holds every row exactly once. With
// --batch-api, the same through the provider's Batch API: a run killed after
// its batch was created follows that batch on --resume (one batch created,
// each line answered once), one killed before submits its rows then; and
// plan --batch-api prices the rows at the batch price.

#include "clirun.h"
#include "simprocess.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

QString cityPrompt(int i)
{
    return QStringLiteral("Describe City %1").arg(i);
}

// The simulator's log key of a prompt sent without instructions.
QString simDigest(const QString &prompt)
{
    const QByteArray json
        = QJsonDocument(QJsonArray {QString(), prompt}).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(json, QCryptographicHash::Sha256).toHex());
}

QList<QJsonObject> parseLines(const QByteArray &text)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            return {}; // a broken line fails the caller's count
        lines.append(document.object());
    }
    return lines;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList sortedKeys(const QJsonObject &object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

QStringList statusesOf(const QList<QJsonObject> &lines)
{
    QStringList statuses;
    for (const QJsonObject &line : lines)
        statuses << line.value(QStringLiteral("status")).toString();
    return statuses;
}

QSet<QString> idsOf(const QList<QJsonObject> &lines)
{
    QSet<QString> ids;
    for (const QJsonObject &line : lines)
        ids.insert(line.value(QStringLiteral("id")).toString());
    return ids;
}

} // namespace

class TestCliBatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("HOME"), m_dir.filePath(QStringLiteral("home")));
        m_env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        m_env.remove(QStringLiteral("OPENAI_API_KEY"));
        // 20 ms per answer, so that a run of a few hundred rows takes long enough to kill.
        QVERIFY2(m_sim.start(QStringLiteral(SLUICE_SIM_PATH),
                     {QStringLiteral("--latency-ms"), QStringLiteral("20")}),
            qPrintable(m_sim.errorString()));
        m_baseUrl = m_sim.baseUrl();
        m_controlUrl = m_baseUrl.chopped(3); // without /v1

        QByteArray jsonl;
        for (int i = 0; i < 30; ++i)
            jsonl += QStringLiteral("{\"id\":\"row-%1\",\"city\":\"City %1\"}\n").arg(i).toUtf8();
        m_jsonl = write(QStringLiteral("cities.jsonl"), jsonl);
        m_csv = write(QStringLiteral("cities.csv"),
            "name,city\r\nparis,\"Paris, FR\"\r\nrome,Rome\r\n\"multi\nline\",Oslo\r\n");
    }

    void cleanupTestCase() { QCOMPARE(m_sim.stop(), 0); }

    void init() { control("/sim/reset", "{}"); }

    void jsonlRowsWriteOneExactLineEach()
    {
        const QString output = m_dir.filePath(QStringLiteral("jsonl-out.jsonl"));
        const CliRun run = cli(runArguments(m_jsonl, QStringLiteral("jsonl"))
            + QStringList {QStringLiteral("--output"), output});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.isEmpty(), run.err.constData()); // no progress bar into a pipe
        QVERIFY(run.out.isEmpty());
        const QList<QJsonObject> lines = parseLines(readAll(output));
        QCOMPARE(lines.size(), 30);
        QCOMPARE(idsOf(lines).size(), 30);
        QVERIFY(idsOf(lines).contains(QStringLiteral("row-7")));
        QCOMPARE(statusesOf(lines).count(QStringLiteral("ok")), 30);
        for (const QJsonObject &line : lines) {
            QCOMPARE(sortedKeys(line),
                QStringList({u"attempts"_qs, u"cost_usd"_qs, u"error"_qs, u"id"_qs,
                    u"latency_ms"_qs, u"output"_qs, u"queue_ms"_qs, u"status"_qs, u"trace_id"_qs,
                    u"ttft_ms"_qs, u"usage"_qs}));
            QCOMPARE(sortedKeys(line.value(QStringLiteral("usage")).toObject()),
                QStringList({u"cached_tokens"_qs, u"input_tokens"_qs, u"output_tokens"_qs,
                    u"reasoning_tokens"_qs}));
            QVERIFY(line.value(QStringLiteral("error")).isNull());
            QCOMPARE(line.value(QStringLiteral("attempts")).toInt(), 1);
            QVERIFY(line.value(QStringLiteral("cost_usd")).toDouble() > 0); // sim-small is priced
            QVERIFY(line.value(QStringLiteral("output")).toString().contains(u"Describe City"));
            QVERIFY(line.value(QStringLiteral("ttft_ms")).isNull()); // not streamed
        }
        QCOMPARE(simLog().size(), 30);
    }

    void csvRowsToStdoutWithRowIndexIds()
    {
        const CliRun run = cli(runArguments(m_csv, QStringLiteral("csv")));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QJsonObject> lines = parseLines(run.out);
        QCOMPARE(lines.size(), 3);
        // No `id` column: the row index is the id.
        QCOMPARE(idsOf(lines), QSet<QString>({u"0"_qs, u"1"_qs, u"2"_qs}));
        for (const QJsonObject &line : lines) {
            if (line.value(QStringLiteral("id")).toString() == u"0") {
                QVERIFY2(line.value(QStringLiteral("output")).toString().contains(u"Paris, FR"),
                    qPrintable(line.value(QStringLiteral("output")).toString()));
            }
        }
        // --id-field names another column.
        const CliRun named = cli(runArguments(m_csv, QStringLiteral("csv-named"))
            + QStringList {QStringLiteral("--id-field"), QStringLiteral("name")});
        QCOMPARE(named.exitCode, 0);
        QCOMPARE(idsOf(parseLines(named.out)),
            QSet<QString>({u"paris"_qs, u"rome"_qs, u"multi\nline"_qs}));
    }

    void streamedRowsCarryTimeToFirstToken()
    {
        const CliRun run = cli(runArguments(m_csv, QStringLiteral("stream"))
            + QStringList {QStringLiteral("--stream")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QJsonObject> lines = parseLines(run.out);
        QCOMPARE(lines.size(), 3);
        for (const QJsonObject &line : lines)
            QVERIFY(line.value(QStringLiteral("ttft_ms")).toDouble() > 0);
    }

    void someRowsNotOkExitOne()
    {
        const QString input = write(QStringLiteral("missing.jsonl"),
            "{\"id\":\"a\",\"city\":\"Lima\"}\n{\"id\":\"b\",\"town\":\"Quito\"}\nnot json\n");
        const CliRun run = cli(runArguments(input, QStringLiteral("missing")));
        QCOMPARE(run.exitCode, 1);
        const QList<QJsonObject> lines = parseLines(run.out);
        QCOMPARE(lines.size(), 2);
        for (const QJsonObject &line : lines) {
            const bool isB = line.value(QStringLiteral("id")).toString() == u"b";
            QCOMPARE(line.value(QStringLiteral("status")).toString(),
                isB ? QStringLiteral("failed") : QStringLiteral("ok"));
            if (isB) {
                QVERIFY(line.value(QStringLiteral("error"))[QStringLiteral("message")]
                            .toString()
                            .contains(u"city"));
            }
        }
        QVERIFY2(run.err.contains("line 3"), run.err.constData()); // the unreadable record
        QCOMPARE(simLog().size(), 1); // the row missing its variable was never sent
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QByteArray>("mentions");
        QTest::newRow("resume without a run")
            << QStringList {u"--resume"_qs} << QByteArray("no unfinished run");
        QTest::newRow("bad prices")
            << QStringList {u"--prices"_qs, u"/nonexistent/p.json"_qs} << QByteArray("--prices");
        QTest::newRow("bad provider")
            << QStringList {u"--provider"_qs, u"gemini"_qs} << QByteArray("--provider");
        QTest::newRow("bad window")
            << QStringList {u"--window-seconds"_qs, u"0"_qs} << QByteArray("--window-seconds");
        QTest::newRow("resume a provider batch run without one") << QStringList {
            u"--batch-api"_qs, u"--resume"_qs} << QByteArray("no unfinished --batch-api run");
        QTest::newRow("bad budget")
            << QStringList {u"--budget-usd"_qs, u"-1"_qs} << QByteArray("--budget-usd");
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, extra);
        QFETCH(QByteArray, mentions);
        const CliRun run = cli(runArguments(m_jsonl, QStringLiteral("usage")) + extra);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QCOMPARE(run.err.trimmed().count('\n'), 0);
        QVERIFY2(run.err.contains(mentions), run.err.constData());
        QCOMPARE(simLog().size(), 0);
    }

    void badInputFileExitsTwo()
    {
        const CliRun run = cli(
            runArguments(write(QStringLiteral("input.txt"), "x\n"), QStringLiteral("badinput")));
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(".jsonl"), run.err.constData());
    }

    // A CSV's header is known up front: a variable no column holds would fail
    // every row, so nothing is sent and the line names the columns there are.
    void templateVariableWithoutAColumnExitsTwo()
    {
        const QString input
            = write(QStringLiteral("towns.csv"), "town,country\nParis,FR\nRome,IT\n");
        const CliRun run = cli(runArguments(input, QStringLiteral("nocolumn")));
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("{{city}}") && run.err.contains("columns: town, country"),
            run.err.constData());
        QVERIFY(run.out.isEmpty());
        QCOMPARE(simLog().size(), 0);
    }

    void quotaStopsSkipsTheRestAndResumeFinishes()
    {
        control("/sim/faults", R"({"script":["none","none","insufficient_quota"]})");
        const QString runDir = m_dir.filePath(QStringLiteral("runs-quota"));
        const QString output = m_dir.filePath(QStringLiteral("quota.jsonl"));
        QStringList arguments = runArguments(m_jsonl, QString())
            + QStringList {QStringLiteral("--run-dir"), runDir, QStringLiteral("--concurrency"),
                QStringLiteral("1"), QStringLiteral("--output"), output};
        const CliRun stopped = cli(arguments);
        QCOMPARE(stopped.exitCode, 3);
        QVERIFY2(stopped.err.contains("quota"), stopped.err.constData());
        QVERIFY2(stopped.err.contains("--resume"), stopped.err.constData());
        QList<QJsonObject> lines = parseLines(readAll(output));
        QCOMPARE(lines.size(), 30);
        QCOMPARE(idsOf(lines).size(), 30);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("ok")), 2);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("failed")), 1);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("skipped")), 27);
        for (const QJsonObject &line : std::as_const(lines)) {
            if (line.value(QStringLiteral("status")).toString() == u"skipped") {
                QCOMPARE(line.value(QStringLiteral("error"))[QStringLiteral("class")].toString(),
                    QStringLiteral("quota_exhausted"));
            }
        }
        QCOMPARE(simLog().size(), 3);

        // The quota is back: --resume sends the skipped rows; the failed row is
        // finished and keeps its line, so the run still exits 1.
        const CliRun resumed = cli(arguments + QStringList {QStringLiteral("--resume")});
        QVERIFY2(resumed.exitCode == 1, resumed.err.constData()); // the quota row stays failed
        lines = parseLines(readAll(output));
        QCOMPARE(lines.size(), 30);
        QCOMPARE(idsOf(lines).size(), 30);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("ok")), 29);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("failed")), 1);
        QCOMPARE(simLog().size(), 3 + 27);
    }

    void budgetStopsWithExitThree()
    {
        const QString output = m_dir.filePath(QStringLiteral("budget.jsonl"));
        const CliRun run = cli(runArguments(m_jsonl, QStringLiteral("budget"))
            + QStringList {QStringLiteral("--budget-usd"), QStringLiteral("0.0001"),
                QStringLiteral("--max-output-tokens"), QStringLiteral("100"),
                QStringLiteral("--concurrency"), QStringLiteral("1"), QStringLiteral("--output"),
                output});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains("--budget-usd"), run.err.constData());
        const QList<QJsonObject> lines = parseLines(readAll(output));
        QCOMPARE(lines.size(), 30);
        const qsizetype ok = statusesOf(lines).count(QStringLiteral("ok"));
        QVERIFY2(ok >= 1 && ok < 30, qPrintable(QString::number(ok)));
        QCOMPARE(statusesOf(lines).count(QStringLiteral("skipped")), 30 - ok);
        QCOMPARE(simLog().size(), ok);
        double spent = 0;
        for (const QJsonObject &line : lines)
            spent += line.value(QStringLiteral("cost_usd")).toDouble();
        QVERIFY(spent <= 0.0001);
    }

    void traceFileIsWritten()
    {
        const QString trace = m_dir.filePath(QStringLiteral("run.trace.json"));
        const CliRun run = cli(runArguments(m_csv, QStringLiteral("trace"))
            + QStringList {QStringLiteral("--trace"), trace});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonDocument document = QJsonDocument::fromJson(readAll(trace));
        QVERIFY(document.isObject());
        QVERIFY(!document.object().isEmpty());
    }

    void planPrintsTheEstimate()
    {
        const QStringList arguments = QStringList {QStringLiteral("plan")}
            + runArguments(m_jsonl, QStringLiteral("plan")).mid(1)
            + QStringList {QStringLiteral("--rpm"), QStringLiteral("12"),
                QStringLiteral("--max-output-tokens"), QStringLiteral("50")};
        const CliRun text = cli(arguments);
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY2(text.out.contains("30 to send"), text.out.constData());
        QVERIFY2(text.out.contains("bound by requests"), text.out.constData());

        const CliRun json = cli(arguments + QStringList {QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject plan = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(plan.value(QStringLiteral("rows")).toInt(), 30);
        QCOMPARE(plan.value(QStringLiteral("output_tokens_max")).toInt(), 30 * 50);
        QCOMPARE(plan.value(QStringLiteral("requests_per_window")).toInt(), 12);
        QCOMPARE(plan.value(QStringLiteral("eta_seconds")).toDouble(), 120.0); // 3 windows
        QVERIFY(plan.value(QStringLiteral("cost_usd")).toDouble() > 0);
        QCOMPARE(plan.value(QStringLiteral("batch_price")).toBool(), false);

        // Through the provider's Batch API the rows cost sim-small's batch price, half.
        QStringList batchArguments = arguments;
        batchArguments.removeAt(batchArguments.indexOf(u"--rpm"_qs) + 1);
        batchArguments.removeAll(u"--rpm"_qs);
        const CliRun batch = cli(
            batchArguments + QStringList {QStringLiteral("--batch-api"), QStringLiteral("--json")});
        QVERIFY2(batch.exitCode == 0, batch.err.constData());
        const QJsonObject batchPlan = QJsonDocument::fromJson(batch.out).object();
        QCOMPARE(batchPlan.value(QStringLiteral("batch_price")).toBool(), true);
        for (const char *key : {"cost_usd", "cost_usd_max"}) {
            const double live = plan.value(QLatin1String(key)).toDouble();
            QVERIFY2(qAbs(batchPlan.value(QLatin1String(key)).toDouble() * 2 - live) < 1e-9, key);
        }
        const CliRun batchText = cli(batchArguments + QStringList {QStringLiteral("--batch-api")});
        QVERIFY2(batchText.out.contains("batch price"), batchText.out.constData());
        QCOMPARE(simLog().size(), 0); // nothing sent
    }

    void singlePromptWithOutputWritesOneLine()
    {
        const CliRun run = cli({QStringLiteral("run"), QStringLiteral("--base-url"), m_baseUrl,
            QStringLiteral("--model"), QStringLiteral("sim-small"), QStringLiteral("--prompt"),
            QStringLiteral("Hello {{literal}}"), QStringLiteral("--output"),
            m_dir.filePath(QStringLiteral("single.jsonl"))});
        QCOMPARE(run.exitCode, 0);
        const QList<QJsonObject> lines
            = parseLines(readAll(m_dir.filePath(QStringLiteral("single.jsonl"))));
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines.constFirst().value(QStringLiteral("id")).toString(), QStringLiteral("0"));
        QVERIFY(
            lines.constFirst().value(QStringLiteral("output")).toString().contains(u"{{literal}}"));
    }

    void batchApiRunsAtTheBatchPrice()
    {
        control("/sim/batch-speed",
            R"({"seconds_per_request":0,"validating_seconds":0,"finalizing_seconds":0})");
        const CliRun live = cli(runArguments(m_csv, QStringLiteral("live")));
        QCOMPARE(live.exitCode, 0);
        const CliRun batch = cli(runArguments(m_csv, QStringLiteral("batch-api"))
            + QStringList {QStringLiteral("--batch-api"), QStringLiteral("--poll-seconds"),
                QStringLiteral("1")});
        QVERIFY2(batch.exitCode == 0, batch.err.constData());
        QVERIFY2(batch.err.contains("provider batch"), batch.err.constData()); // its id, to find it
        QHash<QString, double> liveCost;
        for (const QJsonObject &line : parseLines(live.out)) {
            liveCost.insert(line.value(QStringLiteral("id")).toString(),
                line.value(QStringLiteral("cost_usd")).toDouble());
        }
        const QList<QJsonObject> lines = parseLines(batch.out);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("ok")), 3);
        for (const QJsonObject &line : lines) {
            QCOMPARE(sortedKeys(line), sortedKeys(parseLines(live.out).constFirst()));
            // sim-small's batch discount is half.
            QCOMPARE(line.value(QStringLiteral("cost_usd")).toDouble() * 2,
                liveCost.value(line.value(QStringLiteral("id")).toString()));
        }
        control("/sim/reset", "{}");
    }

    void killedRunResumesWithoutSendingFinishedRowsAgain()
    {
        constexpr int kRows = 400;
        constexpr int kConcurrency = 4;
        const QString input = cities(QStringLiteral("kill.jsonl"), QStringLiteral("k"), kRows);
        const QString output = m_dir.filePath(QStringLiteral("kill-out.jsonl"));
        const QStringList arguments = runArguments(input, QString())
            + QStringList {QStringLiteral("--run-dir"), m_dir.filePath(QStringLiteral("runs-kill")),
                QStringLiteral("--concurrency"), QString::number(kConcurrency),
                QStringLiteral("--output"), output};

        QProcess process;
        process.setProcessEnvironment(m_env);
        process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
        QVERIFY(process.waitForStarted());
        QVERIFY(QTest::qWaitFor([&] { return readAll(output).count('\n') >= kRows / 4; }, 60'000));
        process.kill(); // SIGKILL: no handler, no flush, no goodbye
        QVERIFY(process.waitForFinished());
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);

        const QList<QJsonObject> before = parseLines(readAll(output));
        QVERIFY2(before.size() >= kRows / 4 && before.size() < kRows,
            qPrintable(QString::number(before.size())));
        const QSet<QString> finishedBefore = idsOf(before);
        QCOMPARE(finishedBefore.size(), before.size());

        const CliRun resumed = cli(arguments + QStringList {QStringLiteral("--resume")});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());

        // The output holds every row exactly once, all ok.
        const QList<QJsonObject> after = parseLines(readAll(output));
        QCOMPARE(after.size(), kRows);
        QCOMPARE(idsOf(after).size(), kRows);
        QCOMPARE(statusesOf(after).count(QStringLiteral("ok")), kRows);
        // Rows finished before the kill keep their lines (same trace ids).
        QHash<QString, QString> traceBefore;
        for (const QJsonObject &line : before) {
            traceBefore.insert(line.value(QStringLiteral("id")).toString(),
                line.value(QStringLiteral("trace_id")).toString());
        }
        for (const QJsonObject &line : after) {
            const QString id = line.value(QStringLiteral("id")).toString();
            if (traceBefore.contains(id))
                QCOMPARE(line.value(QStringLiteral("trace_id")).toString(), traceBefore.value(id));
        }

        // The simulator saw every row; each finished row once; at most the
        // rows in flight at the kill twice.
        QHash<QString, int> answers;
        for (const QJsonObject &entry : simLog())
            ++answers[entry.value(QStringLiteral("input_sha256")).toString()];
        int sentTwice = 0;
        for (int i = 0; i < kRows; ++i) {
            const int times = answers.value(simDigest(cityPrompt(i)));
            const QString id = QStringLiteral("k%1").arg(i);
            if (finishedBefore.contains(id))
                QVERIFY2(times == 1,
                    qPrintable(QStringLiteral("%1 answered %2 times").arg(id).arg(times)));
            else
                QVERIFY2(times == 1 || times == 2, qPrintable(id));
            if (times == 2)
                ++sentTwice;
        }
        QVERIFY2(sentTwice <= kConcurrency, qPrintable(QString::number(sentTwice)));
        qInfo("killed after %lld of %d rows; %d in flight then were sent again",
            qint64(before.size()), kRows, sentTwice);
    }

    // A --batch-api run killed (SIGKILL) once its provider batch exists:
    // --resume follows that batch by id instead of submitting again, so the
    // simulator sees one batch created and every line answered once; the
    // rows the journal has done are copied, not rendered again.
    void batchApiKilledAfterTheBatchIsCreatedResumesIt()
    {
        control("/sim/batch-speed",
            R"({"seconds_per_request":0.2,"validating_seconds":0.2,"finalizing_seconds":0.2})");
        constexpr int kRows = 12;
        const QString input
            = cities(QStringLiteral("batch-kill.jsonl"), QStringLiteral("b"), kRows);
        QFile file(input); // and a row that fails unsent, done at once
        QVERIFY(file.open(QIODevice::Append));
        file.write("{\"id\":\"no-city\",\"town\":\"Quito\"}\n");
        file.close();
        const QString output = m_dir.filePath(QStringLiteral("batch-kill-out.jsonl"));
        const QStringList live = runArguments(input, QStringLiteral("batch-kill"))
            + QStringList {QStringLiteral("--output"), output};
        const QStringList arguments = live
            + QStringList {QStringLiteral("--batch-api"), QStringLiteral("--poll-seconds"),
                QStringLiteral("1")};

        QProcess process;
        process.setProcessEnvironment(m_env);
        process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
        QVERIFY(process.waitForStarted());
        QByteArray err;
        QVERIFY2(sluice::test::killOnceBatchExists(process, err), err.constData());
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        QCOMPARE(batchCreates(simLog()), 1);
        QCOMPARE(statusesOf(parseLines(readAll(output))), QStringList {u"failed"_qs});

        // A live --resume does not take the rows the provider batch holds.
        const CliRun liveResume = cli(live + QStringList {QStringLiteral("--resume")});
        QVERIFY2(liveResume.exitCode == 2, liveResume.err.constData());

        const CliRun resumed = cli(arguments + QStringList {QStringLiteral("--resume")});
        QVERIFY2(resumed.exitCode == 1, resumed.err.constData()); // the row without a city
        QVERIFY2(resumed.err.contains("following provider batches"), resumed.err.constData());
        QVERIFY2(resumed.err.contains("1 rows not ok"), resumed.err.constData());
        const QList<QJsonObject> lines = parseLines(readAll(output));
        QCOMPARE(lines.size(), kRows + 1);
        QCOMPARE(idsOf(lines).size(), kRows + 1);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("ok")), kRows);

        const QList<QJsonObject> log = simLog();
        QCOMPARE(batchCreates(log), 1);
        const QHash<QString, int> answered = linesAnswered(log);
        QCOMPARE(answered.size(), kRows);
        for (int i = 0; i < kRows; ++i)
            QCOMPARE(answered.value(QStringLiteral("b%1").arg(i)), 1);

        // Finished: nothing left to resume.
        const CliRun again = cli(arguments + QStringList {QStringLiteral("--resume")});
        QCOMPARE(again.exitCode, 2);
        QCOMPARE(batchCreates(simLog()), 1);
    }

    // A --batch-api run killed after its rows were journalled but before its
    // batch was created: --resume submits them in a new batch, once.
    void batchApiKilledBeforeTheBatchIsCreatedSubmitsOnResume()
    {
        // Every answer of this simulator takes a second, so the upload is
        // still unanswered when the kill comes.
        sluice::test::SimProcess slow;
        QVERIFY2(slow.start(QStringLiteral(SLUICE_SIM_PATH),
                     {QStringLiteral("--latency-ms"), QStringLiteral("1000"),
                         QStringLiteral("--batch-seconds-per-request"), QStringLiteral("0"),
                         QStringLiteral("--batch-phase-seconds"), QStringLiteral("0")}),
            qPrintable(slow.errorString()));
        const QString slowControl = slow.baseUrl().chopped(3);
        constexpr int kRows = 5;
        const QString input
            = cities(QStringLiteral("batch-early.jsonl"), QStringLiteral("u"), kRows);
        const QString output = m_dir.filePath(QStringLiteral("batch-early-out.jsonl"));
        const QStringList arguments
            = runArguments(input, QStringLiteral("batch-early"), slow.baseUrl())
            + QStringList {QStringLiteral("--output"), output, QStringLiteral("--batch-api"),
                QStringLiteral("--poll-seconds"), QStringLiteral("1")};

        QProcess process;
        process.setProcessEnvironment(m_env);
        process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
        QVERIFY(process.waitForStarted());
        const auto uploads = [&] {
            int n = 0;
            for (const QJsonObject &entry : simLog(slowControl))
                n += entry.value(QStringLiteral("path")).toString() == u"/v1/files";
            return n;
        };
        QVERIFY(QTest::qWaitFor([&] { return uploads() == 1; }, 30'000));
        process.kill();
        QVERIFY(process.waitForFinished());
        QCOMPARE(batchCreates(simLog(slowControl)), 0);

        const CliRun resumed = cli(arguments + QStringList {QStringLiteral("--resume")});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QVERIFY2(!resumed.err.contains("following"), resumed.err.constData()); // none recorded
        const QList<QJsonObject> lines = parseLines(readAll(output));
        QCOMPARE(lines.size(), kRows);
        QCOMPARE(idsOf(lines).size(), kRows);
        QCOMPARE(statusesOf(lines).count(QStringLiteral("ok")), kRows);
        const QList<QJsonObject> log = simLog(slowControl);
        QCOMPARE(batchCreates(log), 1);
        const QHash<QString, int> answered = linesAnswered(log);
        QCOMPARE(answered.size(), kRows);
        for (int i = 0; i < kRows; ++i)
            QCOMPARE(answered.value(QStringLiteral("u%1").arg(i)), 1);
        QCOMPARE(slow.stop(), 0);
    }

private:
    // Batches created (OpenAI's POST /v1/batches) in a simulator log.
    static int batchCreates(const QList<QJsonObject> &log)
    {
        int creates = 0;
        for (const QJsonObject &entry : log) {
            creates += entry.value(QStringLiteral("method")).toString() == u"POST"
                && entry.value(QStringLiteral("path")).toString() == u"/v1/batches";
        }
        return creates;
    }

    // Batch lines answered, by custom_id (the row id here).
    static QHash<QString, int> linesAnswered(const QList<QJsonObject> &log)
    {
        QHash<QString, int> answered;
        for (const QJsonObject &entry : log) {
            if (const QString id = entry.value(QStringLiteral("custom_id")).toString();
                !id.isEmpty()) {
                ++answered[id];
            }
        }
        return answered;
    }

    // A JSONL dataset of `rows` cities with ids `<prefix>0`, `<prefix>1`, ...
    QString cities(const QString &name, const QString &prefix, int rows)
    {
        QByteArray jsonl;
        for (int i = 0; i < rows; ++i) {
            jsonl += QStringLiteral("{\"id\":\"%1%2\",\"city\":\"City %2\"}\n")
                         .arg(prefix)
                         .arg(i)
                         .toUtf8();
        }
        return write(name, jsonl);
    }

    QString write(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    // `run` over `input` against the simulator (`baseUrl` empty: the shared
    // one), with its own run store.
    QStringList runArguments(
        const QString &input, const QString &runDir, const QString &baseUrl = {}) const
    {
        QStringList arguments {QStringLiteral("run"), QStringLiteral("--base-url"),
            baseUrl.isEmpty() ? m_baseUrl : baseUrl, QStringLiteral("--model"),
            QStringLiteral("sim-small"), QStringLiteral("--prompt"),
            QStringLiteral("Describe {{city}}"), QStringLiteral("--input"), input};
        if (!runDir.isEmpty())
            arguments << QStringLiteral("--run-dir")
                      << m_dir.filePath(QStringLiteral("runs-") + runDir);
        return arguments;
    }

    CliRun cli(const QStringList &arguments) const
    {
        QProcess process;
        process.setProcessEnvironment(m_env);
        process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
        if (!process.waitForFinished(90'000)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
    }

    QByteArray control(const char *path, const QByteArray &body = {}, QString controlUrl = {})
    {
        if (controlUrl.isEmpty())
            controlUrl = m_controlUrl;
        QNetworkRequest request(QUrl(controlUrl + QString::fromLatin1(path)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply
            = body.isNull() ? m_network.get(request) : m_network.post(request, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const QByteArray answer = reply->readAll();
        reply->deleteLater();
        return answer;
    }

    // The simulator's log; `controlUrl` empty: the shared simulator's.
    QList<QJsonObject> simLog(const QString &controlUrl = {})
    {
        QList<QJsonObject> entries;
        const QJsonArray array = QJsonDocument::fromJson(control("/sim/log", {}, controlUrl))
                                     .object()
                                     .value(u"entries")
                                     .toArray();
        for (const QJsonValue &entry : array)
            entries.append(entry.toObject());
        return entries;
    }

    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
    sluice::test::SimProcess m_sim;
    QString m_baseUrl;
    QString m_controlUrl;
    QString m_jsonl;
    QString m_csv;
    QNetworkAccessManager m_network;
};

QTEST_GUILESS_MAIN(TestCliBatch)
#include "tst_cli_batch.moc"
