// The run store: runs and rows survive a reopen, WAL is really on, a row is
// committed as sending then done, a row left in flight is marked resent when
// sent again, rows come back in index order page by page, and a child
// process killed with SIGKILL mid-run leaves every committed row intact and
// the database not corrupt.
#include "core/redaction.h"
#include "engine/batch/runstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <numeric>

using namespace sluice;

namespace {

constexpr const char *kChildFlag = "--journal-child";
constexpr const char *kOpenChildFlag = "--open-child";

/// A second, plain connection to the file, to look at it from outside the store.
class RawDb
{
public:
    explicit RawDb(const QString &path) : m_name(QUuid::createUuid().toString())
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~RawDb()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    QVariant scalar(const QString &sql)
    {
        QSqlQuery q(m_db);
        return q.exec(sql) && q.next() ? q.value(0) : QVariant();
    }

private:
    QString m_name;
    QSqlDatabase m_db;
};

QJsonObject okLine(const QString &id, int n)
{
    return {{"id", id}, {"status", "ok"}, {"output", n}};
}

QJsonObject traceOf(const QString &id)
{
    return {{"trace_id", id}, {"spans", QJsonArray()}};
}

/// The child of the crash test: journals rows one after the other, saying
/// on stdout after each commit which row it committed, until it is killed.
int journalChild(const QString &path, const QString &runId)
{
    RunStore store;
    QString error;
    if (!store.open(path, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 2;
    }
    for (int i = 0; i < 1'000'000; ++i) {
        const QString id = QStringLiteral("row-%1").arg(i);
        if (!store.markSending(runId, id, i, QStringLiteral("fp"), &error))
            return 3;
        std::printf("sending %d\n", i);
        std::fflush(stdout);
        if (!store.markDone(runId, id, i, okLine(id, i), traceOf(id), &error))
            return 4;
        std::printf("done %d\n", i);
        std::fflush(stdout);
    }
    return 0;
}

/// A child that opens the store and creates a run, for first opens in parallel.
int openChild(const QString &path)
{
    RunStore store;
    QString error;
    if (!store.open(path, &error)
        || !store.createRun({}, QStringLiteral("fp"), QStringLiteral("v"), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    return 0;
}

} // namespace

class TestRunStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_stores = 0;

    QString newPath() { return m_dir.filePath(QStringLiteral("s%1/runs.db").arg(++m_stores)); }

    static RunInfo newRun(RunStore &store, const QString &fingerprint = QStringLiteral("fp-1"))
    {
        QString error;
        const std::optional<RunInfo> run = store.createRun(
            {{"model", "gpt-5-mini"}}, fingerprint, QStringLiteral("2026-11-01"), &error);
        if (!run)
            qFatal("createRun: %s", qPrintable(error));
        return *run;
    }

    /// A new store file holding one run; the store is closed again.
    QString newStoreWithRun(QString &runId)
    {
        const QString path = newPath();
        RunStore store;
        QString error;
        if (!store.open(path, &error))
            qFatal("open: %s", qPrintable(error));
        runId = newRun(store).runId;
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void createOpenReopen()
    {
        const QString path = newPath();
        QString error;
        RunInfo created;
        {
            RunStore store;
            QVERIFY2(store.open(path, &error), qPrintable(error)); // the folder is created
            QCOMPARE(store.path(), path);
            const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
            created = newRun(store);
            QVERIFY2(QRegularExpression(QStringLiteral("^run_\\d{8}T\\d{6}Z_[0-9a-f]{4}$"))
                         .match(created.runId)
                         .hasMatch(),
                qPrintable(created.runId));
            QVERIFY(created.createdAt >= before);
            QCOMPARE(created.createdAt.timeSpec(), Qt::UTC);
            QCOMPARE(created.status, QStringLiteral("running"));
            QVERIFY(store.markSending(
                created.runId, QStringLiteral("a"), 0, QStringLiteral("f"), &error));
        }
        RunStore store;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        const std::optional<RunInfo> run = store.run(created.runId);
        QVERIFY(run);
        QCOMPARE(run->runId, created.runId);
        QCOMPARE(run->createdAt, created.createdAt);
        QCOMPARE(run->config, QJsonObject({{"model", "gpt-5-mini"}}));
        QCOMPARE(run->configFingerprint, QStringLiteral("fp-1"));
        QCOMPARE(run->priceTableVersion, QStringLiteral("2026-11-01"));
        QCOMPARE(run->status, QStringLiteral("running"));
        QCOMPARE(run->rowCount, 1);
        QVERIFY(!store.run(QStringLiteral("run_missing")));

        // Newest first; ids unique even within one second.
        QStringList ids {created.runId};
        for (int i = 0; i < 40; ++i)
            ids.prepend(newRun(store).runId);
        QStringList listed;
        for (const RunInfo &info : store.runs())
            listed << info.runId;
        QCOMPARE(listed, ids);
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
    }

    void noKeyInTheFile()
    {
        const QByteArray key = "sk-runstore-test-key-0123456789";
        registerSecret(key);
        const QString path = newPath();
        RunStore store;
        QString error;
        QVERIFY(store.open(path, &error));
        const std::optional<RunInfo> run = store.createRun(
            {{"header", QString::fromLatin1("Bearer " + key)}}, QStringLiteral("fp"), {}, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(store.run(run->runId)->config.value("header").toString(),
            QStringLiteral("Bearer [redacted]"));
    }

    void walSchemaAndConnections()
    {
        const QString path = newPath();
        QString error;
        RunStore first;
        RunStore second; // each instance has its own connection
        QVERIFY2(first.open(path, &error), qPrintable(error));
        QVERIFY2(second.open(path, &error), qPrintable(error));
        const RunInfo run = newRun(first);
        QVERIFY(second.markSending(run.runId, QStringLiteral("x"), 0, {}, &error));
        QCOMPARE(first.row(run.runId, QStringLiteral("x"))->state, RowState::InFlight);
        QVERIFY(QFile::exists(path + QStringLiteral("-wal")));

        RawDb raw(path);
        QCOMPARE(
            raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(
            raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), RunStore::kSchemaVersion);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = "
                                           "'rows_by_index'"))
                     .toInt(),
            1);
    }

    void firstOpensInParallel()
    {
        // Processes that open a new store at once create its tables once.
        const QString path = newPath();
        QList<QProcess *> children;
        for (int i = 0; i < 4; ++i) {
            auto *child = new QProcess(this);
            child->start(QCoreApplication::applicationFilePath(),
                {QString::fromLatin1(kOpenChildFlag), path});
            children << child;
        }
        for (QProcess *child : std::as_const(children)) {
            QVERIFY(child->waitForFinished(30'000));
            QVERIFY2(child->exitStatus() == QProcess::NormalExit && child->exitCode() == 0,
                child->readAllStandardError().constData());
            delete child;
        }
        RunStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QCOMPARE(store.runs().size(), 4);
    }

    void sendingThenDone()
    {
        RunStore store;
        QString error;
        QVERIFY(store.open(newPath(), &error));
        const RunInfo run = newRun(store);
        QVERIFY(!store.row(run.runId, QStringLiteral("r1")));

        QVERIFY2(
            store.markSending(run.runId, QStringLiteral("r1"), 4, QStringLiteral("fp-a"), &error),
            qPrintable(error));
        std::optional<StoredRow> row = store.row(run.runId, QStringLiteral("r1"));
        QVERIFY(row);
        QCOMPARE(row->rowId, QStringLiteral("r1"));
        QCOMPARE(row->rowIndex, 4);
        QCOMPARE(row->state, RowState::InFlight);
        QCOMPARE(row->fingerprint, QStringLiteral("fp-a"));
        QCOMPARE(row->sends, 1);
        QVERIFY(!row->resent);
        QVERIFY(row->line.isEmpty());

        const QJsonObject line = okLine(QStringLiteral("r1"), 42);
        QVERIFY2(store.markDone(run.runId, QStringLiteral("r1"), 4, line,
                     traceOf(QStringLiteral("t1")), &error),
            qPrintable(error));
        row = store.row(run.runId, QStringLiteral("r1"));
        QCOMPARE(row->state, RowState::Done);
        QCOMPARE(row->line, line);
        QCOMPARE(row->trace, traceOf(QStringLiteral("t1")));
        QCOMPARE(row->sends, 1);
        QVERIFY(!row->resent);

        // A row never sent (skipped) is journalled as done directly.
        const QJsonObject skipped {{"id", "r2"}, {"status", "skipped"}};
        QVERIFY(store.markDone(run.runId, QStringLiteral("r2"), 5, skipped, {}, &error));
        row = store.row(run.runId, QStringLiteral("r2"));
        QCOMPARE(row->state, RowState::Done);
        QCOMPARE(row->sends, 0);
        QVERIFY(row->trace.isEmpty());

        // Rows belong to a run the store knows.
        QVERIFY(!store.markSending(QStringLiteral("run_nope"), QStringLiteral("r"), 0, {}, &error));
        QVERIFY2(error.endsWith(QStringLiteral(" has no run run_nope")), qPrintable(error));
        QVERIFY(
            !store.markDone(QStringLiteral("run_nope"), QStringLiteral("r"), 0, {}, {}, &error));
        QVERIFY2(error.endsWith(QStringLiteral(" has no run run_nope")), qPrintable(error));
    }

    void inFlightOnReopenIsResent()
    {
        QString runId;
        const QString path = newStoreWithRun(runId);
        QString error;
        {
            RunStore store;
            QVERIFY(store.open(path, &error));
            QVERIFY(store.markSending(runId, QStringLiteral("a"), 0, QStringLiteral("f"), &error));
            QVERIFY(store.markSending(runId, QStringLiteral("b"), 1, QStringLiteral("f"), &error));
            QVERIFY(store.markDone(runId, QStringLiteral("b"), 1, okLine("b", 1), {}, &error));
        }
        RunStore store;
        QVERIFY(store.open(path, &error));
        QCOMPARE(store.row(runId, QStringLiteral("a"))->state, RowState::InFlight);
        QCOMPARE(store.counts(runId).inFlight, 1);
        QVERIFY(store.markSending(runId, QStringLiteral("a"), 0, QStringLiteral("f"), &error));
        StoredRow a = *store.row(runId, QStringLiteral("a"));
        QCOMPARE(a.sends, 2);
        QVERIFY(a.resent);
        QVERIFY(store.markDone(runId, QStringLiteral("a"), 0, okLine("a", 0), {}, &error));
        a = *store.row(runId, QStringLiteral("a"));
        QCOMPARE(a.state, RowState::Done);
        QVERIFY(a.resent); // stays marked once done
        // A done row sent again (e.g. retrying failures) is not a crash's resend.
        QVERIFY(store.markSending(runId, QStringLiteral("b"), 1, QStringLiteral("f"), &error));
        const StoredRow b = *store.row(runId, QStringLiteral("b"));
        QCOMPARE(b.state, RowState::InFlight);
        QCOMPARE(b.sends, 2);
        QVERIFY(!b.resent);
        QCOMPARE(b.line, okLine("b", 1)); // until its new line replaces it
    }

    void forEachRowInIndexOrderByPages()
    {
        RunStore store;
        QString error;
        QVERIFY(store.open(newPath(), &error));
        const RunInfo run = newRun(store);
        const RunInfo other = newRun(store);
        constexpr int kRows = 2000;
        QList<int> order(kRows);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), *QRandomGenerator::global());
        for (int i : std::as_const(order)) {
            // Ids that sort unlike the index, so the order is the index's.
            const QString id = QStringLiteral("id-%1").arg(kRows - i);
            QVERIFY(store.markSending(run.runId, id, i, {}, &error));
            if (i % 3 == 0)
                QVERIFY(store.markDone(run.runId, id, i, okLine(id, i), {}, &error));
        }
        QVERIFY(store.markSending(other.runId, QStringLiteral("id-1"), 0, {}, &error));

        QList<qint64> seen;
        int lookedUp = 0;
        QVERIFY2(store.forEachRow(
                     run.runId,
                     [&](const StoredRow &row) {
                         seen << row.rowIndex;
                         // The store may be used from inside the visit.
                         if (store.row(run.runId, row.rowId))
                             ++lookedUp;
                         return true;
                     },
                     &error),
            qPrintable(error));
        QCOMPARE(seen.size(), kRows);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(seen.front(), 0);
        QCOMPARE(seen.back(), kRows - 1);
        QCOMPARE(lookedUp, kRows);

        int visited = 0;
        QVERIFY(store.forEachRow(
            run.runId, [&](const StoredRow &) { return ++visited < 750; }, &error));
        QCOMPARE(visited, 750);

        const RunStore::Counts counts = store.counts(run.runId);
        QCOMPARE(counts.done, 667);
        QCOMPARE(counts.inFlight, kRows - 667);
        QCOMPARE(counts.byStatus.value(QStringLiteral("ok")), 667);
        QCOMPARE(store.run(run.runId)->rowCount, kRows);
        QCOMPARE(store.counts(other.runId).inFlight, 1);
    }

    void runStatusAndLatestUnfinished()
    {
        RunStore store;
        QString error;
        QVERIFY(store.open(newPath(), &error));
        const RunInfo finished = newRun(store, QStringLiteral("fp-1"));
        const RunInfo older = newRun(store, QStringLiteral("fp-1"));
        const RunInfo otherConfig = newRun(store, QStringLiteral("fp-2"));
        const RunInfo newer = newRun(store, QStringLiteral("fp-1"));
        QVERIFY(store.setRunStatus(finished.runId, QStringLiteral("finished"), {}, &error));
        QVERIFY(store.setRunStatus(
            newer.runId, QStringLiteral("stopped"), QStringLiteral("quota exhausted"), &error));
        QCOMPARE(store.run(newer.runId)->stopReason, QStringLiteral("quota exhausted"));
        QCOMPARE(store.latestUnfinished(QStringLiteral("fp-1"))->runId, newer.runId);
        QVERIFY(store.setRunStatus(newer.runId, QStringLiteral("cancelled"), {}, &error));
        QCOMPARE(store.latestUnfinished(QStringLiteral("fp-1"))->runId, older.runId);
        QCOMPARE(store.latestUnfinished(QStringLiteral("fp-2"))->runId, otherConfig.runId);
        QVERIFY(!store.latestUnfinished(QStringLiteral("fp-3")));

        QVERIFY(!store.setRunStatus(older.runId, QStringLiteral("done"), {}, &error));
        QVERIFY2(error.contains(QStringLiteral("\"done\"")), qPrintable(error));
        QVERIFY(
            !store.setRunStatus(QStringLiteral("run_nope"), QStringLiteral("paused"), {}, &error));
        QVERIFY2(error.endsWith(QStringLiteral(" has no run run_nope")), qPrintable(error));
    }

    void nullStopReasonIsStoredEmpty()
    {
        RunStore store;
        QString error;
        QVERIFY(store.open(newPath(), &error));
        const RunInfo run = newRun(store);
        QVERIFY2(store.setRunStatus(run.runId, QStringLiteral("stopped"), QString(), &error),
            qPrintable(error));
        QCOMPARE(store.run(run.runId)->status, QStringLiteral("stopped"));
        QVERIFY(store.run(run.runId)->stopReason.isEmpty());
        // A reason, then none again: the old reason does not stay behind.
        QVERIFY(store.setRunStatus(
            run.runId, QStringLiteral("stopped"), QStringLiteral("budget reached"), &error));
        QVERIFY2(store.setRunStatus(run.runId, QStringLiteral("running"), {}, &error),
            qPrintable(error));
        QCOMPARE(store.run(run.runId)->status, QStringLiteral("running"));
        QVERIFY(store.run(run.runId)->stopReason.isEmpty());
    }

    void providerBatchesSurviveAReopen()
    {
        const QString path = newPath();
        QString error;
        QString runId;
        {
            RunStore store;
            QVERIFY(store.open(path, &error));
            runId = newRun(store).runId;
            const RunInfo other = newRun(store);
            QVERIFY2(store.addProviderBatch(runId, QStringLiteral("batch_1"),
                         QStringLiteral("openai-responses"), {u"a"_qs, u"b,\"c"_qs}, &error),
                qPrintable(error));
            QVERIFY(store.addProviderBatch(runId, QStringLiteral("batch_2"),
                QStringLiteral("openai-responses"), {u"d"_qs}, &error));
            QVERIFY(store.addProviderBatch(
                other.runId, QStringLiteral("batch_3"), QStringLiteral("anthropic"), {}, &error));
            // The same batch twice is refused: a run records each batch once.
            QVERIFY(!store.addProviderBatch(runId, QStringLiteral("batch_1"),
                QStringLiteral("openai-responses"), {u"a"_qs}, &error));
            QVERIFY(!store.addProviderBatch(QStringLiteral("run_nope"), QStringLiteral("batch_9"),
                QStringLiteral("anthropic"), {}, &error));
            QVERIFY2(error.endsWith(QStringLiteral(" has no run run_nope")), qPrintable(error));
        }
        RunStore store;
        QVERIFY(store.open(path, &error));
        const auto batches = store.providerBatches(runId, &error);
        QVERIFY2(batches, qPrintable(error));
        QCOMPARE(batches->size(), 2);
        QCOMPARE(batches->at(0).batchId, QStringLiteral("batch_1"));
        QCOMPARE(batches->at(0).provider, QStringLiteral("openai-responses"));
        QCOMPARE(batches->at(0).rowIds, QStringList({u"a"_qs, u"b,\"c"_qs}));
        QVERIFY(batches->at(0).createdAt.isValid());
        QCOMPARE(batches->at(1).rowIds, QStringList({u"d"_qs}));
        QVERIFY(store.providerBatches(QStringLiteral("run_nope"), &error)->isEmpty());
    }

    void versionOneStoreIsUpgradedOnOpen()
    {
        // A store as version 1 wrote it: no provider_batches table.
        QString runId;
        const QString path = newStoreWithRun(runId);
        {
            RawDb raw(path);
            raw.scalar(QStringLiteral("DROP TABLE provider_batches"));
            raw.scalar(QStringLiteral("PRAGMA user_version = 1"));
            QCOMPARE(raw.scalar(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = "
                                               "'provider_batches'"))
                         .toInt(),
                0);
        }
        RunStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QCOMPARE(store.run(runId)->runId, runId); // the runs it held are kept
        QVERIFY2(store.addProviderBatch(runId, QStringLiteral("msgbatch_1"),
                     QStringLiteral("anthropic"), {u"r1"_qs}, &error),
            qPrintable(error));
        QCOMPARE(store.providerBatches(runId, &error)->size(), 1);
        RawDb raw(path);
        QCOMPARE(
            raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), RunStore::kSchemaVersion);
    }

    void openErrors()
    {
        QString error;
        RunStore store;
        // A folder that cannot be made (a file stands in its way; root can write anywhere).
        const QString file = m_dir.filePath(QStringLiteral("plain-file"));
        QFile blocker(file);
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        QVERIFY(!store.open(file + QStringLiteral("/sub/runs.db"), &error));
        QVERIFY2(error.contains(file + QStringLiteral("/sub")) && !error.contains(u'\n'),
            qPrintable(error));
        QVERIFY(!store.markSending(QStringLiteral("r"), QStringLiteral("x"), 0, {}, &error));
        QCOMPARE(error, QStringLiteral("the run store is not open"));

        // A file that is not a database.
        const QString garbage = m_dir.filePath(QStringLiteral("garbage.db"));
        QFile g(garbage);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(QByteArray(4096, 'x'));
        g.close();
        QVERIFY(!store.open(garbage, &error));
        QVERIFY2(error.contains(QStringLiteral("not a Sluice run store")), qPrintable(error));

        // Another program's SQLite database.
        const QString foreign = m_dir.filePath(QStringLiteral("foreign.db"));
        {
            RawDb raw(foreign);
            raw.scalar(QStringLiteral("CREATE TABLE notes (x)"));
        }
        QVERIFY(!store.open(foreign, &error));
        QVERIFY2(error.contains(QStringLiteral("not a Sluice run store")), qPrintable(error));

        // A store written by a newer Sluice.
        const QString newer = newPath();
        QVERIFY(store.open(newer, &error));
        QVERIFY(store.open(m_dir.filePath(QStringLiteral("other.db")), &error)); // closes `newer`
        {
            RawDb raw(newer);
            raw.scalar(
                QStringLiteral("PRAGMA user_version = %1").arg(RunStore::kSchemaVersion + 1));
        }
        RunStore fresh;
        QVERIFY(!fresh.open(newer, &error));
        QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
    }

    void killedMidRunLosesNoCommittedRow()
    {
        QString runId;
        const QString path = newStoreWithRun(runId);
        QString error;
        QProcess child;
        child.setProcessChannelMode(QProcess::SeparateChannels);
        child.start(QCoreApplication::applicationFilePath(),
            {QString::fromLatin1(kChildFlag), path, runId});
        QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
        QByteArray output;
        auto doneCount = [&] { return output.count("done "); };
        while (doneCount() < 300 && child.state() == QProcess::Running) {
            child.waitForReadyRead(5000);
            output += child.readAllStandardOutput();
        }
        QThread::msleep(30); // the child goes on journalling: the kill lands mid-work
        child.kill();        // SIGKILL
        QVERIFY(child.waitForFinished(10'000));
        output += child.readAllStandardOutput();
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QVERIFY2(doneCount() >= 300, child.readAllStandardError().constData());

        int lastDone = -1;
        int lastSending = -1;
        for (const QByteArray &line : output.split('\n')) {
            if (line.startsWith("done "))
                lastDone = line.mid(5).toInt();
            else if (line.startsWith("sending "))
                lastSending = line.mid(8).toInt();
        }
        {
            RawDb raw(path);
            QCOMPARE(raw.scalar(QStringLiteral("PRAGMA integrity_check")).toString(),
                QStringLiteral("ok"));
        }
        RunStore store;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        for (int i = 0; i <= lastDone; ++i) {
            const QString id = QStringLiteral("row-%1").arg(i);
            const std::optional<StoredRow> row = store.row(runId, id);
            QVERIFY2(row && row->state == RowState::Done, qPrintable(id));
            QCOMPARE(row->line, okLine(id, i));
            QCOMPARE(row->trace, traceOf(id));
        }
        // At most the row after the last one reported: committed as sending
        // (perhaps as done too) before the kill.
        const RunStore::Counts counts = store.counts(runId);
        QVERIFY(counts.done + counts.inFlight <= lastDone + 2);
        QVERIFY(counts.done >= lastDone + 1);
        const std::optional<StoredRow> next
            = store.row(runId, QStringLiteral("row-%1").arg(lastDone + 1));
        qInfo("killed after %d rows reported done; the next one is %s in the store", lastDone + 1,
            !next ? "absent" : (next->state == RowState::Done ? "done" : "in flight"));
        if (lastSending > lastDone) {
            const QString id = QStringLiteral("row-%1").arg(lastSending);
            const std::optional<StoredRow> row = store.row(runId, id);
            QVERIFY(row);
            if (row->state == RowState::InFlight) {
                QVERIFY(store.markSending(runId, id, lastSending, QStringLiteral("fp"), &error));
                QVERIFY(store.row(runId, id)->resent);
            }
        }
        // The store takes new rows after the crash.
        QVERIFY(store.markSending(runId, QStringLiteral("after"), 1'000'000, {}, &error));
    }

    void journalRate()
    {
        // Not a timing assertion: the rate is printed for the record.
        RunStore store;
        QString error;
        QVERIFY(store.open(newPath(), &error));
        const RunInfo run = newRun(store);
        constexpr int kRows = 20'000;
        const QJsonObject trace = traceOf(QStringLiteral("0123456789abcdef0123456789abcdef"));
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kRows; ++i) {
            const QString id = QString::number(i);
            QVERIFY(store.markSending(run.runId, id, i, QStringLiteral("fp"), &error));
            QVERIFY(store.markDone(run.runId, id, i, okLine(id, i), trace, &error));
        }
        const qint64 ms = std::max<qint64>(1, timer.elapsed());
        qInfo("%d rows journalled (2 commits each) in %lld ms: %lld commits/s", kRows, ms,
            2 * kRows * 1000 / ms);
        QCOMPARE(store.counts(run.runId).done, kRows);
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 4 && qstrcmp(argv[1], kChildFlag) == 0)
        return journalChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    if (argc == 3 && qstrcmp(argv[1], kOpenChildFlag) == 0)
        return openChild(QString::fromLocal8Bit(argv[2]));
    TestRunStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_runstore.moc"
