// The request pipeline over real HTTP against the in-process simulator:
// nothing is sent for a broken template, identical requests in flight share
// one exchange, the result cache (memory and disk) answers without one, and
// each dialect streams the same text as it answers plain, a cut stream is
// retried, and Anthropic's "credit balance is too low" is final.
#include "engine/llmservice.h"
#include "pipelinetest.h"
#include "providers/openairesponses.h"
#include "providers/providerregistry.h"
#include "sim/simserver.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;
using namespace sluice::test;

namespace {

LlmRequest simRequest()
{
    LlmRequest request;
    request.model = QStringLiteral("sim-small");
    request.promptTemplate = QStringLiteral("Describe {{thing}} in one sentence.");
    request.variables = {{QStringLiteral("thing"), QStringLiteral("a river")}};
    request.useCache = true;
    return request;
}

} // namespace

class TestPipelineSim : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LlmService> makeService(sim::SimServer &server, LlmServiceConfig config = {})
    {
        return std::make_unique<LlmService>(
            std::make_shared<OpenAiResponsesProvider>(server.baseUrl(), QByteArray()),
            SteadyClock::instance(), m_timers, std::move(config));
    }

    QtTimerFactory m_timers;

private Q_SLOTS:
    void missingVariableSendsNothing()
    {
        sim::SimServer server;
        QVERIFY(server.listen());
        auto service = makeService(server);
        LlmRequest request = simRequest();
        request.promptTemplate = QStringLiteral("Describe {{thing}} near {{place}}.");
        const auto result = runBlocking(*service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Failed);
        QVERIFY(result->errorMessage.contains(QStringLiteral("place")));
        QCOMPARE(server.requestCount(), 0);
    }

    void schemaAnswerIsValidatedEndToEnd()
    {
        sim::SimServer server;
        QVERIFY(server.listen());
        auto service = makeService(server);
        LlmRequest request = simRequest();
        request.useCache = false;
        request.outputSchema = QJsonDocument::fromJson(R"({"type":"object",
            "properties":{"name":{"type":"string"},"size":{"type":"integer"}},
            "required":["name","size"],"additionalProperties":false})")
                                   .object();
        const auto result = runBlocking(*service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QVERIFY(result->output && result->output->isObject());
        QVERIFY(result->outcome.hasUsage);
        QVERIFY(result->cost.known()); // sim-small has invented prices in the table
        QCOMPARE(server.requestCount(), 1);
    }

    void identicalRequestsInFlightShareOneExchange()
    {
        sim::SimConfig config;
        config.latency = std::chrono::milliseconds(200);
        sim::SimServer server(config);
        QVERIFY(server.listen());
        auto service = makeService(server);
        const int n = 5;
        QList<GenerationResult> results;
        for (int i = 0; i < n; ++i)
            service->submit(simRequest(), [&](const GenerationResult &r) { results.append(r); });
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), n, 10'000);
        QCOMPARE(server.requestCount(), 1);
        int coalesced = 0;
        for (const GenerationResult &r : std::as_const(results)) {
            QCOMPARE(r.status, GenerationResult::Status::Ok);
            QCOMPARE(r.text, results.first().text);
            coalesced += r.coalesced ? 1 : 0;
        }
        QCOMPARE(coalesced, n - 1);
        QCOMPARE(service->metrics().total().sent, 1);
    }

    void cacheHitSendsNothing()
    {
        sim::SimServer server;
        QVERIFY(server.listen());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LlmServiceConfig config;
        config.cacheDirectory = dir.path();
        auto service = makeService(server, config);
        const auto first = runBlocking(*service, simRequest());
        QVERIFY(first && first->ok());
        QVERIFY(!first->fromCache);
        QCOMPARE(server.requestCount(), 1);

        const auto second = runBlocking(*service, simRequest());
        QVERIFY(second && second->ok());
        QVERIFY(second->fromCache);
        QCOMPARE(second->text, first->text);
        QCOMPARE(*second->cost.pico, 0);
        QCOMPARE(server.requestCount(), 1);

        // A new service (a new process) finds it on disk.
        auto restarted = makeService(server, config);
        const auto third = runBlocking(*restarted, simRequest());
        QVERIFY(third && third->ok());
        QVERIFY(third->fromCache);
        QCOMPARE(third->text, first->text);
        QCOMPARE(server.requestCount(), 1);

        // Without the opt-in, the same request is sent.
        LlmRequest uncached = simRequest();
        uncached.useCache = false;
        const auto fourth = runBlocking(*service, uncached);
        QVERIFY(fourth && fourth->ok());
        QCOMPARE(server.requestCount(), 2);
    }

    void streamsTheSameTextAsThePlainAnswer_data()
    {
        QTest::addColumn<QString>("dialect");
        for (const char *id : {"openai-responses", "openai-chat", "anthropic"})
            QTest::newRow(id) << QString::fromLatin1(id);
    }

    void streamsTheSameTextAsThePlainAnswer()
    {
        QFETCH(QString, dialect);
        sim::SimConfig config;
        config.latency = std::chrono::milliseconds(150);
        config.tokensPerSecond = 400; // the rest of the answer comes after the first token
        sim::SimServer server(config);
        QVERIFY(server.listen());
        LlmService service(createProvider(dialect, server.baseUrl(), QByteArray()),
            SteadyClock::instance(), m_timers, LlmServiceConfig {});
        LlmRequest request = simRequest();
        request.useCache = false;

        const auto plain = runBlocking(service, request);
        QVERIFY(plain);
        QCOMPARE(plain->status, GenerationResult::Status::Ok);
        QVERIFY(!plain->ttftMs.has_value());

        request.stream = true;
        QStringList deltas;
        std::optional<GenerationResult> streamed;
        service.submit(
            request, [&](const GenerationResult &r) { streamed = r; },
            [&](int attempt, const QString &delta) {
                QCOMPARE(attempt, 0);
                deltas << delta;
            });
        QTRY_VERIFY_WITH_TIMEOUT(streamed.has_value(), 10'000);
        QCOMPARE(streamed->status, GenerationResult::Status::Ok);
        QVERIFY(!streamed->text.isEmpty());
        QCOMPARE(streamed->text, plain->text);
        QVERIFY2(deltas.size() > 1, qPrintable(QString::number(deltas.size())));
        QCOMPARE(deltas.join(QString()), streamed->text);
        QVERIFY(streamed->ttftMs.has_value());
        QVERIFY2(*streamed->ttftMs < streamed->latencyMs,
            qPrintable(QStringLiteral("ttft %1 ms, latency %2 ms")
                           .arg(*streamed->ttftMs)
                           .arg(streamed->latencyMs)));
        QVERIFY(streamed->outcome.hasUsage);
        QCOMPARE(server.requestCount(), 2);
        QCOMPARE(service.metrics().total().timeToFirstToken.count, 1);
    }

    void cutStreamIsRetriedAndItsTextVoided_data()
    {
        QTest::addColumn<QString>("dialect");
        for (const char *id : {"openai-responses", "openai-chat", "anthropic"})
            QTest::newRow(id) << QString::fromLatin1(id);
    }

    void cutStreamIsRetriedAndItsTextVoided()
    {
        QFETCH(QString, dialect);
        sim::SimServer server;
        QVERIFY(server.listen());
        QVERIFY(server.scriptFaults({QStringLiteral("truncate")}));
        LlmServiceConfig config;
        config.random = [] { return 0.0; }; // no backoff
        LlmService service(createProvider(dialect, server.baseUrl(), QByteArray()),
            SteadyClock::instance(), m_timers, std::move(config));
        LlmRequest request = simRequest();
        request.useCache = false;
        request.stream = true;
        QList<std::pair<int, QString>> deltas;
        std::optional<GenerationResult> result;
        service.submit(
            request, [&](const GenerationResult &r) { result = r; },
            [&](int attempt, const QString &delta) {
                deltas.append({attempt, delta});
            });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10'000);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QCOMPARE(result->attempts.size(), 2);
        QCOMPARE(result->attempts.at(0).errorClass, ErrorClass::TruncatedStream);
        QVERIFY(result->attempts.at(0).reachedServer);
        QString shown;
        for (const auto &[attempt, delta] : std::as_const(deltas)) {
            if (attempt == 1)
                shown += delta;
            else
                QCOMPARE(attempt, 0);
        }
        QCOMPARE(shown, result->text);
        QVERIFY(result->ttftMs.has_value());
        QCOMPARE(server.requestCount(), 2);
    }

    void anthropicOutOfCreditIsFinal()
    {
        sim::SimServer server;
        QVERIFY(server.listen());
        QVERIFY(server.scriptFaults({QStringLiteral("insufficient_quota")}));
        LlmService service(createProvider(u"anthropic", server.baseUrl(), QByteArray()),
            SteadyClock::instance(), m_timers, LlmServiceConfig {});
        LlmRequest request = simRequest();
        request.useCache = false;
        const auto result = runBlocking(service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Failed);
        QCOMPARE(result->errorClass, ErrorClass::QuotaExhausted);
        QCOMPARE(result->attempts.first().httpStatus, 400);
        QCOMPARE(server.requestCount(), 1); // not retried
    }
};

QTEST_GUILESS_MAIN(TestPipelineSim)
#include "tst_pipeline_sim.moc"
