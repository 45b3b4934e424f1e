#include "engine/llmservice.h"

#include "core/fingerprint.h"
#include "core/prompttemplate.h"
#include "core/strictschemalinter.h"
#include "engine/outputcheck.h"

#include <QRandomGenerator>

#include <algorithm>
#include <utility>

namespace sluice {

Q_LOGGING_CATEGORY(lcEngine, "sluice.engine")

QString resultStatusName(GenerationResult::Status status)
{
    switch (status) {
    case GenerationResult::Status::Ok:
        return QStringLiteral("ok");
    case GenerationResult::Status::InvalidOutput:
        return QStringLiteral("invalid_output");
    case GenerationResult::Status::Refused:
        return QStringLiteral("refused");
    case GenerationResult::Status::Incomplete:
        return QStringLiteral("incomplete");
    case GenerationResult::Status::Failed:
        return QStringLiteral("failed");
    case GenerationResult::Status::BudgetExceeded:
        return QStringLiteral("budget_exceeded");
    case GenerationResult::Status::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

/// One attempt on its way through the gates and the network.
struct LlmService::Flight
{
    enum class Stage { Slot, Rate, InFlight, Done };

    quint64 id = 0;
    qsizetype record = 0; ///< index into the result's attempts
    AttemptKind kind = AttemptKind::First;
    GenerationRequest request;
    Stage stage = Stage::Slot;
    ConcurrencyGate::WaiterId slotWaiter = 0;
    RateGate::WaiterId rateWaiter = 0;
    bool holdsSlot = false;
    std::optional<RateGate::Ticket> ticket;
    std::optional<Budget::Handle> budget;
    quint64 exchange = 0;
    bool reached = false;
    bool cancelled = false;
    TimePoint queuedAt {};
    TimePoint sentAt {};
    MetricsRecord sentRecord;
    std::unique_ptr<StreamDecoder> decoder; ///< a streamed attempt's
    std::optional<TimePoint> firstTextAt;
    QString streamed; ///< the text it streamed so far
    std::uint64_t gateSpan = 0;
    std::uint64_t attemptSpan = 0;
};

/// One submitted request, until its callback has run.
struct LlmService::Job
{
    quint64 id = 0;
    LlmRequest request;
    std::optional<GenerationRequest> rendered;
    bool prerendered = false; ///< the simple path: no templates, no validation
    Callback done;
    /// Shared with the deliveries in the event loop; emptied by cancel().
    std::shared_ptr<DeltaCallback> onDelta;
    quint64 shownFlight = 0; ///< the attempt whose text the caller sees
    GenerationResult result;
    TimePoint submittedAt {};
    std::optional<SchemaValidator> validator;
    QString endpoint;
    int retries = 0;
    int reasks = 0;
    std::uint64_t requestSpan = 0;
    std::uint64_t queuedSpan = 0;
    std::uint64_t backoffSpan = 0;
    QList<std::shared_ptr<Flight>> flights;
    quint64 nextFlight = 1;
    std::unique_ptr<Timer> backoffTimer;
    std::unique_ptr<Timer> hedgeTimer;
    std::unique_ptr<Timer> deadlineTimer;
    bool hedged = false;
    bool decided = false;
    quint64 leaderId = 0; ///< a follower: the job whose exchange it shares
    QList<quint64> followers;

    [[nodiscard]] Flight *flight(quint64 flightId) const
    {
        for (const auto &f : flights) {
            if (f->id == flightId)
                return f.get();
        }
        return nullptr;
    }
    [[nodiscard]] bool othersLive(const Flight &except) const
    {
        return std::any_of(flights.cbegin(), flights.cend(), [&](const auto &f) {
            return f.get() != &except && f->stage != Flight::Stage::Done && !f->cancelled;
        });
    }
};

namespace {

std::shared_ptr<const PriceBook> builtinPrices()
{
    PriceBookLoad load = PriceBook::builtin();
    if (!load.book) {
        qCWarning(lcEngine) << "the built-in price table does not load:" << load.errors;
        return {};
    }
    return std::make_shared<const PriceBook>(std::move(*load.book));
}

QString pastDeadline()
{
    return QStringLiteral("the deadline passed before the request was sent");
}

Duration toDuration(double ms)
{
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

Cost freeOf(const PriceBook *book)
{
    Cost cost;
    cost.pico = 0;
    if (book) {
        cost.tableVersion = book->version();
        cost.currency = book->currency();
    }
    return cost;
}

/// The version of `book`, the table the result's cost comes from, on the
/// result and as `price_table_version` on its request span (none without a table).
void recordPriceTable(GenerationResult &result, std::uint64_t requestSpan, const PriceBook *book)
{
    result.priceTableVersion = book ? book->version() : QString();
    if (book) {
        result.trace.setAttribute(
            requestSpan, QStringLiteral("price_table_version"), result.priceTableVersion);
    }
}

/// The model and id the provider gave its answer, as `response_model` and
/// `response_id` on `span`, when it gave them.
void recordResponse(Trace &trace, std::uint64_t span, const GenerationOutcome &outcome)
{
    if (!outcome.model.isEmpty())
        trace.setAttribute(span, QStringLiteral("response_model"), outcome.model);
    if (!outcome.responseId.isEmpty())
        trace.setAttribute(span, QStringLiteral("response_id"), outcome.responseId);
}

QString attemptKindName(AttemptKind kind)
{
    switch (kind) {
    case AttemptKind::First:
        return QStringLiteral("first");
    case AttemptKind::Retry:
        return QStringLiteral("retry");
    case AttemptKind::Reask:
        return QStringLiteral("reask");
    case AttemptKind::Hedge:
        return QStringLiteral("hedge");
    }
    return {};
}

} // namespace

LlmService::LlmService(
    std::shared_ptr<const Provider> provider, const Clock &clock, QObject *parent)
    : LlmService(std::move(provider), clock, *new QtTimerFactory(clock), {}, {}, parent)
{
    // The delegated constructor could not own what it was handed: take it here.
    m_ownTimers.reset(&m_timers);
}

LlmService::LlmService(std::shared_ptr<const Provider> provider, const Clock &clock,
    TimerFactory &timers, LlmServiceConfig config, std::unique_ptr<Exchanger> exchanger,
    QObject *parent)
    : QObject(parent)
    , m_provider(std::move(provider))
    , m_clock(clock)
    , m_timers(timers)
    , m_config(std::move(config))
    , m_exchanger(std::move(exchanger))
    , m_rateGate(clock, timers, m_config.rateLimits)
    , m_concurrency(m_config.maxConcurrent)
    , m_retry(
          clock, m_config.retry, m_config.random ? m_config.random : RetryPolicy::RandomSource([] {
              return QRandomGenerator::global()->generateDouble();
          }))
    , m_breakers(clock, m_config.breaker)
    , m_metrics(clock)
    , m_prices(builtinPrices())
    , m_cache(m_config.cacheEntries, m_config.cacheTtl, m_config.cacheDirectory)
{
    if (!m_exchanger) {
        m_transport = new HttpTransport(HttpTransport::Settings {}, clock, this);
        m_exchanger = std::make_unique<HttpExchanger>(*m_transport);
    }
}

LlmService::~LlmService()
{
    // Jobs hold timers made by m_timers; they go before it does.
    m_jobs.clear();
}

RequestHandle LlmService::submit(const GenerationRequest &request, Callback done)
{
    return submit(request, std::move(done), {});
}

RequestHandle LlmService::submit(
    const GenerationRequest &request, Callback done, DeltaCallback onDelta)
{
    LlmRequest pipeline;
    pipeline.model = request.model;
    pipeline.maxOutputTokens = request.maxOutputTokens;
    pipeline.temperature = request.temperature;
    pipeline.stream = request.stream;
    pipeline.maxAttempts = m_config.retry.maxRetries + 1;
    const RequestHandle handle = submit(pipeline, std::move(done), std::move(onDelta));
    Job &job = *m_jobs.value(handle.id);
    job.rendered = request;
    job.prerendered = true;
    return handle;
}

RequestHandle LlmService::submit(const LlmRequest &request, Callback done)
{
    return submit(request, std::move(done), {});
}

RequestHandle LlmService::submit(const LlmRequest &request, Callback done, DeltaCallback onDelta)
{
    auto job = std::make_shared<Job>();
    job->id = m_nextId++;
    job->request = request;
    job->done = std::move(done);
    if (onDelta)
        job->onDelta = std::make_shared<DeltaCallback>(std::move(onDelta));
    job->submittedAt = m_clock.now();
    job->result.startedAt = QDateTime::currentDateTimeUtc();
    job->result.trace = Trace(m_clock);
    job->requestSpan = job->result.trace.begin(QStringLiteral("request"));
    job->queuedSpan = job->result.trace.begin(QStringLiteral("queued"), job->requestSpan);
    const quint64 id = job->id;
    m_jobs.insert(id, std::move(job));
    // Never call back from inside submit(): the pipeline starts from the event loop.
    QMetaObject::invokeMethod(
        this, [this, id] { start(id); }, Qt::QueuedConnection);
    return {id};
}

std::optional<SchemaValidator> LlmService::validatorFor(const QJsonObject &schema, QString *error)
{
    const QByteArray key = canonicalJson(schema);
    if (auto it = m_validators.constFind(key); it != m_validators.cend())
        return *it;
    SchemaCompileResult compiled = SchemaValidator::compile(schema);
    if (!compiled) {
        *error = QStringLiteral("the output schema is not usable at '%1': %2")
                     .arg(compiled.error.path, compiled.error.message);
        return std::nullopt;
    }
    m_validators.insert(key, *compiled.validator);
    return compiled.validator;
}

void LlmService::start(quint64 jobId)
{
    const std::shared_ptr<Job> held = m_jobs.value(jobId);
    if (!held || held->decided)
        return;
    Job &job = *held;
    GenerationResult &result = job.result;

    if (!job.prerendered) {
        const PromptTemplate prompt(job.request.promptTemplate, QStringLiteral("prompt"));
        const PromptTemplate instructions(
            job.request.instructionsTemplate, QStringLiteral("instructions"));
        QStringList errors;
        for (const PromptTemplate *t : {&prompt, &instructions}) {
            if (!t->isValid())
                errors << t->error()->message;
        }
        GenerationRequest rendered;
        if (errors.isEmpty()) {
            const RenderResult p = prompt.render(job.request.variables);
            const RenderResult i = instructions.render(job.request.variables);
            errors << p.errors << i.errors;
            rendered.input = p.text;
            rendered.instructions = i.text;
            result.warnings << PromptTemplate::unusedVariables(
                job.request.variables, {&prompt, &instructions});
        }
        if (job.request.outputSchema && errors.isEmpty()) {
            QString schemaError;
            job.validator = validatorFor(*job.request.outputSchema, &schemaError);
            if (!job.validator)
                errors << schemaError;
        }
        if (!errors.isEmpty()) {
            result.errorClass = ErrorClass::BadRequest;
            result.errorMessage = errors.join(QStringLiteral("; "));
            finish(job, GenerationResult::Status::Failed);
            return;
        }
        rendered.model = job.request.model;
        rendered.maxOutputTokens = job.request.maxOutputTokens;
        rendered.temperature = job.request.temperature;
        if (job.request.outputSchema) {
            OutputSchema schema;
            schema.name = job.request.schemaName;
            schema.schema = *job.request.outputSchema;
            if (m_provider->capabilities().strictStructuredOutput) {
                const StrictLintReport lint = StrictSchemaLinter().lint(schema.schema);
                schema.strict = lint.passes();
                for (const LintFinding &f : lint.findings) {
                    result.warnings << QStringLiteral("sent without strict: %1 (%2): %3")
                                           .arg(f.path, f.rule, f.message);
                }
            }
            rendered.outputSchema = schema;
        }
        job.rendered = rendered;
    }
    job.rendered->stream = job.request.stream && m_provider->capabilities().streaming;

    const HttpRequest probe = m_provider->encode(*job.rendered);
    job.endpoint
        = probe.url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)
              .toString();
    result.fingerprint = requestFingerprint({m_provider->id(), job.endpoint}, *job.rendered);
    result.trace.setAttribute(job.requestSpan, QStringLiteral("fingerprint"), result.fingerprint);
    result.trace.setAttribute(job.requestSpan, QStringLiteral("model"), job.rendered->model);
    if (!job.request.operation.isEmpty()) {
        result.trace.setAttribute(
            job.requestSpan, QStringLiteral("operation"), job.request.operation);
    }

    if (job.request.useCache) {
        if (const std::optional<CachedAnswer> hit = m_cache.find(result.fingerprint)) {
            result.fromCache = true;
            result.trace.setAttribute(
                job.requestSpan, QStringLiteral("cache"), QStringLiteral("hit"));
            result.trace.end(job.queuedSpan);
            GenerationOutcome outcome;
            outcome.status = GenerationOutcome::Status::Completed;
            outcome.text = hit->text;
            outcome.model = hit->model;
            outcome.responseId = hit->responseId;
            outcome.usage = hit->usage;
            outcome.hasUsage = true;
            accept(job, outcome, nullptr);
            return;
        }
        if (const quint64 leader = m_leaders.value(result.fingerprint); leader != 0) {
            const std::shared_ptr<Job> leaderJob = m_jobs.value(leader);
            if (leaderJob && !leaderJob->decided) {
                job.leaderId = leader;
                leaderJob->followers.append(job.id);
                result.trace.setAttribute(
                    job.requestSpan, QStringLiteral("coalesced_with"), leaderJob->result.traceId());
                return;
            }
        }
        m_leaders.insert(result.fingerprint, job.id);
    }
    startAttempt(job, AttemptKind::First, *job.rendered);
}

std::int64_t LlmService::estimateTokens(const GenerationRequest &request) const
{
    // OpenAI counts max(max_output_tokens, prompt estimate) when a request
    // arrives; four characters a token is its estimate of the prompt.
    const std::int64_t promptChars = request.input.size() + request.instructions.size();
    return std::max<std::int64_t>(request.maxOutputTokens.value_or(0), (promptChars + 3) / 4);
}

Cost LlmService::estimateCost(const GenerationRequest &request) const
{
    if (!m_prices) {
        Cost unknown;
        unknown.unknownReason = QStringLiteral("no price table is loaded");
        return unknown;
    }
    TokenUsage usage;
    usage.input = (request.input.size() + request.instructions.size() + 3) / 4;
    usage.output = request.maxOutputTokens.value_or(m_config.defaultOutputEstimate);
    return computeCost(*m_prices, request.model, usage);
}

MetricsKey LlmService::metricsKey(const Job &job) const
{
    return {job.endpoint, job.rendered ? job.rendered->model : job.request.model,
        job.request.operation};
}

void LlmService::startAttempt(Job &job, AttemptKind kind, const GenerationRequest &request)
{
    const TimePoint now = m_clock.now();
    if (job.request.deadline && now >= *job.request.deadline && kind != AttemptKind::Hedge) {
        job.result.errorClass = ErrorClass::Timeout;
        job.result.errorMessage = pastDeadline();
        finish(job, GenerationResult::Status::Failed);
        return;
    }
    if (job.request.deadline && !job.deadlineTimer)
        armDeadline(job);
    std::optional<Budget::Handle> budgetHandle;
    if (job.request.budget) {
        const Budget::Reservation r = job.request.budget->tryReserve(estimateCost(request));
        if (!r.granted()) {
            if (kind == AttemptKind::Hedge)
                return; // a hedge is optional: without room for it, the first attempt goes on
            // The refusal names the cap and what is spent and reserved.
            job.result.errorMessage = QStringLiteral("not sent: %1").arg(r.reason);
            finish(job, GenerationResult::Status::BudgetExceeded);
            return;
        }
        budgetHandle = r.handle;
    }

    auto flight = std::make_shared<Flight>();
    flight->id = job.nextFlight++;
    flight->kind = kind;
    flight->request = request;
    flight->budget = budgetHandle;
    flight->queuedAt = now;
    AttemptRecord record;
    record.kind = kind;
    job.result.attempts.append(record);
    flight->record = job.result.attempts.size() - 1;
    job.result.trace.end(job.queuedSpan);
    flight->gateSpan = job.result.trace.begin(QStringLiteral("gate_wait"), job.requestSpan);
    job.flights.append(flight);

    const quint64 jobId = job.id;
    const quint64 flightId = flight->id;
    const ConcurrencyGate::Acquisition acquired = m_concurrency.acquire(
        job.request.priority, [this, jobId, flightId] { onSlot(jobId, flightId); });
    if (acquired.granted)
        onSlot(jobId, flightId);
    else
        flight->slotWaiter = acquired.waiter;
}

void LlmService::onSlot(quint64 jobId, quint64 flightId)
{
    const std::shared_ptr<Job> job = m_jobs.value(jobId);
    Flight *flight = job ? job->flight(flightId) : nullptr;
    if (!flight || flight->stage != Flight::Stage::Slot) {
        m_concurrency.release(); // granted to an attempt that is gone
        return;
    }
    flight->holdsSlot = true;
    flight->slotWaiter = 0;
    flight->stage = Flight::Stage::Rate;
    const RateGate::Reservation r = m_rateGate.reserve(estimateTokens(flight->request),
        job->request.priority,
        [this, jobId, flightId](RateGate::Ticket ticket) { onTicket(jobId, flightId, ticket); });
    switch (r.admission) {
    case RateGate::Admission::Granted:
        onTicket(jobId, flightId, r.ticket);
        break;
    case RateGate::Admission::Queued:
        flight->rateWaiter = r.waiter;
        break;
    case RateGate::Admission::Rejected:
        withdraw(*job, *flight);
        job->result.errorClass = ErrorClass::BadRequest;
        job->result.errorMessage
            = QStringLiteral("the estimate of %1 tokens exceeds the rate limit of a whole window")
                  .arg(estimateTokens(flight->request));
        finish(*job, GenerationResult::Status::Failed);
        break;
    }
}

void LlmService::onTicket(quint64 jobId, quint64 flightId, RateGate::Ticket ticket)
{
    const std::shared_ptr<Job> job = m_jobs.value(jobId);
    Flight *flight = job ? job->flight(flightId) : nullptr;
    if (!flight || flight->stage != Flight::Stage::Rate) {
        m_rateGate.compensate(ticket); // granted to an attempt that is gone
        return;
    }
    flight->ticket = ticket;
    flight->rateWaiter = 0;
    const TimePoint now = m_clock.now();
    AttemptRecord &record = job->result.attempts[flight->record];
    record.queueMs = millisecondsBetween(flight->queuedAt, now);
    Trace &trace = job->result.trace;
    trace.end(flight->gateSpan);

    CircuitBreaker &breaker = m_breakers.forKey(job->endpoint, flight->request.model);
    if (!breaker.allowRequest()) {
        withdraw(*job, *flight);
        record.errorMessage = QStringLiteral("circuit open");
        if (job->othersLive(*flight))
            return;
        job->result.errorMessage
            = QStringLiteral("not sent: %1 failed repeatedly and is resting (circuit open)")
                  .arg(job->endpoint);
        finish(*job, GenerationResult::Status::Failed);
        return;
    }

    flight->stage = Flight::Stage::InFlight;
    flight->sentAt = now;
    flight->attemptSpan = trace.begin(QStringLiteral("attempt"), job->requestSpan);
    trace.setAttribute(flight->attemptSpan, QStringLiteral("kind"), attemptKindName(flight->kind));
    const MetricsKey key = metricsKey(*job);
    publishLimits(key);
    flight->sentRecord = m_metrics.recordSent(key, now - flight->queuedAt);
    HttpTransport::Timeouts timeouts = m_config.timeouts;
    if (job->request.deadline)
        timeouts.deadline = job->request.deadline;
    Exchanger::Data data;
    if (flight->request.stream) {
        flight->decoder = m_provider->createStreamDecoder(
            [this, jobId, flightId](const QString &delta) { onText(jobId, flightId, delta); });
        data = [this, jobId, flightId](const QByteArray &bytes) {
            const std::shared_ptr<Job> j = m_jobs.value(jobId);
            Flight *f = j ? j->flight(flightId) : nullptr;
            if (f && f->decoder)
                f->decoder->feed(bytes);
        };
    }
    flight->exchange = m_exchanger->send(
        m_provider->encode(flight->request), timeouts,
        [this, jobId, flightId](
            const HttpResponse &response) { onAnswer(jobId, flightId, response); },
        [this, jobId, flightId] {
            if (const std::shared_ptr<Job> j = m_jobs.value(jobId)) {
                if (Flight *f = j->flight(flightId))
                    f->reached = true;
            }
        },
        std::move(data));
    if (flight->kind != AttemptKind::Hedge)
        armHedge(*job, *flight);
}

void LlmService::armHedge(Job &job, const Flight &flight)
{
    if (!job.request.hedge || job.hedged)
        return;
    const LatencyHistogram::Summary latency = m_metrics.snapshot(metricsKey(job)).latency;
    if (latency.count < m_config.hedgeMinSamples)
        return;
    const quint64 jobId = job.id;
    const quint64 flightId = flight.id;
    job.hedgeTimer = m_timers.createTimer([this, jobId, flightId] {
        const std::shared_ptr<Job> j = m_jobs.value(jobId);
        Flight *first = j ? j->flight(flightId) : nullptr;
        if (!first || j->decided || j->hedged || first->stage != Flight::Stage::InFlight)
            return;
        j->hedged = true;
        qCDebug(lcEngine) << "hedging request" << jobId << "past the p95 latency";
        startAttempt(*j, AttemptKind::Hedge, first->request);
    });
    job.hedgeTimer->startAt(flight.sentAt + toDuration(latency.p95Ms));
}

void LlmService::armDeadline(Job &job)
{
    // An attempt in flight is cut by the transport at the deadline; this ends
    // the wait of one still queued in the gates.
    const quint64 jobId = job.id;
    job.deadlineTimer = m_timers.createTimer([this, jobId] {
        const std::shared_ptr<Job> j = m_jobs.value(jobId);
        if (!j || j->decided)
            return;
        const bool inFlight = std::any_of(j->flights.cbegin(), j->flights.cend(),
            [](const auto &f) { return f->stage == Flight::Stage::InFlight; });
        if (inFlight)
            return;
        for (const auto &flight : std::as_const(j->flights))
            withdraw(*j, *flight);
        j->result.errorClass = ErrorClass::Timeout;
        j->result.errorMessage = pastDeadline();
        finish(*j, GenerationResult::Status::Failed);
    });
    job.deadlineTimer->startAt(*job.request.deadline);
}

void LlmService::withdraw(Job &job, Flight &flight)
{
    switch (flight.stage) {
    case Flight::Stage::Slot:
        m_concurrency.cancel(flight.slotWaiter);
        break;
    case Flight::Stage::Rate:
        if (flight.ticket)
            m_rateGate.compensate(*flight.ticket);
        else
            m_rateGate.cancel(flight.rateWaiter);
        m_concurrency.release();
        break;
    case Flight::Stage::InFlight:
        // The answer (an abort) comes back through onAnswer, which accounts it.
        flight.cancelled = true;
        m_exchanger->cancel(flight.exchange);
        return;
    case Flight::Stage::Done:
        return;
    }
    if (flight.budget)
        job.request.budget->release(*flight.budget);
    flight.budget.reset();
    flight.holdsSlot = false;
    flight.stage = Flight::Stage::Done;
    AttemptRecord &record = job.result.attempts[flight.record];
    record.cost = freeOf(m_prices.get());
    job.result.trace.end(flight.gateSpan);
}

void LlmService::onAnswer(quint64 jobId, quint64 flightId, const HttpResponse &response)
{
    const std::shared_ptr<Job> job = m_jobs.value(jobId);
    Flight *flight = job ? job->flight(flightId) : nullptr;
    if (!flight || flight->stage != Flight::Stage::InFlight)
        return;
    const TimePoint now = m_clock.now();
    flight->stage = Flight::Stage::Done;
    flight->exchange = 0;
    m_concurrency.release();
    flight->holdsSlot = false;

    const GenerationOutcome outcome
        = flight->decoder ? flight->decoder->finish(response) : m_provider->decode(response);
    const bool reached = flight->reached || response.status != 0;
    const QString model = outcome.model.isEmpty() ? flight->request.model : outcome.model;
    const Duration latency = now - flight->sentAt;
    std::optional<Duration> ttft;
    if (flight->firstTextAt)
        ttft = *flight->firstTextAt - flight->sentAt;

    // The gates: a request the server saw counts, settled at its send time;
    // one it never saw leaves no trace.
    if (reached)
        m_rateGate.settle(*flight->ticket, outcome.hasUsage ? outcome.usage.total() : 0);
    else
        m_rateGate.compensate(*flight->ticket);
    m_rateGate.applyHints(outcome.hints, outcome.errorClass == ErrorClass::RateLimited);

    CircuitBreaker &breaker = m_breakers.forKey(job->endpoint, flight->request.model);
    if (flight->cancelled)
        breaker.recordAbandoned();
    else if (outcome.status == GenerationOutcome::Status::Failed)
        breaker.recordFailure(outcome.errorClass);
    else
        breaker.recordSuccess();

    Cost cost = freeOf(m_prices.get());
    if (reached && m_prices) {
        cost = computeCost(*m_prices, model, outcome.hasUsage ? outcome.usage : TokenUsage {});
    } else if (reached) {
        cost.pico.reset();
        cost.unknownReason = QStringLiteral("no price table is loaded");
    }
    if (flight->budget) {
        if (reached)
            job->request.budget->settle(*flight->budget, cost.pico);
        else
            job->request.budget->release(*flight->budget);
        flight->budget.reset();
    }

    const MetricsKey key = metricsKey(*job);
    // A cancelled attempt that reached the server stays sent, but is neither
    // an answer nor a failure of the endpoint.
    if (!reached)
        m_metrics.compensate(flight->sentRecord);
    else if (!flight->cancelled && outcome.status == GenerationOutcome::Status::Failed)
        m_metrics.recordFailed(key, outcome.errorClass);
    else if (!flight->cancelled)
        m_metrics.recordReceived(key, outcome.usage, cost.amount(), latency, ttft);

    AttemptRecord &record = job->result.attempts[flight->record];
    record.latencyMs = millisecondsBetween(flight->sentAt, now);
    if (ttft)
        record.ttftMs = millisecondsBetween(flight->sentAt, *flight->firstTextAt);
    record.reachedServer = reached;
    record.cancelled = flight->cancelled;
    record.status = outcome.status;
    record.errorClass = outcome.errorClass;
    record.httpStatus = outcome.httpStatus;
    record.errorMessage = outcome.errorMessage;
    record.usage = outcome.usage;
    record.cost = cost;
    record.requestId = outcome.requestId;

    Trace &trace = job->result.trace;
    trace.setAttribute(flight->attemptSpan, QStringLiteral("http_status"), outcome.httpStatus);
    trace.setAttribute(
        flight->attemptSpan, QStringLiteral("error_class"), errorClassName(outcome.errorClass));
    trace.setAttribute(flight->attemptSpan, QStringLiteral("cancelled"), flight->cancelled);
    trace.setAttribute(flight->attemptSpan, QStringLiteral("request_id"), outcome.requestId);
    recordResponse(trace, flight->attemptSpan, outcome);
    if (record.ttftMs)
        trace.setAttribute(flight->attemptSpan, QStringLiteral("ttft_ms"), *record.ttftMs);
    trace.end(flight->attemptSpan);

    if (flight->cancelled || job->decided) {
        deliverIfSettled(jobId);
        return;
    }
    decide(*job, *flight, outcome);
}

void LlmService::onText(quint64 jobId, quint64 flightId, const QString &delta)
{
    const std::shared_ptr<Job> job = m_jobs.value(jobId);
    Flight *flight = job ? job->flight(flightId) : nullptr;
    if (!flight || flight->cancelled || delta.isEmpty())
        return;
    if (!flight->firstTextAt)
        flight->firstTextAt = m_clock.now();
    flight->streamed += delta;
    if (job->shownFlight == flightId) {
        showText(*job, *flight, delta);
        return;
    }
    // Another attempt still streaming keeps the screen (a hedge waits its
    // turn); one that ended gives it up, and this attempt starts over.
    const Flight *shown = job->flight(job->shownFlight);
    if (shown && shown->stage != Flight::Stage::Done && !shown->cancelled)
        return;
    showText(*job, *flight, flight->streamed);
}

void LlmService::showText(Job &job, Flight &flight, const QString &text)
{
    job.shownFlight = flight.id;
    if (!job.onDelta)
        return;
    const int attempt = int(flight.record);
    // From the event loop: the caller may cancel from its callback, which
    // would otherwise abort the exchange whose bytes are being decoded.
    QMetaObject::invokeMethod(
        this,
        [onDelta = job.onDelta, attempt, text] {
            if (*onDelta)
                (*onDelta)(attempt, text);
        },
        Qt::QueuedConnection);
}

void LlmService::publishLimits(const MetricsKey &key)
{
    const RateLimits &limits = m_rateGate.limits();
    m_metrics.setLimits(key, limits.requestsPerMinute, limits.tokensPerMinute);
}

void LlmService::setRateLimits(const RateLimits &limits)
{
    m_config.rateLimits = limits;
    m_rateGate.setLimits(limits);
    for (const MetricsKey &key : m_metrics.keys())
        publishLimits(key);
}

void LlmService::decide(Job &job, Flight &flight, const GenerationOutcome &outcome)
{
    GenerationResult &result = job.result;
    if (outcome.status == GenerationOutcome::Status::Failed) {
        if (job.othersLive(flight))
            return; // a hedge (or the first attempt) may still answer
        AttemptFailure failure;
        failure.errorClass = outcome.errorClass;
        failure.hints = outcome.hints;
        failure.retriesSoFar = job.retries;
        failure.deadline = job.request.deadline;
        const RetryDecision decision = m_retry.decide(failure);
        if (decision.retry && job.retries + 1 < job.request.maxAttempts) {
            ++job.retries;
            scheduleRetry(job, decision.delay, flight.request);
            return;
        }
        result.outcome = outcome;
        result.errorClass = outcome.errorClass;
        result.errorMessage = outcome.errorMessage;
        finish(job, GenerationResult::Status::Failed);
        return;
    }
    // The first answer wins: any other attempt of this request is cancelled.
    for (const auto &other : std::as_const(job.flights)) {
        if (other.get() != &flight && other->stage != Flight::Stage::Done) {
            other->cancelled = true;
            job.result.attempts[other->record].cancelled = true;
            withdraw(job, *other);
        }
    }
    // The winner's text is what the caller sees last, even if another
    // attempt's was on show while both streamed.
    if (job.shownFlight != flight.id && !flight.streamed.isEmpty())
        showText(job, flight, flight.streamed);
    result.outcome = outcome;
    result.text = outcome.text;
    switch (outcome.status) {
    case GenerationOutcome::Status::Refused:
        result.errorClass = ErrorClass::Refused;
        result.errorMessage = outcome.refusal;
        finish(job, GenerationResult::Status::Refused);
        return;
    case GenerationOutcome::Status::Incomplete:
        result.errorClass = ErrorClass::Incomplete;
        result.errorMessage = outcome.incompleteReason;
        finish(job, GenerationResult::Status::Incomplete);
        return;
    case GenerationOutcome::Status::Completed:
    case GenerationOutcome::Status::Failed:
        break;
    }
    accept(job, outcome, &flight);
}

void LlmService::accept(Job &job, const GenerationOutcome &outcome, const Flight *flight)
{
    GenerationResult &result = job.result;
    result.outcome = outcome;
    result.text = outcome.text;
    if (!job.validator) {
        finish(job, GenerationResult::Status::Ok);
        return;
    }
    const OutputCheck check
        = checkOutput(outcome.text, *job.validator, result.trace, job.requestSpan);
    result.validationErrors = check.validationErrors;
    if (check.valid()) {
        result.output = check.output;
        result.repairStep = check.repairStep;
        finish(job, GenerationResult::Status::Ok);
        return;
    }

    if (flight && job.reasks < job.request.maxRepairReasks) {
        ++job.reasks;
        Trace &trace = result.trace;
        const std::uint64_t repair = trace.begin(QStringLiteral("repair"), job.requestSpan);
        trace.setAttribute(repair, QStringLiteral("step"), QStringLiteral("reask"));
        trace.end(repair);
        GenerationRequest again = *job.rendered;
        again.input += QStringLiteral(
            "\n\nYour previous answer did not match the required JSON schema:\n- %1\n"
            "Answer again with only the corrected JSON.")
                           .arg(result.validationErrors.join(QStringLiteral("\n- ")));
        startAttempt(job, AttemptKind::Reask, again);
        return;
    }
    result.errorMessage = QStringLiteral("the answer does not match the output schema");
    finish(job, GenerationResult::Status::InvalidOutput);
}

void LlmService::scheduleRetry(Job &job, Duration delay, const GenerationRequest &request)
{
    job.backoffSpan = job.result.trace.begin(QStringLiteral("backoff"), job.requestSpan);
    job.result.trace.setAttribute(job.backoffSpan, QStringLiteral("delay_ms"),
        std::chrono::duration<double, std::milli>(delay).count());
    const quint64 jobId = job.id;
    job.backoffTimer = m_timers.createTimer([this, jobId, request] {
        const std::shared_ptr<Job> j = m_jobs.value(jobId);
        if (!j || j->decided)
            return;
        j->result.trace.end(j->backoffSpan);
        j->backoffSpan = 0;
        startAttempt(*j, AttemptKind::Retry, request);
    });
    job.backoffTimer->startAt(m_clock.now() + delay);
}

bool LlmService::cancel(RequestHandle handle)
{
    const std::shared_ptr<Job> job = m_jobs.value(handle.id);
    if (!job || job->decided)
        return false;
    if (job->onDelta)
        *job->onDelta = nullptr; // also silences the deltas already on their way
    if (job->leaderId != 0) {
        if (const std::shared_ptr<Job> leader = m_jobs.value(job->leaderId))
            leader->followers.removeOne(job->id);
        job->leaderId = 0;
        finish(*job, GenerationResult::Status::Cancelled);
        return true;
    }
    if (!job->done)
        return false; // this caller already left a shared exchange
    if (!job->followers.isEmpty()) {
        // Others wait for this exchange: it goes on for them; only this caller leaves.
        Callback done = std::exchange(job->done, Callback());
        GenerationResult cancelled;
        cancelled.status = GenerationResult::Status::Cancelled;
        cancelled.startedAt = job->result.startedAt;
        cancelled.trace = job->result.trace;
        cancelled.fingerprint = job->result.fingerprint;
        recordPriceTable(cancelled, job->requestSpan, m_prices.get());
        QMetaObject::invokeMethod(
            this, [done, cancelled] { done(cancelled); }, Qt::QueuedConnection);
        return true;
    }
    for (const auto &flight : std::as_const(job->flights)) {
        if (flight->stage != Flight::Stage::Done) {
            flight->cancelled = true;
            job->result.attempts[flight->record].cancelled = true;
            withdraw(*job, *flight);
        }
    }
    finish(*job, GenerationResult::Status::Cancelled);
    return true;
}

void LlmService::finish(Job &job, GenerationResult::Status status)
{
    if (job.decided)
        return;
    job.decided = true;
    job.result.status = status;
    // Stopped, not destroyed: finish() may run inside one of their callbacks.
    if (job.backoffTimer)
        job.backoffTimer->stop();
    if (job.hedgeTimer)
        job.hedgeTimer->stop();
    if (job.deadlineTimer)
        job.deadlineTimer->stop();
    if (job.backoffSpan)
        job.result.trace.end(job.backoffSpan);
    deliverIfSettled(job.id);
}

void LlmService::deliverIfSettled(quint64 jobId)
{
    const std::shared_ptr<Job> held = m_jobs.value(jobId);
    if (!held || !held->decided)
        return;
    Job &job = *held;
    if (std::any_of(job.flights.cbegin(), job.flights.cend(),
            [](const auto &f) { return f->stage != Flight::Stage::Done; }))
        return; // a cancelled attempt still has to come back and be accounted

    GenerationResult &result = job.result;
    result.usage = {};
    result.cost = freeOf(m_prices.get());
    result.queueMs = 0;
    for (const AttemptRecord &a : std::as_const(result.attempts)) {
        result.usage += a.usage;
        result.queueMs += a.queueMs;
        if (!a.cost.pricedAs.isEmpty())
            result.cost.pricedAs = a.cost.pricedAs;
        if (!a.cost.known() && result.cost.known()) {
            result.cost.pico.reset();
            result.cost.unknownReason = a.cost.unknownReason;
        } else if (result.cost.known()) {
            *result.cost.pico += *a.cost.pico;
        }
        if (a.reachedServer && !a.cancelled) {
            result.latencyMs = a.latencyMs;
            result.ttftMs = a.ttftMs;
            result.requestId = a.requestId;
        }
    }
    result.totalMs = millisecondsBetween(job.submittedAt, m_clock.now());
    Trace &trace = result.trace;
    trace.end(job.queuedSpan);
    recordPriceTable(result, job.requestSpan, m_prices.get());
    recordResponse(trace, job.requestSpan, result.outcome);
    trace.setAttribute(job.requestSpan, QStringLiteral("status"), resultStatusName(result.status));
    trace.end(job.requestSpan);

    if (result.status == GenerationResult::Status::Ok && job.request.useCache && !result.fromCache
        && !result.fingerprint.isEmpty()) {
        m_cache.store(result.fingerprint,
            {result.outcome.text, result.outcome.model, result.outcome.responseId,
                result.outcome.usage, QDateTime::currentDateTimeUtc()});
    }
    if (m_leaders.value(result.fingerprint) == jobId)
        m_leaders.remove(result.fingerprint);

    QList<std::pair<Callback, GenerationResult>> deliveries;
    if (job.done)
        deliveries.append({job.done, result});
    for (const quint64 followerId : std::as_const(job.followers)) {
        const std::shared_ptr<Job> follower = m_jobs.take(followerId);
        if (!follower)
            continue;
        GenerationResult shared = result;
        shared.coalesced = true;
        shared.attempts.clear();
        shared.usage = {};
        shared.cost = freeOf(m_prices.get());
        shared.queueMs = 0;
        shared.startedAt = follower->result.startedAt;
        shared.trace = follower->result.trace;
        recordPriceTable(shared, follower->requestSpan, m_prices.get());
        recordResponse(shared.trace, follower->requestSpan, shared.outcome);
        shared.trace.setAttribute(
            follower->requestSpan, QStringLiteral("status"), resultStatusName(shared.status));
        shared.trace.end(follower->queuedSpan);
        shared.trace.end(follower->requestSpan);
        shared.totalMs = millisecondsBetween(follower->submittedAt, m_clock.now());
        deliveries.append({follower->done, shared});
    }
    m_jobs.remove(jobId);
    // The job (and its timers) dies from the event loop, not inside one of
    // its own timer callbacks.
    QMetaObject::invokeMethod(
        this, [held] {}, Qt::QueuedConnection);
    for (auto &[done, delivered] : deliveries) {
        QMetaObject::invokeMethod(
            this, [done, delivered] { done(delivered); }, Qt::QueuedConnection);
    }
}

} // namespace sluice
