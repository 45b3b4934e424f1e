// ProviderBatchJob against the in-process simulator's batch APIs: 50 rows
// with a schema through OpenAI Batch (Responses and Chat) and Anthropic
// Message Batches end to end, batch prices, a failed line failing only its
// row, splitting at the limit, cancel, expiry, and a resume from a batch id
// that creates no second batch (the simulator's log proves it).
#include "core/cost.h"
#include "core/fingerprint.h"
#include "core/schemavalidator.h"
#include "core/tracejson.h"
#include "engine/batch/providerbatch.h"
#include "providers/openaibatch.h"
#include "providers/providerregistry.h"
#include "sim/simserver.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace sluice;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

using Status = GenerationResult::Status;

namespace {

const QJsonObject kSchema {{u"type"_s, u"object"_s},
    {u"properties"_s,
        QJsonObject {{u"sentiment"_s,
                         QJsonObject {{u"type"_s, u"string"_s},
                             {u"enum"_s, QJsonArray {u"positive"_s, u"negative"_s}}}},
            {u"score"_s,
                QJsonObject {{u"type"_s, u"integer"_s}, {u"minimum"_s, 1}, {u"maximum"_s, 5}}}}},
    {u"required"_s, QJsonArray {u"sentiment"_s, u"score"_s}}, {u"additionalProperties"_s, false}};

QList<ProviderBatchRow> reviewRows(int count)
{
    QList<ProviderBatchRow> rows;
    for (int i = 0; i < count; ++i) {
        GenerationRequest request;
        request.model = u"sim-small"_s;
        request.instructions = u"Rate the review."_s;
        request.input = u"Review %1: the kettle boils fast and pours well."_s.arg(i);
        request.maxOutputTokens = 200;
        request.outputSchema = OutputSchema {u"review"_s, kSchema, true};
        rows.append({u"row-%1"_s.arg(i), request});
    }
    return rows;
}

// One data row per dialect, in the column "dialect".
void addDialects(const QStringList &dialects)
{
    QTest::addColumn<QString>("dialect");
    for (const QString &dialect : dialects)
        QTest::newRow(qPrintable(dialect)) << dialect;
}

// The simulator's path where a dialect creates its batches.
QString createPath(const QString &dialect)
{
    return dialect == u"anthropic" ? u"/v1/messages/batches"_s : u"/v1/batches"_s;
}

// The network, with scripted answers for chosen calls (each used once) and a
// record of every call: method, path and when it was sent.
class ScriptedHttp final : public BatchHttp
{
public:
    struct Call
    {
        QString method;
        QString path;
        qint64 atMs = 0;
    };

    ScriptedHttp() { m_clock.start(); }

    void answer(const QString &method, const QString &pathPrefix, HttpResponse response)
    {
        m_script.append({method, pathPrefix, std::move(response)});
    }
    /// The calls with this method whose path starts with `pathPrefix`.
    [[nodiscard]] QList<Call> calls(const QString &method, const QString &pathPrefix) const
    {
        QList<Call> found;
        for (const Call &call : m_calls) {
            if (call.method == method && call.path.startsWith(pathPrefix))
                found.append(call);
        }
        return found;
    }

    void send(const BatchCall &call, std::chrono::milliseconds timeout, Done done) override
    {
        const QString method = call.method == BatchCall::Method::Get ? u"GET"_s : u"POST"_s;
        const QString path = call.url.path();
        m_calls.append({method, path, m_clock.elapsed()});
        for (qsizetype i = 0; i < m_script.size(); ++i) {
            if (m_script.at(i).method == method && path.startsWith(m_script.at(i).pathPrefix)) {
                QTimer::singleShot(
                    0, [done, response = m_script.takeAt(i).response] { done(response); });
                return;
            }
        }
        m_real.send(call, timeout, std::move(done));
    }

private:
    struct Scripted
    {
        QString method;
        QString pathPrefix;
        HttpResponse response;
    };
    NetworkBatchHttp m_real;
    QList<Scripted> m_script;
    QList<Call> m_calls;
    QElapsedTimer m_clock;
};

HttpResponse openAiError(int status, const QByteArray &code, HttpHeaders headers = {})
{
    HttpResponse response;
    response.status = status;
    response.headers = std::move(headers);
    response.body = R"({"error":{"message":"scripted","type":"requests","code":")" + code + "\"}}";
    return response;
}

} // namespace

class TestProviderBatch : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<sim::SimServer> m_sim;
    QNetworkAccessManager m_network;
    ProviderBatchConfig m_config;

    QJsonObject control(const QString &path, const QJsonObject &body = {})
    {
        QUrl url = m_sim->baseUrl();
        url.setPath(path);
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        QNetworkReply *reply = path == u"/sim/log"
            ? m_network.get(request)
            : m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(10'000))
            qFatal("no answer from the simulator");
        reply->deleteLater();
        return QJsonDocument::fromJson(reply->readAll()).object();
    }

    void hold() { control(u"/sim/batch-speed"_s, {{u"seconds_per_request"_s, 3600}}); }
    void release() { control(u"/sim/batch-speed"_s, {{u"seconds_per_request"_s, 0}}); }

    std::unique_ptr<ProviderBatchJob> makeJob(
        const QString &dialect, ProviderBatchConfig config, std::unique_ptr<BatchHttp> http = {})
    {
        return std::make_unique<ProviderBatchJob>(
            createProvider(dialect, m_sim->baseUrl(), QByteArray()), config, std::move(http));
    }

    // An OpenAI job whose calls go through `network` (owned by the job).
    std::unique_ptr<ProviderBatchJob> scriptedJob(
        ScriptedHttp *&network, ProviderBatchConfig config)
    {
        auto http = std::make_unique<ScriptedHttp>();
        network = http.get();
        return makeJob(u"openai-responses"_s, config, std::move(http));
    }

    // Keeps each row's result; a row finished twice fails the test.
    void collectInto(ProviderBatchJob &job, QHash<QString, GenerationResult> &results)
    {
        connect(&job, &ProviderBatchJob::rowFinished, this,
            [&results](const QString &rowId, const GenerationResult &result) {
                QVERIFY2(!results.contains(rowId), qPrintable(rowId));
                results.insert(rowId, result);
            });
    }

    static bool waitFor(ProviderBatchJob &job)
    {
        QSignalSpy finished(&job, &ProviderBatchJob::finished);
        QSignalSpy failed(&job, &ProviderBatchJob::failed);
        QDeadlineTimer deadline(20'000);
        while (finished.isEmpty() && failed.isEmpty() && !deadline.hasExpired())
            QTest::qWait(10);
        if (!failed.isEmpty())
            qWarning("job failed: %s", qPrintable(failed.first().first().toString()));
        return !finished.isEmpty();
    }

    // Per custom id, how many times the simulator answered it; and batch creations.
    QHash<QString, int> answeredLines(int *creates, const QString &createAt)
    {
        QHash<QString, int> answered;
        *creates = 0;
        for (const QJsonValue &entry : control(u"/sim/log"_s).value(u"entries"_s).toArray()) {
            if (entry[u"custom_id"_s].isString())
                ++answered[entry[u"custom_id"_s].toString()];
            if (entry[u"path"_s].toString() == createAt && entry[u"method"_s].toString() == u"POST")
                ++*creates;
        }
        return answered;
    }

private Q_SLOTS:
    void init()
    {
        sim::SimConfig config;
        config.batchSpeed = sim::BatchSpeed {0.01, 0.001, 0.01};
        m_sim = std::make_unique<sim::SimServer>(config);
        QVERIFY(m_sim->listen());
        m_config = ProviderBatchConfig {};
        m_config.pollInterval = 20ms;
    }

    void cleanup() { m_sim.reset(); }

    void fiftyRowsWithASchema_data()
    {
        addDialects({u"openai-responses"_s, u"openai-chat"_s, u"anthropic"_s});
    }

    void fiftyRowsWithASchema()
    {
        QFETCH(QString, dialect);
        auto job = makeJob(dialect, m_config);
        QSignalSpy created(job.get(), &ProviderBatchJob::batchCreated);
        QSignalSpy progress(job.get(), &ProviderBatchJob::batchProgress);
        QHash<QString, GenerationResult> results;
        collectInto(*job.get(), results);
        const QList<ProviderBatchRow> rows = reviewRows(50);
        job->start(rows);
        QVERIFY(waitFor(*job));
        QCOMPARE(job->state(), ProviderBatchJob::State::Finished);
        QCOMPARE(created.size(), 1);
        QCOMPARE(created.first().at(1).toStringList().size(), 50);
        QCOMPARE(job->batchIds(), QStringList {created.first().first().toString()});
        QVERIFY(!progress.isEmpty());
        QCOMPARE(results.size(), 50);

        const PriceBookLoad prices = PriceBook::builtin();
        QVERIFY(prices.book);
        const auto liveDialect = createProvider(dialect, m_sim->baseUrl(), QByteArray());
        const SchemaValidator validator = *SchemaValidator::compile(kSchema).validator;
        for (const ProviderBatchRow &row : rows) {
            const GenerationResult &result = results.value(row.rowId);
            QVERIFY2(result.ok(), qPrintable(row.rowId + u": "_s + result.errorMessage));
            QVERIFY(result.output.has_value());
            QVERIFY(validator.isValid(*result.output));
            QCOMPARE(result.attempts.size(), 1);
            QVERIFY(result.usage.input > 0);
            QVERIFY(result.usage.output > 0);
            // The batch price: the table's batch discount, half the live price.
            const Cost batch = computeCost(*prices.book, u"sim-small"_s, result.usage, {true});
            const Cost live = computeCost(*prices.book, u"sim-small"_s, result.usage);
            QVERIFY(result.cost.known());
            QVERIFY(result.cost.batch);
            QCOMPARE(*result.cost.pico, *batch.pico);
            QVERIFY(qAbs(*result.cost.pico * 2 - *live.pico) <= 1);
            QCOMPARE(result.priceTableVersion, prices.book->version());
            // The live pipeline's fingerprint: a batch answer can serve a later live request.
            QCOMPARE(result.fingerprint,
                requestFingerprint(
                    {dialect, liveDialect->encode(row.request).url.toString()}, row.request));

            const Trace &trace = result.trace;
            QVERIFY(trace.find(u"request"_s));
            QCOMPARE(trace.find(u"request"_s)->attributes.value(u"batch_id"_s).toString(),
                job->batchIds().first());
            QCOMPARE(trace.find(u"request"_s)->attributes.value(u"status"_s).toString(), u"ok"_s);
            // Like a live request's trace: the table that priced it, the answer's model and id.
            const QJsonObject &root = trace.find(u"request"_s)->attributes;
            QCOMPARE(root.value(u"price_table_version"_s).toString(), prices.book->version());
            QCOMPARE(root.value(u"response_model"_s).toString(), result.outcome.model);
            QCOMPARE(root.value(u"response_id"_s).toString(), result.outcome.responseId);
            QVERIFY(!result.outcome.responseId.isEmpty());
            QCOMPARE(trace.count(u"validation"_s), 1);
            QVERIFY(trace.find(u"validation"_s)->attributes.value(u"valid"_s).toBool());
        }
        const Trace &trace = job->trace();
        QCOMPARE(trace.count(u"batch_submit"_s), 1);
        QCOMPARE(trace.count(u"batch_wait"_s), 1);
        QCOMPARE(trace.count(u"batch_download"_s), 1);
        QVERIFY(trace.find(u"batch_wait"_s)->attributes.value(u"polls"_s).toInt() >= 1);
        QCOMPARE(trace.find(u"batch_download"_s)->attributes.value(u"lines"_s).toInt(), 50);
        QVERIFY(trace.find(u"provider_batch"_s)->end.has_value());

        int creates = 0;
        const QHash<QString, int> answered = answeredLines(&creates, createPath(dialect));
        QCOMPARE(creates, 1);
        QCOMPARE(answered.size(), 50);
        for (auto it = answered.cbegin(); it != answered.cend(); ++it)
            QCOMPARE(it.value(), 1);
    }

    void aFailedLineFailsOnlyItsRow_data() { addDialects({u"openai-responses"_s, u"anthropic"_s}); }

    void aFailedLineFailsOnlyItsRow()
    {
        QFETCH(QString, dialect);
        QStringList script(10, u"none"_s);
        script[3] = u"http500"_s;
        script[6] = u"schema_invalid"_s;
        QVERIFY(m_sim->scriptFaults(script));
        auto job = makeJob(dialect, m_config);
        QHash<QString, GenerationResult> results;
        collectInto(*job.get(), results);
        job->start(reviewRows(10));
        QVERIFY(waitFor(*job));
        QCOMPARE(results.size(), 10);
        const GenerationResult &failed = results.value(u"row-3"_s);
        QCOMPARE(failed.status, Status::Failed);
        QCOMPARE(failed.errorClass, ErrorClass::Server);
        QCOMPARE(failed.outcome.httpStatus, 500);
        QVERIFY(!failed.errorMessage.isEmpty());
        const GenerationResult &invalid = results.value(u"row-6"_s);
        QCOMPARE(invalid.status, Status::InvalidOutput);
        QVERIFY(!invalid.validationErrors.isEmpty());
        QVERIFY(!invalid.trace.find(u"validation"_s)->attributes.value(u"valid"_s).toBool());
        for (int i = 0; i < 10; ++i) {
            if (i != 3 && i != 6)
                QVERIFY(results.value(u"row-%1"_s.arg(i)).ok());
        }
    }

    void resumeFromABatchIdDoesNotSubmitAgain_data()
    {
        addDialects({u"openai-responses"_s, u"anthropic"_s});
    }

    void resumeFromABatchIdDoesNotSubmitAgain()
    {
        QFETCH(QString, dialect);
        hold();
        const QList<ProviderBatchRow> rows = reviewRows(12);
        QString batchId;
        {
            auto first = makeJob(dialect, m_config);
            QSignalSpy created(first.get(), &ProviderBatchJob::batchCreated);
            first->start(rows);
            QVERIFY(created.wait(10'000));
            batchId = created.first().first().toString();
            QVERIFY(!batchId.isEmpty());
        } // the process "dies" here with its batch running at the provider

        release();
        auto second = makeJob(dialect, m_config);
        QSignalSpy created(second.get(), &ProviderBatchJob::batchCreated);
        QHash<QString, GenerationResult> results;
        collectInto(*second.get(), results);
        second->resume({batchId}, rows);
        QVERIFY(waitFor(*second));
        QCOMPARE(created.size(), 0);
        QCOMPARE(second->batchIds(), QStringList {batchId});
        QCOMPARE(results.size(), 12);
        for (const GenerationResult &result : std::as_const(results))
            QVERIFY2(result.ok(), qPrintable(result.errorMessage));

        int creates = 0;
        const QHash<QString, int> answered = answeredLines(&creates, createPath(dialect));
        QCOMPARE(creates, 1);
        QCOMPARE(answered.size(), 12);
        for (auto it = answered.cbegin(); it != answered.cend(); ++it)
            QCOMPARE(it.value(), 1);
    }

    void rowsNoResumedBatchHoldsEndFailed()
    {
        auto job = makeJob(u"openai-responses"_s, m_config);
        QHash<QString, GenerationResult> results;
        collectInto(*job.get(), results);
        job->resume({}, reviewRows(2));
        QVERIFY(waitFor(*job));
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.value(u"row-0"_s).status, Status::Failed);
        QVERIFY(results.value(u"row-0"_s).errorMessage.contains(u"resumed"_s));
    }

    void resumingAnUnknownBatchFails()
    {
        auto job = makeJob(u"openai-responses"_s, m_config);
        QSignalSpy failed(job.get(), &ProviderBatchJob::failed);
        job->resume({u"batch_nope"_s}, reviewRows(1));
        QVERIFY(failed.wait(10'000));
        QCOMPARE(job->state(), ProviderBatchJob::State::Failed);
        QVERIFY2(job->errorMessage().contains(u"batch_nope"_s), qPrintable(job->errorMessage()));
        QVERIFY(job->errorMessage().contains(u"not_found"_s));
    }

    void splitsAtTheRowLimit()
    {
        ProviderBatchConfig config = m_config;
        config.maxRowsPerBatch = 20;
        auto job = makeJob(u"openai-responses"_s, config);
        QSignalSpy created(job.get(), &ProviderBatchJob::batchCreated);
        QSignalSpy rows(job.get(), &ProviderBatchJob::rowFinished);
        job->start(reviewRows(50));
        QVERIFY(waitFor(*job));
        QCOMPARE(created.size(), 3);
        QCOMPARE(created.at(0).at(1).toStringList().size(), 20);
        QCOMPARE(created.at(1).at(1).toStringList().size(), 20);
        QCOMPARE(created.at(2).at(1).toStringList().size(), 10);
        QCOMPARE(created.at(2).at(1).toStringList().last(), u"row-49"_s);
        QCOMPARE(job->batchIds().size(), 3);
        QCOMPARE(rows.size(), 50);
        QCOMPARE(job->trace().count(u"batch_submit"_s), 3);
    }

    void splitsAtTheByteLimit()
    {
        ProviderBatchConfig config = m_config;
        const QByteArray line
            = OpenAiBatchApi(createProvider(u"openai-responses"_s, m_sim->baseUrl(), QByteArray()))
                  .inputLine(u"row-0"_s, reviewRows(1).first().request);
        config.maxBytesPerBatch = 1024 + 3 * (line.size() + 1) + 10; // three lines and the envelope
        auto job = makeJob(u"openai-responses"_s, config);
        QSignalSpy created(job.get(), &ProviderBatchJob::batchCreated);
        job->start(reviewRows(7));
        QVERIFY(waitFor(*job));
        QCOMPARE(created.size(), 3);
        QCOMPARE(created.at(0).at(1).toStringList().size(), 3);
        QCOMPARE(created.at(2).at(1).toStringList().size(), 1);
    }

    void cancelEndsTheRowsNeverRun_data() { addDialects({u"openai-responses"_s, u"anthropic"_s}); }

    void cancelEndsTheRowsNeverRun()
    {
        QFETCH(QString, dialect);
        hold();
        auto job = makeJob(dialect, m_config);
        QSignalSpy created(job.get(), &ProviderBatchJob::batchCreated);
        QHash<QString, GenerationResult> results;
        collectInto(*job.get(), results);
        job->start(reviewRows(4));
        QVERIFY(created.wait(10'000));
        job->cancel();
        QVERIFY(waitFor(*job));
        QCOMPARE(results.size(), 4);
        for (const GenerationResult &result : std::as_const(results)) {
            QCOMPARE(result.status, Status::Cancelled);
            QVERIFY(result.attempts.isEmpty());
        }
    }

    void expiredRowsFailAsTimeouts_data() { addDialects({u"openai-responses"_s, u"anthropic"_s}); }

    void expiredRowsFailAsTimeouts()
    {
        QFETCH(QString, dialect);
        hold();
        auto job = makeJob(dialect, m_config);
        QSignalSpy created(job.get(), &ProviderBatchJob::batchCreated);
        QHash<QString, GenerationResult> results;
        collectInto(*job.get(), results);
        job->start(reviewRows(3));
        QVERIFY(created.wait(10'000));
        QCOMPARE(control(u"/sim/batch-expire"_s).value(u"expired"_s).toInt(), 1);
        QVERIFY(waitFor(*job));
        QCOMPARE(results.size(), 3);
        for (const GenerationResult &result : std::as_const(results)) {
            QCOMPARE(result.status, Status::Failed);
            QCOMPARE(result.errorClass, ErrorClass::Timeout);
        }
    }

    void aRateLimitedLookWaitsForRetryAfter()
    {
        ProviderBatchConfig config = m_config;
        config.pollInterval = 5ms;
        ScriptedHttp *network = nullptr;
        auto job = scriptedJob(network, config);
        network->answer(u"GET"_s, u"/v1/batches/"_s,
            openAiError(429, "rate_limit_exceeded", {{"retry-after-ms", "400"}}));
        QSignalSpy rows(job.get(), &ProviderBatchJob::rowFinished);
        job->start(reviewRows(3));
        QVERIFY(waitFor(*job));
        QCOMPARE(rows.size(), 3);
        const QList<ScriptedHttp::Call> looks = network->calls(u"GET"_s, u"/v1/batches/"_s);
        QVERIFY(looks.size() >= 2);
        // The look after the 429 waited for the hint, not the 5 ms interval
        // (a coarse timer may fire up to 5% early).
        QVERIFY2(looks.at(1).atMs - looks.at(0).atMs >= 380,
            qPrintable(QString::number(looks.at(1).atMs - looks.at(0).atMs)));
    }

    void aCreateWithoutAnAnswerIsNotSentAgain()
    {
        ScriptedHttp *network = nullptr;
        auto job = scriptedJob(network, m_config);
        HttpResponse lost;
        lost.transportError = ErrorClass::Network;
        lost.transportMessage = u"connection reset"_s;
        network->answer(u"POST"_s, u"/v1/batches"_s, lost);
        QSignalSpy failed(job.get(), &ProviderBatchJob::failed);
        job->start(reviewRows(2));
        QVERIFY(failed.wait(10'000));
        QVERIFY2(job->errorMessage().contains(u"batch list"_s), qPrintable(job->errorMessage()));
        QCOMPARE(network->calls(u"POST"_s, u"/v1/batches"_s).size(), 1);
    }

    void aRefusedCreateIsTriedAgain()
    {
        ScriptedHttp *network = nullptr;
        auto job = scriptedJob(network, m_config);
        network->answer(u"POST"_s, u"/v1/batches"_s,
            openAiError(429, "rate_limit_exceeded", {{"retry-after-ms", "10"}}));
        QSignalSpy created(job.get(), &ProviderBatchJob::batchCreated);
        job->start(reviewRows(2));
        QVERIFY(waitFor(*job));
        QCOMPARE(created.size(), 1);
        QCOMPARE(network->calls(u"POST"_s, u"/v1/batches"_s).size(), 2);
    }

    void keysTravelButNeverShow_data() { addDialects({u"openai-responses"_s, u"anthropic"_s}); }

    void keysTravelButNeverShow()
    {
        QFETCH(QString, dialect);
        sim::SimConfig config;
        config.requiredApiKey = "sk-MARKER-4711";
        config.batchSpeed = sim::BatchSpeed {0, 0, 0};
        m_sim = std::make_unique<sim::SimServer>(config);
        QVERIFY(m_sim->listen());
        auto job = std::make_unique<ProviderBatchJob>(
            createProvider(dialect, m_sim->baseUrl(), config.requiredApiKey), m_config);
        QHash<QString, GenerationResult> results;
        collectInto(*job, results);
        job->start(reviewRows(2));
        QVERIFY(waitFor(*job)); // the key went with every call
        QByteArray seen = QJsonDocument(traceToJson(job->trace())).toJson();
        for (const GenerationResult &result : std::as_const(results)) {
            QVERIFY(result.ok());
            seen
                += QJsonDocument(traceToJson(result.trace)).toJson() + result.errorMessage.toUtf8();
        }
        QVERIFY(!seen.contains("MARKER"));

        auto wrong = std::make_unique<ProviderBatchJob>(
            createProvider(dialect, m_sim->baseUrl(), "sk-WRONG-MARKER"), m_config);
        QSignalSpy failed(wrong.get(), &ProviderBatchJob::failed);
        wrong->start(reviewRows(1));
        QVERIFY(failed.wait(10'000));
        QVERIFY2(wrong->errorMessage().contains(u"auth"_s), qPrintable(wrong->errorMessage()));
        QVERIFY(!wrong->errorMessage().contains(u"MARKER"_s));
        QVERIFY(!QJsonDocument(traceToJson(wrong->trace())).toJson().contains("MARKER"));
    }

    void customIds()
    {
        QCOMPARE(ProviderBatchJob::customIdFor(u"row-7_b"_s), u"row-7_b"_s);
        const QString hashed = ProviderBatchJob::customIdFor(u"row 7/ä"_s);
        QVERIFY(QRegularExpression(u"^h-[0-9a-f]{40}$"_s).match(hashed).hasMatch());
        QCOMPARE(ProviderBatchJob::customIdFor(u"row 7/ä"_s), hashed);
        QVERIFY(ProviderBatchJob::customIdFor(QString(65, u'a')).startsWith(u"h-"_s));
    }

    void duplicateRowIdsAreRefused()
    {
        auto job = makeJob(u"openai-responses"_s, m_config);
        QSignalSpy failed(job.get(), &ProviderBatchJob::failed);
        QList<ProviderBatchRow> rows = reviewRows(2);
        rows[1].rowId = rows[0].rowId;
        job->start(rows);
        QVERIFY(failed.wait(10'000));
        QVERIFY(job->errorMessage().contains(u"appears twice"_s));
        int creates = 0;
        answeredLines(&creates, u"/v1/batches"_s);
        QCOMPARE(creates, 0);
    }
};

QTEST_GUILESS_MAIN(TestProviderBatch)
#include "tst_providerbatch.moc"
