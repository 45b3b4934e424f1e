// The request pipeline against scripted answers (FakeExchanger): cost,
// budget, validation and repair, retries, cancellation, hedging, traces (the
// answer's model and id; the price table on every path), streaming (deltas,
// time to first token on a manual clock), runtime limits.
#include "core/cost.h"
#include "core/outputrepair.h"
#include "engine/llmservice.h"
#include "fakeexchanger.h"
#include "manualclock.h"
#include "pipelinetest.h"
#include "providers/openairesponses.h"

#include <QJsonDocument>
#include <QTest>

using namespace sluice;
using namespace sluice::test;

namespace {

const QJsonObject kSchema = QJsonDocument::fromJson(R"({
    "type": "object",
    "properties": {"a": {"type": "integer"}},
    "required": ["a"],
    "additionalProperties": false
})")
                                .object();

struct Fixture
{
    explicit Fixture(LlmServiceConfig config = {})
        : Fixture(SteadyClock::instance(), realTimers, std::move(config))
    { }
    /// On a manual clock, which is also the timer factory.
    explicit Fixture(ManualClock &clock, LlmServiceConfig config = {})
        : Fixture(clock, clock, std::move(config))
    { }
    Fixture(const Clock &clock, TimerFactory &timers, LlmServiceConfig config)
    {
        auto owned = std::make_unique<FakeExchanger>();
        fake = owned.get();
        service = std::make_unique<LlmService>(
            std::make_shared<OpenAiResponsesProvider>(
                QUrl(QStringLiteral("http://127.0.0.1:9/v1")), QByteArray("sk-test-secret")),
            clock, timers, std::move(config), std::move(owned));
    }

    QtTimerFactory realTimers;
    FakeExchanger *fake = nullptr;
    std::unique_ptr<LlmService> service;
};

/// What a streamed request handed to its callbacks, in order.
struct StreamLog
{
    QList<std::pair<int, QString>> deltas; ///< (attempt, text)
    std::optional<GenerationResult> result;
    int deltasAfterResult = 0;

    LlmService::DeltaCallback onDelta()
    {
        return [this](int attempt, const QString &delta) {
            deltas.append({attempt, delta});
            if (result)
                ++deltasAfterResult;
        };
    }
    LlmService::Callback onDone()
    {
        return [this](const GenerationResult &r) { result = r; };
    }
    /// The text of the attempt shown last, as a caller following the rule
    /// (a new attempt number voids what was shown) would display it.
    [[nodiscard]] QString shownText() const
    {
        QString text;
        int shown = -1;
        for (const auto &[attempt, delta] : deltas) {
            if (attempt != shown)
                text.clear();
            shown = attempt;
            text += delta;
        }
        return text;
    }
};

LlmRequest streamedRequest()
{
    LlmRequest request;
    request.model = QStringLiteral("gpt-5-mini");
    request.promptTemplate = QStringLiteral("Say hello");
    request.operation = QStringLiteral("greet");
    request.stream = true;
    return request;
}

LlmRequest simpleRequest(const QString &prompt = QStringLiteral("Say hello to {{name}}"))
{
    LlmRequest request;
    request.model = QStringLiteral("gpt-5-mini");
    request.promptTemplate = prompt;
    request.variables = {{QStringLiteral("name"), QStringLiteral("Ada")}};
    request.operation = QStringLiteral("greet");
    return request;
}

/// One request in flight at a time, 100 requests a minute.
LlmServiceConfig oneSlotConfig()
{
    LlmServiceConfig config;
    config.maxConcurrent = 1;
    config.rateLimits.requestsPerMinute = 100;
    return config;
}

/// Submits a request whose answer the fake holds until releaseAll().
void submitHeld(Fixture &f, std::optional<GenerationResult> &into)
{
    FakeExchanger::Reply held = FakeExchanger::completed(QStringLiteral("first"));
    held.hold = true;
    f.fake->script = {held};
    f.service->submit(simpleRequest(), [&into](const GenerationResult &r) { into = r; });
}

QJsonObject sentBody(const HttpRequest &request)
{
    return QJsonDocument::fromJson(request.body).object();
}

/// An attribute of the trace's `request` span (undefined when it has none).
QJsonValue requestAttribute(const GenerationResult &result, const QString &key)
{
    const Span *request = result.trace.find(QStringLiteral("request"));
    return request ? request->attributes.value(key) : QJsonValue(QJsonValue::Undefined);
}

/// Empty when `result` and its request span both record the price table
/// `version`, else what records what.
QString priceTableProblem(const GenerationResult &result, const QString &version)
{
    const QString traced
        = requestAttribute(result, QStringLiteral("price_table_version")).toString();
    if (result.priceTableVersion == version && traced == version)
        return {};
    return QStringLiteral("%1: the result records '%2', the trace '%3', not '%4'")
        .arg(resultStatusName(result.status), result.priceTableVersion, traced, version);
}

} // namespace

class TestPipeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rendersTemplatesAndRecordsUnusedVariables()
    {
        Fixture f;
        LlmRequest request = simpleRequest();
        request.instructionsTemplate = QStringLiteral("Be brief.");
        request.variables.insert(QStringLiteral("unused"), QStringLiteral("x"));
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QCOMPARE(f.fake->requests.size(), 1);
        const QJsonObject body = sentBody(f.fake->requests.first());
        QCOMPARE(
            body.value(QStringLiteral("input")).toString(), QStringLiteral("Say hello to Ada"));
        QCOMPARE(
            body.value(QStringLiteral("instructions")).toString(), QStringLiteral("Be brief."));
        QCOMPARE(result->warnings.size(), 1);
        QVERIFY(result->warnings.first().contains(QStringLiteral("unused")));
        QCOMPARE(result->text, QStringLiteral("hello"));
        QCOMPARE(result->requestId, QStringLiteral("req_fake"));
        QCOMPARE(result->attempts.size(), 1);
        QVERIFY(result->attempts.first().reachedServer);
        QVERIFY(!result->ttftMs.has_value());
    }

    void missingVariableFailsBeforeSending()
    {
        Fixture f;
        LlmRequest request = simpleRequest(QStringLiteral("Weather in {{city}} for {{name}}"));
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Failed);
        QVERIFY2(result->errorMessage.contains(QStringLiteral("city")),
            qPrintable(result->errorMessage));
        QCOMPARE(f.fake->requests.size(), 0);
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 0);
    }

    void costOfCachedAndReasoningTokensIsExact()
    {
        Fixture f;
        f.fake->script = {FakeExchanger::completed(
            QStringLiteral("ok"), QStringLiteral("gpt-5-mini-2025-08-07"), 1000, 400, 500, 200)};
        const auto result = runBlocking(*f.service, simpleRequest());
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        // gpt-5-mini: input 0.25, cached 0.025, output 2.00 $/Mtok; reasoning is part of output.
        const PicoAmount expected = 600 * 250'000LL + 400 * 25'000LL + 500 * 2'000'000LL;
        QVERIFY(result->cost.known());
        QCOMPARE(*result->cost.pico, expected);
        QCOMPARE(result->cost.pricedAs, QStringLiteral("gpt-5-mini"));
        QCOMPARE(result->priceTableVersion, f.service->priceBook()->version());
        QCOMPARE(result->cost.tableVersion, f.service->priceBook()->version());
        QCOMPARE(result->usage.cached, 400);
        QCOMPARE(result->usage.reasoning, 200);
        const MetricsSnapshot metrics = f.service->metrics().total();
        QCOMPARE(metrics.sent, 1);
        QCOMPARE(metrics.received, 1);
        QCOMPARE(metrics.tokens.input, 1000);
    }

    void unknownModelCostIsNull()
    {
        Fixture f;
        f.fake->script
            = {FakeExchanger::completed(QStringLiteral("ok"), QStringLiteral("mystery-1"))};
        LlmRequest request = simpleRequest();
        request.model = QStringLiteral("mystery-1");
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QVERIFY(!result->cost.known());
        QVERIFY(!result->cost.unknownReason.isEmpty());
        QCOMPARE(f.service->metrics().total().receivedWithUnknownCost, 1);
    }

    void budgetCapStopsDispatchOnTheEstimate()
    {
        Fixture f;
        // Each estimate: 1000 output tokens at 2.00 $/Mtok (+ a few input tokens) ~ $0.002.
        auto budget = std::make_shared<Budget>(picoFromUnits(0.003));
        LlmRequest request = simpleRequest();
        request.maxOutputTokens = 1000;
        request.budget = budget;
        std::vector<GenerationResult> results;
        for (int i = 0; i < 3; ++i)
            f.service->submit(request, [&](const GenerationResult &r) { results.push_back(r); });
        QTRY_COMPARE_WITH_TIMEOUT(int(results.size()), 3, 10'000);
        int ok = 0;
        int stopped = 0;
        for (const GenerationResult &r : results) {
            if (r.status == GenerationResult::Status::Ok)
                ++ok;
            if (r.status == GenerationResult::Status::BudgetExceeded) {
                ++stopped;
                QVERIFY(!r.errorMessage.isEmpty());
                QVERIFY(r.attempts.isEmpty());
            }
        }
        QCOMPARE(ok, 1);
        QCOMPARE(stopped, 2);
        QCOMPARE(f.fake->requests.size(), 1);
        QVERIFY(budget->spent() <= *budget->cap());
        QCOMPARE(budget->reserved(), 0);
        // The one sent was settled at its actual cost (100 in, 20 out).
        QCOMPARE(budget->spent(), 100 * 250'000LL + 20 * 2'000'000LL);
    }

    void repairLadderFixesFencedJsonWithoutANewRequest()
    {
        Fixture f;
        f.fake->script = {
            FakeExchanger::completed(QStringLiteral("Here you go:\n```json\n{\"a\": 7}\n```\n"))};
        LlmRequest request = simpleRequest();
        request.outputSchema = kSchema;
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QCOMPARE(f.fake->requests.size(), 1);
        QVERIFY(result->output);
        QCOMPARE(result->output->toObject().value(QStringLiteral("a")).toInt(), 7);
        QCOMPARE(result->repairStep, repairStepName(RepairStep::StripCodeFences));
        QCOMPARE(result->trace.count(QStringLiteral("validation")), 1);
        QCOMPARE(result->trace.count(QStringLiteral("repair")), 1);
    }

    void reaskCarriesTheValidationErrors()
    {
        Fixture f;
        f.fake->script = {FakeExchanger::completed(QStringLiteral("{\"a\": \"seven\"}")),
            FakeExchanger::completed(QStringLiteral("{\"a\": 7}"))};
        LlmRequest request = simpleRequest();
        request.outputSchema = kSchema;
        request.maxRepairReasks = 1;
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QCOMPARE(f.fake->requests.size(), 2);
        QCOMPARE(result->attempts.size(), 2);
        QCOMPARE(result->attempts.at(1).kind, AttemptKind::Reask);
        const QString again
            = sentBody(f.fake->requests.at(1)).value(QStringLiteral("input")).toString();
        QVERIFY2(again.contains(QStringLiteral("/a")), qPrintable(again));
        // Both attempts are billed, each on its own line.
        QVERIFY(result->attempts.at(0).cost.known() && result->attempts.at(1).cost.known());
        QCOMPARE(*result->cost.pico, *result->attempts.at(0).cost.pico * 2);
    }

    void invalidOutputWithoutReaskIsReported()
    {
        Fixture f;
        f.fake->script = {FakeExchanger::completed(QStringLiteral("{\"a\": \"seven\"}"))};
        LlmRequest request = simpleRequest();
        request.outputSchema = kSchema;
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::InvalidOutput);
        QCOMPARE(f.fake->requests.size(), 1);
        QVERIFY(!result->validationErrors.isEmpty());
        QVERIFY(result->validationErrors.first().startsWith(QStringLiteral("/a")));
    }

    void strictOnlyWhenTheLinterPasses()
    {
        Fixture f;
        LlmRequest request = simpleRequest();
        request.outputSchema = kSchema;
        f.fake->defaultReply = FakeExchanger::completed(QStringLiteral("{\"a\": 1}"));
        auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->warnings, QStringList());
        auto format = sentBody(f.fake->requests.last())
                          .value(QStringLiteral("text"))
                          .toObject()
                          .value(QStringLiteral("format"))
                          .toObject();
        QCOMPARE(format.value(QStringLiteral("strict")).toBool(), true);

        QJsonObject loose = kSchema;
        loose.remove(QStringLiteral("additionalProperties"));
        request.outputSchema = loose;
        result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QVERIFY(!result->warnings.isEmpty());
        QVERIFY(result->warnings.first().contains(QStringLiteral("additional-properties")));
        format = sentBody(f.fake->requests.last())
                     .value(QStringLiteral("text"))
                     .toObject()
                     .value(QStringLiteral("format"))
                     .toObject();
        QCOMPARE(format.value(QStringLiteral("strict")).toBool(true), false);
    }

    void retryAfter429ObeysTheHintAndTheGateCountsBoth()
    {
        LlmServiceConfig config;
        config.rateLimits.requestsPerMinute = 100;
        Fixture f(config);
        f.fake->script
            = {FakeExchanger::rateLimited(150), FakeExchanger::completed(QStringLiteral("ok"))};
        const auto result = runBlocking(*f.service, simpleRequest());
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QCOMPARE(result->attempts.size(), 2);
        QCOMPARE(result->attempts.at(0).errorClass, ErrorClass::RateLimited);
        QCOMPARE(result->attempts.at(0).httpStatus, 429);
        QCOMPARE(result->attempts.at(1).kind, AttemptKind::Retry);
        const Span *backoff = result->trace.find(QStringLiteral("backoff"));
        QVERIFY(backoff);
        QCOMPARE(backoff->attributes.value(QStringLiteral("delay_ms")).toDouble(), 150.0);
        QVERIFY(backoff->durationMs().value_or(0) >= 140.0);
        // The failed attempt reached the server: it still counts in the window.
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 2);
        const MetricsSnapshot metrics = f.service->metrics().total();
        QCOMPARE(metrics.sent, 2);
        QCOMPARE(metrics.failedWith(ErrorClass::RateLimited), 1);
    }

    void quotaExhaustedIsFinal()
    {
        Fixture f;
        FakeExchanger::Reply quota = FakeExchanger::rateLimited(10);
        quota.body
            = R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})";
        f.fake->script = {quota};
        const auto result = runBlocking(*f.service, simpleRequest());
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Failed);
        QCOMPARE(result->errorClass, ErrorClass::QuotaExhausted);
        QCOMPARE(f.fake->requests.size(), 1);
    }

    void refusedConnectionIsCompensated()
    {
        LlmServiceConfig config;
        config.rateLimits.requestsPerMinute = 100;
        Fixture f(config);
        LlmRequest request = simpleRequest();
        request.maxAttempts = 1;
        f.fake->script = {FakeExchanger::Reply {}};
        f.fake->script.first().reaches = false;
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Failed);
        QCOMPARE(result->errorClass, ErrorClass::Network);
        QVERIFY(!result->attempts.first().reachedServer);
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 0);
        QCOMPARE(f.service->metrics().total().sent, 0);
        QCOMPARE(*result->cost.pico, 0);
    }

    void cancelledQueuedRequestLeavesNoTrace()
    {
        Fixture f(oneSlotConfig());
        std::optional<GenerationResult> first;
        submitHeld(f, first);
        QTRY_COMPARE(f.fake->inFlight(), 1);
        const RateGateSnapshot before = f.service->rateGate().snapshot();
        const int inUseBefore = f.service->concurrencyGate().inUse();

        std::optional<GenerationResult> second;
        int secondCalls = 0;
        const RequestHandle handle
            = f.service->submit(simpleRequest(), [&](const GenerationResult &r) {
                  ++secondCalls;
                  second = r;
              });
        QTRY_COMPARE(f.service->concurrencyGate().queued(Priority::Interactive), 1);
        QVERIFY(f.service->cancel(handle));
        QVERIFY(!f.service->cancel(handle));
        QTRY_COMPARE(secondCalls, 1);
        QCOMPARE(second->status, GenerationResult::Status::Cancelled);

        QCOMPARE(f.service->concurrencyGate().queued(Priority::Interactive), 0);
        QCOMPARE(f.service->concurrencyGate().inUse(), inUseBefore);
        const RateGateSnapshot after = f.service->rateGate().snapshot();
        QCOMPARE(after.requestsInWindow, before.requestsInWindow);
        QCOMPARE(after.tokensInWindow, before.tokensInWindow);
        QCOMPARE(after.queuedInteractive, 0);

        f.fake->releaseAll();
        QTRY_VERIFY(first.has_value());
        QCOMPARE(first->status, GenerationResult::Status::Ok);
        QCOMPARE(f.fake->requests.size(), 1);
        QCOMPARE(f.service->concurrencyGate().inUse(), 0);
        QCOMPARE(secondCalls, 1);
    }

    void deadlineEndsTheWaitInTheGates()
    {
        Fixture f(oneSlotConfig());
        std::optional<GenerationResult> first;
        submitHeld(f, first);
        QTRY_COMPARE(f.fake->inFlight(), 1);

        LlmRequest late = simpleRequest();
        late.deadline = SteadyClock::instance().now() + std::chrono::milliseconds(100);
        const auto result = runBlocking(*f.service, late);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Failed);
        QCOMPARE(result->errorClass, ErrorClass::Timeout);
        QCOMPARE(f.service->concurrencyGate().queued(Priority::Interactive), 0);
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 1);
        QCOMPARE(f.fake->requests.size(), 1);

        f.fake->releaseAll();
        QTRY_VERIFY(first.has_value());
        QCOMPARE(first->status, GenerationResult::Status::Ok);
    }

    void hedgeLoserIsCancelledAndAccounted()
    {
        LlmServiceConfig config;
        config.hedgeMinSamples = 3;
        config.rateLimits.requestsPerMinute = 1000;
        Fixture f(config);
        f.fake->defaultReply.delayMs = 5;
        for (int i = 0; i < 3; ++i) {
            const auto warmup = runBlocking(*f.service, simpleRequest());
            QVERIFY(warmup && warmup->ok());
        }
        FakeExchanger::Reply slow = FakeExchanger::completed(QStringLiteral("slow"));
        slow.hold = true;
        FakeExchanger::Reply fast = FakeExchanger::completed(QStringLiteral("fast"));
        f.fake->script = {slow, fast};

        LlmRequest request = simpleRequest();
        request.hedge = true;
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QCOMPARE(result->text, QStringLiteral("fast"));
        QCOMPARE(result->attempts.size(), 2);
        QCOMPARE(result->attempts.at(1).kind, AttemptKind::Hedge);
        QVERIFY(result->attempts.at(0).cancelled);
        QVERIFY(result->attempts.at(0).reachedServer);
        QVERIFY(!result->attempts.at(1).cancelled);
        QCOMPARE(f.fake->cancels, 1);
        QCOMPARE(f.fake->inFlight(), 0);
        QCOMPARE(f.service->concurrencyGate().inUse(), 0);
        // 3 warm-ups + both copies reached the server: all count in the window.
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 5);
        QCOMPARE(f.service->pending(), 0);
    }

    void streamedDeltasArriveInOrderAndMakeTheText()
    {
        Fixture f;
        f.fake->script = {FakeExchanger::streamed(
            {QStringLiteral("Hel"), QStringLiteral("lo, "), QStringLiteral("world")})};
        StreamLog log;
        f.service->submit(streamedRequest(), log.onDone(), log.onDelta());
        QTRY_VERIFY(log.result.has_value());
        QTest::qWait(20);
        QCOMPARE(log.result->status, GenerationResult::Status::Ok);
        QCOMPARE(sentBody(f.fake->requests.first()).value(QStringLiteral("stream")).toBool(), true);
        const QList<std::pair<int, QString>> expected {
            {0, QStringLiteral("Hel")}, {0, QStringLiteral("lo, ")}, {0, QStringLiteral("world")}};
        QCOMPARE(log.deltas, expected);
        QCOMPARE(log.deltasAfterResult, 0);
        QCOMPARE(log.result->text, QStringLiteral("Hello, world"));
        QCOMPARE(log.shownText(), log.result->text);
        QVERIFY(log.result->ttftMs.has_value());
        QVERIFY(log.result->outcome.hasUsage);
        const MetricsSnapshot metrics = f.service->metrics().total();
        QCOMPARE(metrics.received, 1);
        QCOMPARE(metrics.timeToFirstToken.count, 1);
    }

    void ttftIsExactOnTheManualClock()
    {
        ManualClock clock;
        Fixture f(clock);
        FakeExchanger::Reply reply
            = FakeExchanger::streamed({QStringLiteral("Hi"), QStringLiteral(" there")});
        reply.stepped = true;
        f.fake->script = {reply};
        StreamLog log;
        f.service->submit(streamedRequest(), log.onDone(), log.onDelta());
        QTRY_COMPARE(f.fake->inFlight(), 1); // sent at the clock's current instant
        clock.advance(std::chrono::milliseconds(40));
        QVERIFY(f.fake->step()); // response.created: no text yet
        clock.advance(std::chrono::milliseconds(80));
        QVERIFY(f.fake->step()); // "Hi": the first token, 120 ms after sending
        QTRY_COMPARE(log.deltas.size(), 1);
        QVERIFY(!log.result);
        clock.advance(std::chrono::milliseconds(30));
        QVERIFY(f.fake->step()); // " there"
        clock.advance(std::chrono::milliseconds(10));
        QVERIFY(f.fake->step()); // response.completed
        QVERIFY(f.fake->step()); // the end of the exchange
        QVERIFY(!f.fake->step());
        QTRY_VERIFY(log.result.has_value());
        QCOMPARE(log.result->status, GenerationResult::Status::Ok);
        QCOMPARE(log.result->text, QStringLiteral("Hi there"));
        QCOMPARE(log.deltas.size(), 2);
        QCOMPARE(log.result->ttftMs, std::optional<double>(120.0));
        QCOMPARE(log.result->latencyMs, 160.0);
        QCOMPARE(log.result->attempts.first().ttftMs, std::optional<double>(120.0));
        const Span *attempt = log.result->trace.find(QStringLiteral("attempt"));
        QVERIFY(attempt);
        QCOMPARE(attempt->attributes.value(QStringLiteral("ttft_ms")).toDouble(), 120.0);
        const LatencyHistogram::Summary ttft = f.service->metrics().total().timeToFirstToken;
        QCOMPARE(ttft.count, 1);
        QVERIFY(ttft.maxMs >= 110.0 && ttft.maxMs <= 130.0); // to bucket precision
    }

    void plainRequestHasNoDeltasAndNoTtft()
    {
        Fixture f;
        StreamLog log;
        LlmRequest request = streamedRequest();
        request.stream = false;
        f.service->submit(request, log.onDone(), log.onDelta());
        QTRY_VERIFY(log.result.has_value());
        QTest::qWait(20);
        QCOMPARE(log.result->status, GenerationResult::Status::Ok);
        QCOMPARE(log.result->text, QStringLiteral("hello"));
        QVERIFY(log.deltas.isEmpty());
        QVERIFY(!log.result->ttftMs.has_value());
        QVERIFY(!log.result->attempts.first().ttftMs.has_value());
        QVERIFY(!sentBody(f.fake->requests.first()).contains(QStringLiteral("stream")));
        QVERIFY(!log.result->trace.find(QStringLiteral("attempt"))
                     ->attributes.contains(QStringLiteral("ttft_ms")));
        QCOMPARE(f.service->metrics().total().timeToFirstToken.count, 0);
    }

    void renderedRequestStreamsToo()
    {
        Fixture f;
        f.fake->script = {FakeExchanger::streamed({QStringLiteral("a"), QStringLiteral("b")})};
        GenerationRequest request;
        request.model = QStringLiteral("gpt-5-mini");
        request.input = QStringLiteral("Say ab");
        request.stream = true;
        StreamLog log;
        f.service->submit(request, log.onDone(), log.onDelta());
        QTRY_VERIFY(log.result.has_value());
        QCOMPARE(log.result->text, QStringLiteral("ab"));
        QCOMPARE(log.shownText(), QStringLiteral("ab"));
        QVERIFY(log.result->ttftMs.has_value());
    }

    void cutStreamRetriesAndVoidsThePartialText()
    {
        LlmServiceConfig config;
        config.random = [] { return 0.0; }; // no backoff
        Fixture f(config);
        f.fake->script
            = {FakeExchanger::streamed({QStringLiteral("Hel"), QStringLiteral("lo")}, true),
                FakeExchanger::streamed({QStringLiteral("Hello"), QStringLiteral(" world")})};
        StreamLog log;
        f.service->submit(streamedRequest(), log.onDone(), log.onDelta());
        QTRY_VERIFY(log.result.has_value());
        QTest::qWait(20);
        QCOMPARE(log.result->status, GenerationResult::Status::Ok);
        QCOMPARE(log.result->attempts.size(), 2);
        QCOMPARE(log.result->attempts.at(0).errorClass, ErrorClass::TruncatedStream);
        QCOMPARE(log.result->attempts.at(1).kind, AttemptKind::Retry);
        const QList<std::pair<int, QString>> expected {{0, QStringLiteral("Hel")},
            {0, QStringLiteral("lo")}, {1, QStringLiteral("Hello")}, {1, QStringLiteral(" world")}};
        QCOMPARE(log.deltas, expected);
        QCOMPARE(log.result->text, QStringLiteral("Hello world"));
        QCOMPARE(log.shownText(), log.result->text);
        QCOMPARE(f.service->metrics().total().failedWith(ErrorClass::TruncatedStream), 1);
    }

    void cutStreamWithoutRetriesFailsAsTruncated()
    {
        Fixture f;
        f.fake->script = {FakeExchanger::streamed({QStringLiteral("Hel")}, true)};
        LlmRequest request = streamedRequest();
        request.maxAttempts = 1;
        StreamLog log;
        f.service->submit(request, log.onDone(), log.onDelta());
        QTRY_VERIFY(log.result.has_value());
        QCOMPARE(log.result->status, GenerationResult::Status::Failed);
        QCOMPARE(log.result->errorClass, ErrorClass::TruncatedStream);
        QCOMPARE(log.deltas.size(), 1);
    }

    void hedgeStreamsOneAttemptAtATime_data()
    {
        QTest::addColumn<bool>("hedgeWins");
        QTest::newRow("the hedge wins") << true;
        QTest::newRow("the first copy wins") << false;
    }

    void hedgeStreamsOneAttemptAtATime()
    {
        QFETCH(bool, hedgeWins);
        LlmServiceConfig config;
        config.hedgeMinSamples = 3;
        Fixture f(config);
        f.fake->defaultReply.delayMs = 5;
        for (int i = 0; i < 3; ++i)
            QVERIFY(runBlocking(*f.service, streamedRequest()));
        FakeExchanger::Reply first
            = FakeExchanger::streamed({QStringLiteral("slow"), QStringLiteral(" one")});
        first.stepped = true;
        FakeExchanger::Reply hedge
            = FakeExchanger::streamed({QStringLiteral("fa"), QStringLiteral("st")});
        hedge.stepped = true;
        f.fake->script = {first, hedge};
        LlmRequest request = streamedRequest();
        request.hedge = true;
        StreamLog log;
        f.service->submit(request, log.onDone(), log.onDelta());
        QTRY_COMPARE(f.fake->inFlight(), 1);
        QVERIFY(f.fake->step(0));
        QVERIFY(f.fake->step(0));            // "slow": the first copy is on show
        QTRY_COMPARE(f.fake->inFlight(), 2); // past the p95: the hedge is sent
        QVERIFY(f.fake->step(1));
        QVERIFY(f.fake->step(1)); // "fa": held back while the first copy streams
        QVERIFY(f.fake->step(1)); // "st"
        const int winner = hedgeWins ? 1 : 0;
        while (f.fake->step(winner)) { } // the winner completes; the loser is cancelled
        QTRY_VERIFY(log.result.has_value());
        QTest::qWait(20);
        QCOMPARE(log.result->status, GenerationResult::Status::Ok);
        QCOMPARE(log.result->attempts.size(), 2);
        QCOMPARE(log.result->attempts.at(1).kind, AttemptKind::Hedge);
        QCOMPARE(log.result->attempts.at(1 - winner).cancelled, true);
        QList<std::pair<int, QString>> expected {{0, QStringLiteral("slow")}};
        if (hedgeWins)
            expected.append({1, QStringLiteral("fast")}); // the winner's text, whole
        else
            expected.append({0, QStringLiteral(" one")});
        QCOMPARE(log.deltas, expected);
        QCOMPARE(log.result->text, hedgeWins ? QStringLiteral("fast") : QStringLiteral("slow one"));
        QCOMPARE(log.shownText(), log.result->text);
        QCOMPARE(f.fake->cancels, 1);
        QCOMPARE(f.fake->inFlight(), 0);
    }

    void cancelFromADeltaStopsTheStream()
    {
        Fixture f;
        FakeExchanger::Reply reply = FakeExchanger::streamed(
            {QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")});
        reply.stepped = true;
        f.fake->script = {reply};
        StreamLog log;
        RequestHandle handle;
        handle = f.service->submit(
            streamedRequest(), log.onDone(), [&](int attempt, const QString &delta) {
                log.deltas.append({attempt, delta});
                QVERIFY(f.service->cancel(handle));
            });
        QTRY_COMPARE(f.fake->inFlight(), 1);
        QVERIFY(f.fake->step());
        QVERIFY(f.fake->step()); // "one"
        QTRY_VERIFY(log.result.has_value());
        QCOMPARE(log.result->status, GenerationResult::Status::Cancelled);
        QVERIFY(!f.fake->step()); // the exchange was cancelled
        QCOMPARE(f.fake->cancels, 1);
        QCOMPARE(log.deltas.size(), 1);
        QCOMPARE(f.service->pending(), 0);
        QCOMPARE(f.service->concurrencyGate().inUse(), 0);
    }

    void limitsReachTheMetrics()
    {
        LlmServiceConfig config;
        config.rateLimits.requestsPerMinute = 100;
        config.rateLimits.tokensPerMinute = 50'000;
        Fixture f(config);
        QVERIFY(runBlocking(*f.service, simpleRequest()));
        QCOMPARE(f.service->metrics().keys().size(), 1);
        const MetricsKey key = f.service->metrics().keys().first();
        QCOMPARE(f.service->metrics().snapshot(key).requestLimitPerMinute,
            std::optional<std::int64_t>(100));
        QCOMPARE(f.service->metrics().snapshot(key).tokenLimitPerMinute,
            std::optional<std::int64_t>(50'000));

        const RateGate &gate = f.service->rateGate();
        RateLimits limits;
        limits.requestsPerMinute = 30;
        f.service->setRateLimits(limits);
        QCOMPARE(f.service->metrics().snapshot(key).requestLimitPerMinute,
            std::optional<std::int64_t>(30));
        QVERIFY(!f.service->metrics().snapshot(key).tokenLimitPerMinute.has_value());
        // The same gate, with new limits and what its window held.
        QCOMPARE(&f.service->rateGate(), &gate);
        QCOMPARE(gate.limits().requestsPerMinute, std::optional<std::int64_t>(30));
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 1);
    }

    void raisedLimitReleasesAWaiter()
    {
        LlmServiceConfig config;
        config.rateLimits.requestsPerMinute = 1;
        Fixture f(config);
        QVERIFY(runBlocking(*f.service, simpleRequest()));
        std::optional<GenerationResult> second;
        f.service->submit(simpleRequest(), [&](const GenerationResult &r) { second = r; });
        QTRY_COMPARE(f.service->rateGate().snapshot().queuedInteractive, 1);
        QTest::qWait(50);
        QVERIFY(!second); // a minute's wait under the old limit

        RateLimits limits;
        limits.requestsPerMinute = 2;
        f.service->setRateLimits(limits);
        QTRY_VERIFY(second.has_value());
        QCOMPARE(second->status, GenerationResult::Status::Ok);
        QCOMPARE(f.fake->requests.size(), 2);
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 2);
        QCOMPARE(f.service->concurrencyGate().inUse(), 0);
    }

    void loweredLimitHoldsWhatTheWindowAlreadyHolds()
    {
        LlmServiceConfig config;
        config.rateLimits.requestsPerMinute = 100;
        Fixture f(config);
        for (int i = 0; i < 3; ++i)
            QVERIFY(runBlocking(*f.service, simpleRequest()));
        std::optional<GenerationResult> held;
        submitHeld(f, held); // in flight while the limits change
        QTRY_COMPARE(f.fake->inFlight(), 1);

        RateLimits limits;
        limits.requestsPerMinute = 2;
        f.service->setRateLimits(limits);
        // The window keeps all four, above the new limit, until they leave it.
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 4);
        std::optional<GenerationResult> next;
        const RequestHandle handle
            = f.service->submit(simpleRequest(), [&](const GenerationResult &r) { next = r; });
        QTRY_COMPARE(f.service->rateGate().snapshot().queuedInteractive, 1);
        QCOMPARE(f.fake->requests.size(), 4);

        f.fake->releaseAll();
        QTRY_VERIFY(held.has_value());
        QCOMPARE(held->status, GenerationResult::Status::Ok);
        // It settled in the same window, where it still counts: the next one waits.
        QCOMPARE(f.service->rateGate().snapshot().requestsInWindow, 4);
        QCOMPARE(f.service->rateGate().snapshot().queuedInteractive, 1);
        QVERIFY(f.service->cancel(handle));
        QTRY_VERIFY(next.has_value());
        QCOMPARE(next->status, GenerationResult::Status::Cancelled);
        QCOMPARE(f.service->rateGate().snapshot().queuedInteractive, 0);
        QCOMPARE(f.service->concurrencyGate().inUse(), 0);
    }

    void traceNamesTheAnswersModelAndId()
    {
        Fixture f;
        f.fake->script = {FakeExchanger::rateLimited(10),
            FakeExchanger::completed(
                QStringLiteral("ok"), QStringLiteral("gpt-5-mini-2025-08-07"))};
        LlmRequest request = simpleRequest();
        request.useCache = true;
        const auto result = runBlocking(*f.service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);
        QCOMPARE(requestAttribute(*result, QStringLiteral("model")).toString(), request.model);
        QCOMPARE(requestAttribute(*result, QStringLiteral("response_model")).toString(),
            QStringLiteral("gpt-5-mini-2025-08-07"));
        QCOMPARE(requestAttribute(*result, QStringLiteral("response_id")).toString(),
            QStringLiteral("resp_fake"));
        // Each attempt names the answer it got; the 429 got none.
        QList<const Span *> attempts;
        for (const Span &span : result->trace.spans()) {
            if (span.name == QStringLiteral("attempt"))
                attempts << &span;
        }
        QCOMPARE(attempts.size(), 2);
        QVERIFY(!attempts.at(0)->attributes.contains(QStringLiteral("response_model")));
        QVERIFY(!attempts.at(0)->attributes.contains(QStringLiteral("response_id")));
        QCOMPARE(attempts.at(1)->attributes.value(QStringLiteral("response_model")).toString(),
            QStringLiteral("gpt-5-mini-2025-08-07"));
        QCOMPARE(attempts.at(1)->attributes.value(QStringLiteral("response_id")).toString(),
            QStringLiteral("resp_fake"));

        // A cache hit names the answer it gives again.
        const auto hit = runBlocking(*f.service, request);
        QVERIFY(hit);
        QVERIFY(hit->fromCache);
        QCOMPARE(requestAttribute(*hit, QStringLiteral("response_model")).toString(),
            QStringLiteral("gpt-5-mini-2025-08-07"));
        QCOMPARE(requestAttribute(*hit, QStringLiteral("response_id")).toString(),
            QStringLiteral("resp_fake"));

        // No answer, nothing to name.
        LlmRequest once = simpleRequest(QStringLiteral("Say goodbye"));
        once.maxAttempts = 1;
        f.fake->script = {FakeExchanger::rateLimited(10)};
        const auto failed = runBlocking(*f.service, once);
        QVERIFY(failed);
        QCOMPARE(failed->status, GenerationResult::Status::Failed);
        QVERIFY(requestAttribute(*failed, QStringLiteral("response_model")).isUndefined());
        QVERIFY(requestAttribute(*failed, QStringLiteral("response_id")).isUndefined());
    }

    void everyResultAndTraceRecordsThePriceTable()
    {
        Fixture f;
        const QString version = f.service->priceBook()->version();
        QVERIFY(!version.isEmpty());
        QList<GenerationResult> results;
        const auto keep = [&results](const GenerationResult &r) { results << r; };

        LlmRequest cached = simpleRequest();
        cached.useCache = true;
        f.service->submit(cached, keep); // ok, then stored
        QTRY_COMPARE(results.size(), 1);
        f.service->submit(cached, keep); // a cache hit
        QTRY_COMPARE(results.size(), 2);
        QVERIFY(results.at(1).fromCache);

        f.service->submit(simpleRequest(QStringLiteral("{{missing}}")), keep); // failed, not sent
        LlmRequest capped = simpleRequest(QStringLiteral("Capped"));
        capped.maxOutputTokens = 1000;
        capped.budget = std::make_shared<Budget>(picoFromUnits(0.0));
        f.service->submit(capped, keep); // budget exceeded
        QTRY_COMPARE(results.size(), 4);
        QCOMPARE(results.at(2).status, GenerationResult::Status::Failed);
        QCOMPARE(results.at(3).status, GenerationResult::Status::BudgetExceeded);

        // One exchange shared by three callers: the one who sent it leaves,
        // one follower cancels, one gets the coalesced answer.
        FakeExchanger::Reply held = FakeExchanger::completed(QStringLiteral("shared"));
        held.hold = true;
        f.fake->script = {held};
        LlmRequest shared = simpleRequest(QStringLiteral("Shared"));
        shared.useCache = true;
        const RequestHandle leader = f.service->submit(shared, keep);
        f.service->submit(shared, keep);
        const RequestHandle follower = f.service->submit(shared, keep);
        QTRY_COMPARE(f.fake->inFlight(), 1);
        QVERIFY(f.service->cancel(leader));
        QVERIFY(f.service->cancel(follower));
        QTRY_COMPARE(results.size(), 6);
        f.fake->releaseAll();
        QTRY_COMPARE(results.size(), 7);
        QCOMPARE(results.at(4).status, GenerationResult::Status::Cancelled);
        QCOMPARE(results.at(5).status, GenerationResult::Status::Cancelled);
        QVERIFY(results.at(6).coalesced);
        QCOMPARE(f.fake->requests.size(), 2);

        for (const GenerationResult &r : std::as_const(results)) {
            const QString problem = priceTableProblem(r, version);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    void traceHasTheStepsAndNoKey()
    {
        Fixture f;
        const auto result = runBlocking(*f.service, simpleRequest());
        QVERIFY(result);
        QCOMPARE(result->traceId().size(), 32);
        for (const QString &name : {QStringLiteral("request"), QStringLiteral("queued"),
                 QStringLiteral("gate_wait"), QStringLiteral("attempt")}) {
            const Span *span = result->trace.find(name);
            QVERIFY2(span, qPrintable(name));
            QVERIFY2(span->end.has_value(), qPrintable(name));
            QVERIFY(span->wallStart.isValid());
        }
        const Span *attempt = result->trace.find(QStringLiteral("attempt"));
        QCOMPARE(attempt->parentId, result->trace.find(QStringLiteral("request"))->id);
        for (const Span &span : result->trace.spans()) {
            const QByteArray text = QJsonDocument(span.attributes).toJson();
            QVERIFY(!text.contains("sk-test-secret"));
        }
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
