#include "app/runs/batchcontroller.h"
#include "app/runs/datasetpreview.h"
#include "app/runs/runlistmodel.h"
#include "app/runs/runrowsmodel.h"
#include "app/runs/tracetimeline.h"
#include "core/clock.h"
#include "core/timer.h"
#include "engine/batch/batchrun.h"
#include "engine/batch/dataset.h"
#include "engine/batch/runstore.h"
#include "engine/llmservice.h"
#include "providers/openairesponses.h"
#include "sim/simserver.h"

#include <QJsonArray>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace sluice;

namespace {

QJsonObject line(const QString &id, const QString &status, const QString &traceId)
{
    return {
        {QStringLiteral("id"), id},
        {QStringLiteral("status"), status},
        {QStringLiteral("output"),
            QJsonObject {{QStringLiteral("sentiment"), QStringLiteral("good")}}},
        {QStringLiteral("cost_usd"),
            status == QLatin1String("ok") ? QJsonValue(0.0012) : QJsonValue()},
        {QStringLiteral("attempts"), status == QLatin1String("ok") ? 1 : 3},
        {QStringLiteral("latency_ms"), 250.5},
        {QStringLiteral("queue_ms"), 12.0},
        {QStringLiteral("error"),
            status == QLatin1String("ok")
                ? QJsonValue()
                : QJsonObject {{QStringLiteral("class"), QStringLiteral("server")},
                    {QStringLiteral("message"), QStringLiteral("HTTP 500")}}},
        {QStringLiteral("trace_id"), traceId},
    };
}

// A request that waited, failed once, backed off, then succeeded, as the
// store keeps it (core/tracejson.h): wall starts to the millisecond.
QJsonObject sampleTrace()
{
    const QDateTime t0
        = QDateTime::fromString(QStringLiteral("2026-11-30T04:00:00.000Z"), Qt::ISODateWithMs);
    QJsonArray spans;
    const auto span = [&](const QString &id, const QJsonValue &parent, const QString &name,
                          int startMs, const QJsonValue &duration,
                          const QJsonObject &attributes = {}) {
        spans.append(QJsonObject {{QStringLiteral("span_id"), id},
            {QStringLiteral("parent_span_id"), parent}, {QStringLiteral("name"), name},
            {QStringLiteral("start"), t0.addMSecs(startMs).toString(Qt::ISODateWithMs)},
            {QStringLiteral("duration_ms"), duration}, {QStringLiteral("attributes"), attributes}});
    };
    const QString root = QStringLiteral("0000000000000001");
    span(root, QJsonValue::Null, QStringLiteral("request"), 0, 370.0);
    span(QStringLiteral("0000000000000002"), root, QStringLiteral("queued"), 0, 20.0);
    span(QStringLiteral("0000000000000003"), root, QStringLiteral("attempt"), 20, 100.0,
        {{QStringLiteral("error.class"), QStringLiteral("server")}});
    span(QStringLiteral("0000000000000004"), root, QStringLiteral("backoff"), 120, 50.0);
    span(
        QStringLiteral("0000000000000005"), root, QStringLiteral("attempt"), 170, QJsonValue::Null);
    return {{QStringLiteral("trace_id"), QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736")},
        {QStringLiteral("spans"), spans}};
}

} // namespace

// The Traces and Batch pages' models over a real run store.
class TestAppRunsModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_storePath = m_dir.filePath(QStringLiteral("runs-%1.sqlite").arg(++m_n));
        RunStore store;
        QString error;
        QVERIFY2(store.open(m_storePath, &error), qPrintable(error));
        const auto run = store.createRun({{QStringLiteral("model"), QStringLiteral("sim-small")}},
            QStringLiteral("fp"), {}, &error);
        QVERIFY2(run, qPrintable(error));
        m_runId = run->runId;
        for (int i = 0; i < 5; ++i) {
            const QString id = QStringLiteral("r%1").arg(i);
            const QString status = i == 3 ? QStringLiteral("failed") : QStringLiteral("ok");
            QVERIFY(store.markSending(m_runId, id, i, QStringLiteral("f%1").arg(i), &error));
            QVERIFY(store.markDone(m_runId, id, i, line(id, status, QStringLiteral("t%1").arg(i)),
                i == 3 ? sampleTrace() : QJsonObject(), &error));
        }
    }

    void runListShowsRunsWithTheirRowsByStatus()
    {
        RunListModel runs;
        runs.setStorePath(m_storePath);
        QCOMPARE(runs.count(), 1);
        QCOMPARE(runs.errorMessage(), QString());
        const QModelIndex first = runs.index(0);
        QCOMPARE(first.data(RunListModel::RunIdRole).toString(), m_runId);
        QCOMPARE(first.data(RunListModel::ModelRole).toString(), QStringLiteral("sim-small"));
        QCOMPARE(
            first.data(RunListModel::SummaryRole).toString(), QStringLiteral("1 failed, 4 ok"));
        QCOMPARE(runs.runIdAt(0), m_runId);
        QCOMPARE(runs.runIdAt(1), QString());
    }

    void runListWithoutStoreIsEmptyNotAnError()
    {
        RunListModel runs;
        runs.setStorePath(m_dir.filePath(QStringLiteral("none.sqlite")));
        QCOMPARE(runs.count(), 0);
        QCOMPARE(runs.errorMessage(), QString());
    }

    void runExportsAsTraceJson()
    {
        RunListModel runs;
        runs.setStorePath(m_storePath);
        const QString path = m_dir.filePath(QStringLiteral("trace.json"));
        QVERIFY2(runs.exportRun(m_runId, QUrl::fromLocalFile(path), QStringLiteral("trace")),
            qPrintable(runs.errorMessage()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains(m_runId.toUtf8()));

        QVERIFY(!runs.exportRun(m_runId, QUrl::fromLocalFile(path), QStringLiteral("xml")));
        QVERIFY(runs.errorMessage().contains(QStringLiteral("xml")));
        QVERIFY(!runs.exportRun(
            QStringLiteral("run_unknown"), QUrl::fromLocalFile(path), QStringLiteral("otlp")));
        QVERIFY(runs.errorMessage().startsWith(QStringLiteral("The run was not exported")));
    }

    void rowsAreBoundedAndFilteredByStatus()
    {
        RunRowsModel rows;
        rows.setStorePath(m_storePath);
        rows.setRunId(m_runId);
        rows.setCapacity(3);
        rows.reload();
        QCOMPARE(rows.count(), 3);
        QCOMPARE(rows.totalRows(), 5);
        QCOMPARE(rows.matchingRows(), 5);
        QCOMPARE(rows.statuses(), (QStringList {QStringLiteral("ok"), QStringLiteral("failed")}));
        QCOMPARE(rows.countsByStatus().value(QStringLiteral("ok")).toLongLong(), 4);

        const QModelIndex first = rows.index(0);
        QCOMPARE(first.data(RunRowsModel::RowIdRole).toString(), QStringLiteral("r0"));
        QCOMPARE(first.data(RunRowsModel::StatusRole).toString(), QStringLiteral("ok"));
        QCOMPARE(first.data(RunRowsModel::OutputRole).toString(),
            QStringLiteral("{\"sentiment\":\"good\"}"));
        QCOMPARE(first.data(RunRowsModel::CostUsdRole).toDouble(), 0.0012);
        QCOMPARE(first.data(RunRowsModel::LatencyMsRole).toDouble(), 250.5);

        rows.setStatusFilter(QStringLiteral("failed"));
        QCOMPARE(rows.count(), 1);
        QCOMPARE(rows.matchingRows(), 1);
        const QModelIndex failed = rows.index(0);
        QCOMPARE(failed.data(RunRowsModel::RowIdRole).toString(), QStringLiteral("r3"));
        QVERIFY(!failed.data(RunRowsModel::CostUsdRole).isValid());
        QCOMPARE(failed.data(RunRowsModel::ErrorClassRole).toString(), QStringLiteral("server"));
        QCOMPARE(failed.data(RunRowsModel::AttemptsRole).toInt(), 3);

        const QVariantMap trace = rows.traceAt(0);
        QVERIFY(!trace.value(QStringLiteral("trace_id")).toString().isEmpty());
        QVERIFY(rows.traceAt(7).isEmpty());
    }

    void liveLinesArriveInBatchesWithinCapacity()
    {
        RunRowsModel rows;
        rows.setCapacity(2);
        QSignalSpy inserted(&rows, &QAbstractItemModel::rowsInserted);
        for (int i = 0; i < 5; ++i)
            rows.appendLine(line(QStringLiteral("x%1").arg(i), QStringLiteral("ok"), {}));
        rows.appendLine(line(QStringLiteral("y"), QStringLiteral("failed"), {}));
        QCOMPARE(rows.totalRows(), 6);
        QCOMPARE(rows.count(), 0); // not shown before the flush
        QTRY_COMPARE(rows.count(), 2);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(rows.matchingRows(), 6);
        QCOMPARE(rows.countsByStatus().value(QStringLiteral("failed")).toLongLong(), 1);
        rows.reset();
        QCOMPARE(rows.count(), 0);
        QCOMPARE(rows.totalRows(), 0);
    }

    void timelineLaysSpansOnOneAxis()
    {
        TraceTimeline timeline;
        timeline.setTrace(sampleTrace());
        QCOMPARE(timeline.count(), 5);
        QCOMPARE(timeline.totalMs(), 370.0);
        const auto at = [&](int row, int role) { return timeline.index(row).data(role); };
        QCOMPARE(at(0, TraceTimeline::NameRole).toString(), QStringLiteral("request"));
        QCOMPARE(at(0, TraceTimeline::DepthRole).toInt(), 0);
        QCOMPARE(at(1, TraceTimeline::NameRole).toString(), QStringLiteral("queued"));
        QCOMPARE(at(1, TraceTimeline::DepthRole).toInt(), 1);
        QCOMPARE(at(2, TraceTimeline::NameRole).toString(), QStringLiteral("attempt"));
        QCOMPARE(at(2, TraceTimeline::DurationMsRole).toDouble(), 100.0);
        QVERIFY(at(2, TraceTimeline::DetailsRole)
                    .toString()
                    .contains(QStringLiteral("error.class=server")));
        QCOMPARE(at(3, TraceTimeline::NameRole).toString(), QStringLiteral("backoff"));
        QCOMPARE(at(3, TraceTimeline::OffsetMsRole).toDouble(), 120.0);
        QCOMPARE(at(3, TraceTimeline::DurationMsRole).toDouble(), 50.0);
        // Still running when written: drawn to the trace's end.
        QVERIFY(at(4, TraceTimeline::OpenRole).toBool());
        QCOMPARE(at(4, TraceTimeline::OffsetMsRole).toDouble(), 170.0);
        QCOMPARE(at(4, TraceTimeline::DurationMsRole).toDouble(), 200.0);
        timeline.clear();
        QCOMPARE(timeline.count(), 0);
    }

    void previewMarksTheColumnsTheTemplateReads()
    {
        const QString path = m_dir.filePath(QStringLiteral("reviews.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("id,text,stars\n");
        for (int i = 0; i < 15; ++i)
            file.write(QStringLiteral("%1,review %1,%2\n").arg(i).arg(i % 5).toUtf8());
        file.close();
        DatasetReader reader;
        QString error;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        DatasetPreview preview;
        preview.load(reader);
        QCOMPARE(preview.count(), DatasetPreview::kRows);
        QCOMPARE(preview.columns(),
            (QStringList {QStringLiteral("id"), QStringLiteral("text"), QStringLiteral("stars")}));
        QCOMPARE(preview.index(2).data(DatasetPreview::CellsRole).toStringList(),
            (QStringList {QStringLiteral("2"), QStringLiteral("review 2"), QStringLiteral("2")}));
        preview.setVariables({QStringLiteral("text"), QStringLiteral("city")});
        QCOMPARE(preview.columnUsed(), (QVariantList {false, true, false}));
    }

    // A run stopped half way (the quota ran out, the rest written as
    // skipped), continued from the Batch page's controller: the engine
    // refuses it on another provider; on the same one only the rows left
    // are sent, and the results hold every row once.
    void controllerContinuesAStoppedRun()
    {
        sim::SimServer server;
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        QtTimerFactory timers;
        LlmService service(
            std::make_shared<OpenAiResponsesProvider>(server.baseUrl(), QByteArray()),
            SteadyClock::instance(), timers, LlmServiceConfig {});
        const QString input = m_dir.filePath(QStringLiteral("words-%1.csv").arg(m_n));
        QFile file(input);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("id,word\n");
        for (int i = 0; i < 20; ++i)
            file.write(QStringLiteral("w%1,word%1\n").arg(i).toUtf8());
        file.close();

        // As sluice-cli runs it: one row at a time, the 9th meets the quota.
        QString error;
        QString runId;
        {
            RunStore store;
            QVERIFY2(store.open(m_storePath, &error), qPrintable(error));
            BatchRunConfig config;
            config.request.providerId = service.provider().id();
            config.request.baseUrl = server.baseUrl();
            config.request.model = QStringLiteral("sim-small");
            config.request.promptTemplate = QStringLiteral("Say {{word}}");
            config.inputPath = input;
            config.rowsInFlight = 1;
            QStringList faults(8, QStringLiteral("none"));
            faults.append(QStringLiteral("insufficient_quota"));
            QVERIFY(server.scriptFaults(faults));
            BatchRun run(service, store, config);
            int ended = 0;
            connect(&run, &BatchRun::ended, this, [&ended] { ++ended; });
            QVERIFY2(run.start(&error), qPrintable(error));
            QVERIFY(QTest::qWaitFor([&] { return ended > 0; }, 20000));
            QCOMPARE(run.state(), BatchRun::State::Stopped);
            runId = run.runId();
        }
        const qint64 sentBefore = server.requestCount();
        QCOMPARE(sentBefore, 9);
        QSet<QString> doneBefore; // ok, or failed at the quota: not sent again
        int skippedBefore = 0;
        {
            RunStore store;
            QVERIFY2(store.open(m_storePath, &error), qPrintable(error));
            QCOMPARE(store.run(runId)->status, QStringLiteral("stopped"));
            QVERIFY(store.forEachRow(
                runId,
                [&](const StoredRow &row) {
                    if (row.line.value(QLatin1String("status")).toString() == u"skipped")
                        ++skippedBefore;
                    else
                        doneBefore.insert(row.rowId);
                    return true;
                },
                &error));
        }
        QCOMPARE(doneBefore.size(), 9);
        QCOMPARE(skippedBefore, 11);

        BatchController batch;
        batch.setService(&service);
        batch.setStorePath(m_storePath);
        batch.setProperty("baseUrl", server.baseUrl().toString());
        // The page's prompt and model are not the run's: the run's are sent.
        batch.setProperty("prompt", QStringLiteral("Something else: {{word}}"));
        batch.setProperty("model", QStringLiteral("another-model"));
        QVERIFY2(batch.openRun(runId), qPrintable(batch.errorMessage()));
        QCOMPARE(batch.continuingRunId(), runId);
        QCOMPARE(batch.datasetPath(), input);
        QCOMPARE(batch.datasetError(), QString());
        QCOMPARE(batch.continueNote(), QString());
        QVERIFY(batch.canStart());
        QCOMPARE(batch.results()->totalRows(), 20.0); // 8 ok, 1 failed, 11 skipped
        QCOMPARE(batch.results()->countsByStatus().value(QStringLiteral("ok")).toInt(), 8);
        QCOMPARE(batch.okRows(), 8.0);

        // Another provider now: the engine refuses, and the page says so.
        batch.setProperty("providerId", QStringLiteral("anthropic"));
        QVERIFY(!batch.start());
        QVERIFY2(batch.errorMessage().contains(u"another configuration"),
            qPrintable(batch.errorMessage()));
        QVERIFY2(batch.errorMessage().contains(service.provider().id()),
            qPrintable(batch.errorMessage()));
        QCOMPARE(server.requestCount(), sentBefore);

        batch.setProperty("providerId", QString());
        QVERIFY2(batch.start(), qPrintable(batch.errorMessage()));
        QCOMPARE(batch.runId(), runId);
        QVERIFY(QTest::qWaitFor([&] { return batch.state() == BatchController::Finished; }, 20000));
        QCOMPARE(server.requestCount() - sentBefore, skippedBefore);
        QCOMPARE(batch.finishedRows(), 20.0);
        QCOMPARE(batch.okRows(), 19.0);
        QCOMPARE(batch.notOkRows(), 1.0);
        QCOMPARE(batch.skippedRows(), 0.0);
        QCOMPARE(batch.progress(), 1.0);
        QCOMPARE(batch.continuingRunId(), QString());

        // Every row once: the skipped lines were replaced, none sent twice.
        batch.results()->flush();
        RunRowsModel *results = batch.results();
        QCOMPARE(results->totalRows(), 20.0);
        QCOMPARE(results->countsByStatus(),
            (QVariantMap {{QStringLiteral("ok"), 19}, {QStringLiteral("failed"), 1}}));
        QSet<QString> shown;
        for (int i = 0; i < results->count(); ++i)
            shown.insert(results->index(i).data(RunRowsModel::RowIdRole).toString());
        QCOMPARE(shown.size(), 20);
        QCOMPARE(results->count(), 20);
        RunStore store;
        QVERIFY2(store.open(m_storePath, &error), qPrintable(error));
        QCOMPARE(store.run(runId)->status, QStringLiteral("finished"));
        QCOMPARE(store.counts(runId).done, 20);
        for (const QString &id : std::as_const(doneBefore))
            QCOMPARE(store.row(runId, id)->sends, 1);
    }

    // What cannot be continued from the workbench says why and what to do.
    void controllerRefusesRunsItCannotContinue()
    {
        RunStore store;
        QString error;
        QVERIFY2(store.open(m_storePath, &error), qPrintable(error));
        const auto batchApi = store.createRun(
            {{QStringLiteral("batch_api"), true}, {QStringLiteral("model"), QStringLiteral("m")}},
            QStringLiteral("fp2"), {}, &error);
        QVERIFY2(batchApi, qPrintable(error));
        const auto moved = store.createRun(
            {{QStringLiteral("input"), m_dir.filePath(QStringLiteral("gone.csv"))},
                {QStringLiteral("model"), QStringLiteral("m")}},
            QStringLiteral("fp3"), {}, &error);
        QVERIFY2(moved, qPrintable(error));
        QVERIFY(store.setRunStatus(m_runId, QStringLiteral("finished"), {}, &error));

        BatchController batch;
        batch.setStorePath(m_storePath);
        QVERIFY(!batch.openRun(batchApi->runId));
        QVERIFY2(batch.errorMessage().contains(u"sluice-cli run --batch-api --resume"),
            qPrintable(batch.errorMessage()));
        QCOMPARE(batch.continuingRunId(), QString());
        QVERIFY(!batch.openRun(m_runId));
        QVERIFY2(batch.errorMessage().contains(u"finished"), qPrintable(batch.errorMessage()));
        QVERIFY(!batch.openRun(QStringLiteral("run_none")));

        // The input moved: the run opens, and the page asks for the file.
        QVERIFY2(batch.openRun(moved->runId), qPrintable(batch.errorMessage()));
        QCOMPARE(batch.continuingRunId(), moved->runId);
        QVERIFY2(batch.datasetError().contains(u"gone.csv"), qPrintable(batch.datasetError()));
        QVERIFY(!batch.canStart());
        // No prompt was kept: the page's is sent, and the page says so.
        QVERIFY(!batch.continueNote().isEmpty());
        batch.newRun();
        QCOMPARE(batch.continuingRunId(), QString());
    }

private:
    QTemporaryDir m_dir;
    QString m_storePath;
    QString m_runId;
    int m_n = 0;
};

QTEST_GUILESS_MAIN(TestAppRunsModels)
#include "tst_app_runs_models.moc"
