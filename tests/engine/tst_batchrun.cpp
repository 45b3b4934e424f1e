// BatchRun through a real LlmService answering from a FakeExchanger, with a
// real RunStore in a temporary folder: rows in flight stay bounded, pause,
// resume and cancel, interactive requests go first, quota and budget stops
// (the rest written as skipped), the budget pause lifted by a higher cap,
// and a resume that skips done rows and sends the in-flight one again.

#include "engine/batch/batchrun.h"
#include "engine/batch/rowrecord.h"
#include "engine/batch/runstore.h"
#include "fakeexchanger.h"
#include "providers/providerregistry.h"

#include <QFile>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;
using sluice::test::FakeExchanger;

Q_DECLARE_METATYPE(sluice::test::FakeExchanger::Reply)

namespace {

constexpr int kWaitMs = 10'000;

FakeExchanger::Reply insufficientQuota()
{
    FakeExchanger::Reply reply;
    reply.status = 429;
    reply.body
        = R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})";
    reply.headers = {{"content-type", "application/json"}};
    return reply;
}

FakeExchanger::Reply unauthorized()
{
    FakeExchanger::Reply reply;
    reply.status = 401;
    reply.body
        = R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}})";
    reply.headers = {{"content-type", "application/json"}};
    return reply;
}

// A service, its fake exchanger, a store and a dataset of `rows` rows.
struct Fixture
{
    explicit Fixture(int rows, int concurrency = 2)
    {
        LlmServiceConfig config;
        config.maxConcurrent = concurrency;
        config.retry.initialBackoff = std::chrono::milliseconds(1);
        auto exchanger = std::make_unique<FakeExchanger>();
        fake = exchanger.get();
        service = std::make_unique<LlmService>(
            createProvider(u"openai-responses", QUrl(QStringLiteral("http://127.0.0.1:9/v1")), {}),
            SteadyClock::instance(), timers, config, std::move(exchanger));
        QString error;
        if (!store.open(dir.filePath(QStringLiteral("runs.sqlite")), &error))
            qFatal("cannot open the run store: %s", qPrintable(error));
        inputPath = dir.filePath(QStringLiteral("rows.jsonl"));
        QFile file(inputPath);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write the dataset");
        for (int i = 0; i < rows; ++i)
            file.write(QStringLiteral("{\"id\":\"r%1\",\"word\":\"word%1\"}\n").arg(i).toUtf8());
    }

    BatchRunConfig config() const
    {
        BatchRunConfig c;
        c.request.providerId = QStringLiteral("openai-responses");
        c.request.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:9/v1"));
        c.request.model = QStringLiteral("gpt-5-mini");
        c.request.promptTemplate = QStringLiteral("Say {{word}}");
        c.request.maxOutputTokens = 100;
        c.inputPath = inputPath;
        return c;
    }

    // The run, with every line it emits kept in `lines`.
    std::unique_ptr<BatchRun> makeRun(const BatchRunConfig &c)
    {
        auto run = std::make_unique<BatchRun>(*service, store, c);
        QObject::connect(run.get(), &BatchRun::rowFinished, run.get(),
            [this](const QJsonObject &line) { lines.append(line); });
        QObject::connect(run.get(), &BatchRun::ended, run.get(), [this] { ++ended; });
        return run;
    }

    // Which row each request the fake saw was for ("word3" -> 3).
    QStringList sentWords() const
    {
        QStringList words;
        for (const HttpRequest &request : fake->requests) {
            const QString body = QString::fromUtf8(request.body);
            const qsizetype at = body.indexOf(QStringLiteral("Say word"));
            if (at >= 0)
                words << body.mid(at + 4, body.indexOf(u'"', at) - at - 4);
            else
                words << (body.contains(u"interactive question") ? u"interactive question"_qs
                                                                 : body);
        }
        return words;
    }

    QStringList statuses() const
    {
        QStringList result;
        for (const QJsonObject &line : lines)
            result << line.value(QStringLiteral("status")).toString();
        return result;
    }

    QSet<QString> ids() const
    {
        QSet<QString> result;
        for (const QJsonObject &line : lines)
            result.insert(line.value(QStringLiteral("id")).toString());
        return result;
    }

    QTemporaryDir dir;
    QtTimerFactory timers;
    FakeExchanger *fake = nullptr;
    std::unique_ptr<LlmService> service;
    RunStore store;
    QString inputPath;
    QList<QJsonObject> lines;
    int ended = 0;
};

} // namespace

class TestBatchRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyRowOnceWithFewInFlight()
    {
        Fixture f(40, 2);
        f.fake->defaultReply.delayMs = 2;
        auto run = f.makeRun(f.config());
        int maxInFlight = 0;
        connect(run.get(), &BatchRun::progressChanged, this,
            [&] { maxInFlight = std::max(maxInFlight, run->progress().inFlight); });
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return f.ended == 1; }, kWaitMs));

        QCOMPARE(run->state(), BatchRun::State::Finished);
        QCOMPARE(f.lines.size(), 40);
        QCOMPARE(f.ids().size(), 40);
        QCOMPARE(f.statuses().count(QStringLiteral("ok")), 40);
        QCOMPARE(f.fake->requests.size(), 40);
        QVERIFY2(maxInFlight <= 4, qPrintable(QString::number(maxInFlight))); // 2 x concurrency
        QVERIFY(maxInFlight >= 2);
        QCOMPARE(run->progress().ok, 40);

        const RunStore::Counts counts = f.store.counts(run->runId());
        QCOMPARE(counts.done, 40);
        QCOMPARE(counts.inFlight, 0);
        QCOMPARE(f.store.run(run->runId())->status, QStringLiteral("finished"));
        // The journal holds each row's line and trace.
        const std::optional<StoredRow> row = f.store.row(run->runId(), QStringLiteral("r7"));
        QVERIFY(row);
        QCOMPARE(row->state, RowState::Done);
        QCOMPARE(row->line.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(row->trace.value(QStringLiteral("trace_id")).toString(),
            row->line.value(QStringLiteral("trace_id")).toString());
        QVERIFY(!row->fingerprint.isEmpty());
    }

    void pauseStopsTakingRowsAndResumeGoesOn()
    {
        Fixture f(6, 1);
        f.fake->defaultReply.hold = true;
        BatchRunConfig c = f.config();
        c.rowsInFlight = 2;
        auto run = f.makeRun(c);
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return f.fake->inFlight() == 1; }, kWaitMs));
        run->pause();
        QCOMPARE(run->state(), BatchRun::State::Paused);
        QCOMPARE(f.store.run(run->runId())->status, QStringLiteral("paused"));

        // The two rows already submitted finish; no other is taken.
        QVERIFY(QTest::qWaitFor(
            [&] {
                f.fake->releaseAll();
                return f.lines.size() == 2;
            },
            kWaitMs));
        QTest::qWait(50);
        QCOMPARE(f.lines.size(), 2);
        QCOMPARE(f.fake->requests.size(), 2);
        QCOMPARE(run->state(), BatchRun::State::Paused);

        run->resume();
        QCOMPARE(run->state(), BatchRun::State::Running);
        QVERIFY(QTest::qWaitFor(
            [&] {
                f.fake->releaseAll();
                return f.ended == 1;
            },
            kWaitMs));
        QCOMPARE(run->state(), BatchRun::State::Finished);
        QCOMPARE(f.ids().size(), 6);
        QCOMPARE(f.fake->requests.size(), 6);
    }

    void cancelWithdrawsTheRowsInFlight()
    {
        Fixture f(10, 1);
        f.fake->defaultReply.hold = true;
        auto run = f.makeRun(f.config());
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return f.fake->inFlight() == 1; }, kWaitMs));
        run->cancel();
        QCOMPARE(run->state(), BatchRun::State::Cancelled);
        QVERIFY(QTest::qWaitFor([&] { return f.ended == 1; }, kWaitMs));
        QCOMPARE(f.lines.size(), 0);
        QCOMPARE(f.fake->requests.size(), 1); // the one waiting for a slot was never sent
        QCOMPARE(f.fake->cancels, 1);
        QCOMPARE(f.store.run(run->runId())->status, QStringLiteral("cancelled"));
        QTest::qWait(20);
        QCOMPARE(f.ended, 1);
    }

    void interactiveRequestsGoAheadOfBatchRows()
    {
        Fixture f(5, 1);
        f.fake->defaultReply.hold = true;
        BatchRunConfig c = f.config();
        c.rowsInFlight = 3;
        auto run = f.makeRun(c);
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        // Row 0 holds the only slot; rows 1 and 2 wait for it.
        QVERIFY(QTest::qWaitFor(
            [&] { return f.fake->inFlight() == 1 && run->progress().inFlight == 3; }, kWaitMs));

        LlmRequest interactive;
        interactive.model = QStringLiteral("gpt-5-mini");
        interactive.promptTemplate = QStringLiteral("interactive question");
        interactive.priority = Priority::Interactive;
        bool answered = false;
        f.service->submit(interactive, [&](const GenerationResult &) { answered = true; });
        QTest::qWait(20);

        f.fake->releaseAll(); // row 0 answers: the slot goes to the interactive request
        QVERIFY(QTest::qWaitFor([&] { return f.fake->requests.size() == 2; }, kWaitMs));
        QVERIFY2(QString::fromUtf8(f.fake->requests.at(1).body).contains(u"interactive question"),
            f.fake->requests.at(1).body.constData());
        QVERIFY(QTest::qWaitFor(
            [&] {
                f.fake->releaseAll();
                return f.ended == 1;
            },
            kWaitMs));
        QVERIFY(answered);
        QCOMPARE(f.sentWords(),
            QStringList({QStringLiteral("word0"), QStringLiteral("interactive question"),
                QStringLiteral("word1"), QStringLiteral("word2"), QStringLiteral("word3"),
                QStringLiteral("word4")}));
    }

    void stopConditionsSkipTheRowsNotSent_data()
    {
        QTest::addColumn<FakeExchanger::Reply>("failure");
        QTest::addColumn<QString>("errorClass");
        QTest::newRow("quota") << insufficientQuota() << QStringLiteral("quota_exhausted");
        QTest::newRow("auth") << unauthorized() << QStringLiteral("auth");
    }

    void stopConditionsSkipTheRowsNotSent()
    {
        QFETCH(FakeExchanger::Reply, failure);
        QFETCH(QString, errorClass);
        Fixture f(10, 1);
        f.fake->script = {FakeExchanger::completed(QStringLiteral("fine")), failure};
        auto run = f.makeRun(f.config());
        QSignalSpy stopped(run.get(), &BatchRun::stopped);
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return f.ended == 1; }, kWaitMs));

        QCOMPARE(run->state(), BatchRun::State::Stopped);
        QCOMPARE(run->stopClass(), errorClass);
        QCOMPARE(stopped.size(), 1);
        QCOMPARE(f.lines.size(), 10);
        QCOMPARE(f.ids().size(), 10);
        QCOMPARE(f.statuses().count(QStringLiteral("ok")), 1);
        QCOMPARE(f.statuses().count(QStringLiteral("failed")), 1);
        QCOMPARE(f.statuses().count(QStringLiteral("skipped")), 8);
        // The row waiting for the slot was withdrawn, never sent.
        QCOMPARE(f.fake->requests.size(), 2);
        for (const QJsonObject &line : std::as_const(f.lines)) {
            if (line.value(QStringLiteral("status")).toString() == u"skipped") {
                QCOMPARE(line.value(QStringLiteral("error"))[QStringLiteral("class")].toString(),
                    errorClass);
            }
        }
        const RunStore::Counts counts = f.store.counts(run->runId());
        QCOMPARE(counts.done, 10);
        QCOMPARE(counts.byStatus.value(QStringLiteral("skipped")), 8);
        const std::optional<RunInfo> info = f.store.run(run->runId());
        QCOMPARE(info->status, QStringLiteral("stopped"));
        QVERIFY(!info->stopReason.isEmpty());
    }

    void budgetPausesUntilTheCapIsRaised()
    {
        Fixture f(12, 1);
        BatchRunConfig c = f.config();
        // Each row is estimated at about $0.0002 (100 output tokens) and costs
        // $0.000065 (100 in, 20 out at gpt-5-mini's prices).
        c.budgetCap = picoFromUnits(0.0005);
        auto run = f.makeRun(c);
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return run->state() == BatchRun::State::Paused; }, kWaitMs));
        QVERIFY2(run->pauseReason().contains(u"budget"), qPrintable(run->pauseReason()));
        QVERIFY(QTest::qWaitFor([&] { return run->progress().inFlight == 0; }, kWaitMs));
        const qint64 before = f.lines.size();
        QVERIFY(before >= 2 && before < 12);
        QCOMPARE(f.statuses().count(QStringLiteral("ok")), before);
        QCOMPARE(f.fake->requests.size(), before); // the refused rows were never sent

        run->setBudgetCap(picoFromUnits(1.0));
        QVERIFY(QTest::qWaitFor([&] { return f.ended == 1; }, kWaitMs));
        QCOMPARE(run->state(), BatchRun::State::Finished);
        QCOMPARE(f.lines.size(), 12);
        QCOMPARE(f.ids().size(), 12);
        QCOMPARE(f.statuses().count(QStringLiteral("ok")), 12);
        QCOMPARE(run->spent(), 12 * picoFromUnits(0.000065));
    }

    void budgetStopSkipsTheRest()
    {
        Fixture f(12, 1);
        BatchRunConfig c = f.config();
        c.budgetCap = picoFromUnits(0.0005);
        c.atBudget = BatchRunConfig::AtBudget::Stop;
        auto run = f.makeRun(c);
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return f.ended == 1; }, kWaitMs));
        QCOMPARE(run->state(), BatchRun::State::Stopped);
        QCOMPARE(run->stopClass(), QStringLiteral("budget"));
        QCOMPARE(f.lines.size(), 12);
        QCOMPARE(f.ids().size(), 12);
        const qint64 ok = f.statuses().count(QStringLiteral("ok"));
        QVERIFY(ok >= 2 && ok < 12);
        QCOMPARE(f.statuses().count(QStringLiteral("skipped")), 12 - ok);
        QCOMPARE(f.fake->requests.size(), ok);
        QVERIFY(run->spent() <= picoFromUnits(0.0005));
    }

    void resumeSkipsDoneRowsAndResendsTheOneInFlight()
    {
        Fixture f(8, 2);
        const BatchRunConfig c = f.config();
        QString error;
        const QString digest = fileDigest(f.inputPath, &error);
        QVERIFY2(!digest.isEmpty(), qPrintable(error));
        const QString fingerprint = runConfigFingerprint(c.request, c.idField, digest);
        // A run killed after rows 0-2 were done and while row 3 was in flight.
        const std::optional<RunInfo> info
            = f.store.createRun(QJsonObject(), fingerprint, QStringLiteral("2026-11-30"), &error);
        QVERIFY2(info, qPrintable(error));
        for (int i = 0; i < 4; ++i) {
            const QString id = QStringLiteral("r%1").arg(i);
            QVERIFY(f.store.markSending(info->runId, id, i, QStringLiteral("fp"), &error));
            if (i < 3) {
                GenerationResult done;
                done.status = GenerationResult::Status::Ok;
                done.text = QStringLiteral("earlier");
                QVERIFY(
                    f.store.markDone(info->runId, id, i, rowLine(id, done), QJsonObject(), &error));
            }
        }

        auto run = f.makeRun(c);
        QVERIFY2(run->continueRun(info->runId, &error), qPrintable(error));
        QCOMPARE(run->runId(), info->runId);
        QVERIFY(QTest::qWaitFor([&] { return f.ended == 1; }, kWaitMs));

        QVERIFY2(run->state() == BatchRun::State::Finished, qPrintable(run->stopReason()));
        QCOMPARE(run->progress().alreadyDone, 3);
        QCOMPARE(run->progress().resent, 1);
        QCOMPARE(f.ids(),
            QSet<QString>({QStringLiteral("r3"), QStringLiteral("r4"), QStringLiteral("r5"),
                QStringLiteral("r6"), QStringLiteral("r7")}));
        QStringList sent = f.sentWords();
        sent.sort();
        QCOMPARE(sent,
            QStringList({QStringLiteral("word3"), QStringLiteral("word4"), QStringLiteral("word5"),
                QStringLiteral("word6"), QStringLiteral("word7")}));
        const std::optional<StoredRow> resent = f.store.row(info->runId, QStringLiteral("r3"));
        QVERIFY(resent->resent);
        QCOMPARE(resent->state, RowState::Done);
        QVERIFY(!f.store.row(info->runId, QStringLiteral("r4"))->resent);
        QCOMPARE(f.store.counts(info->runId).done, 8);
        QCOMPARE(f.store.run(info->runId)->status, QStringLiteral("finished"));

        // A finished run cannot be continued; another configuration never could.
        auto again = f.makeRun(c);
        QVERIFY(!again->continueRun(info->runId, &error));
        QVERIFY2(error.contains(u"finished"), qPrintable(error));
        BatchRunConfig other = c;
        other.request.promptTemplate = QStringLiteral("Write {{word}}");
        QVERIFY(runConfigFingerprint(other.request, other.idField, digest) != fingerprint);
    }

    void duplicateIdsAreNotSent()
    {
        Fixture f(0, 2);
        QFile file(f.inputPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"id\":\"a\",\"word\":\"x\"}\n{\"id\":\"a\",\"word\":\"y\"}\nnot json\n"
                   "{\"id\":\"b\",\"word\":\"z\"}\n");
        file.close();
        auto run = f.makeRun(f.config());
        QString error;
        QVERIFY2(run->start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return f.ended == 1; }, kWaitMs));
        QCOMPARE(f.lines.size(), 2);
        QCOMPARE(f.fake->requests.size(), 2);
        QCOMPARE(run->problemCount(), 2);
        const QList<DatasetProblem> problems = run->problems();
        QCOMPARE(problems.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestBatchRun)
#include "tst_batchrun.moc"
