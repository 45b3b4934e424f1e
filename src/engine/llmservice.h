#pragma once

#include "core/circuitbreaker.h"
#include "core/clock.h"
#include "core/concurrencygate.h"
#include "core/generation.h"
#include "core/livemetrics.h"
#include "core/pricebook.h"
#include "core/rategate.h"
#include "core/retrypolicy.h"
#include "core/schemavalidator.h"
#include "core/timer.h"
#include "engine/exchanger.h"
#include "engine/generationresult.h"
#include "engine/llmrequest.h"
#include "engine/resultcache.h"
#include "providers/httptransport.h"
#include "providers/provider.h"

#include <QHash>
#include <QLoggingCategory>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

namespace sluice {

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

/// How one service gates, retries and caches. One service serves one
/// provider endpoint, so its gates are that endpoint's.
struct LlmServiceConfig
{
    RateLimits rateLimits;  ///< none by default: the server's hints still apply
    int maxConcurrent = 16; ///< requests in flight at once
    RetryConfig retry;
    RetryPolicy::RandomSource random; ///< for backoff jitter; empty: a real one
    CircuitBreakerConfig breaker;
    HttpTransport::Timeouts timeouts;
    /// A budget's estimate when a request sets no max output tokens.
    int defaultOutputEstimate = 4096;
    /// Hedging waits for this many answers before it trusts the p95.
    int hedgeMinSamples = 20;
    int cacheEntries = 1000;
    std::chrono::seconds cacheTtl = std::chrono::hours(24);
    QString cacheDirectory; ///< empty: the cache lives in memory only
};

/// Identifies a submitted request, for cancel().
struct RequestHandle
{
    quint64 id = 0;
    [[nodiscard]] bool isValid() const { return id != 0; }
};

/// The request pipeline shared by the GUI, the CLI and the tests
/// (docs/architecture.md, "A request's journey"): render, fingerprint,
/// cache, budget, concurrency gate, rate gate, circuit breaker, send,
/// decode, settle or compensate, validate, repair, retry, metrics, cost,
/// trace. Asynchronous: submit() returns at once and the callback runs
/// exactly once, later, on this object's thread. Single-threaded.
class LlmService : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const GenerationResult &)>;
    /// The text of a streamed request as it arrives (LlmRequest::stream),
    /// on this object's thread, in order, always before the Callback and
    /// never from inside a call into the service. `attempt` is the index in
    /// GenerationResult::attempts of the attempt the text comes from. The
    /// rule for retries, re-asks and hedges: one attempt is shown at a time,
    /// and when `attempt` differs from the previous delta's, the text shown so
    /// far is void (that attempt broke, was re-asked or lost): start over
    /// with this delta, which then carries all that attempt has streamed so
    /// far. The deltas of the last `attempt` concatenate to that attempt's
    /// text; the result's `text` is authoritative. A cache hit, a coalesced
    /// request, a plain request and a provider that does not stream get no
    /// deltas; after cancel() none comes.
    using DeltaCallback = std::function<void(int attempt, const QString &delta)>;

    /// Real timers and HTTP, default configuration.
    LlmService(
        std::shared_ptr<const Provider> provider, const Clock &clock, QObject *parent = nullptr);
    /// `timers` must share `clock` and outlive the service; `exchanger`
    /// empty means HTTP through the service's own transport.
    LlmService(std::shared_ptr<const Provider> provider, const Clock &clock, TimerFactory &timers,
        LlmServiceConfig config, std::unique_ptr<Exchanger> exchanger = {},
        QObject *parent = nullptr);
    ~LlmService() override;

    void setTimeouts(HttpTransport::Timeouts timeouts) { m_config.timeouts = timeouts; }
    /// The table costs are computed with (the built-in one by default).
    void setPriceBook(std::shared_ptr<const PriceBook> book) { m_prices = std::move(book); }

    [[nodiscard]] const Provider &provider() const { return *m_provider; }
    /// The one gate of this endpoint, for the service's whole life:
    /// setRateLimits() changes its limits in place, so a reference stays valid.
    [[nodiscard]] RateGate &rateGate() { return m_rateGate; }
    [[nodiscard]] const ConcurrencyGate &concurrencyGate() const { return m_concurrency; }
    [[nodiscard]] const LiveMetrics &metrics() const { return m_metrics; }
    [[nodiscard]] const PriceBook *priceBook() const { return m_prices.get(); }
    /// Requests submitted and not yet called back.
    [[nodiscard]] int pending() const { return int(m_jobs.size()); }

    /// Runs the whole pipeline for `request`.
    RequestHandle submit(const LlmRequest &request, Callback done);
    /// The same, with the streamed text handed to `onDelta` as it arrives.
    RequestHandle submit(const LlmRequest &request, Callback done, DeltaCallback onDelta);
    /// The simple path: an already rendered request, no schema handling
    /// beyond what it carries, default limits; `request.stream` streams it
    /// (when the provider can) into `onDelta`.
    RequestHandle submit(const GenerationRequest &request, Callback done);
    RequestHandle submit(const GenerationRequest &request, Callback done, DeltaCallback onDelta);
    /// Cancels a request: waiters leave the gates without a trace, an
    /// exchange in flight is aborted and accounted. The callback then runs
    /// with Cancelled. False when the request is unknown or already done.
    bool cancel(RequestHandle handle);

    /// New limits for this endpoint, now (RateGate::setLimits): what the
    /// window holds stays counted at its send times, as do per-day counts,
    /// the server's hints and a pause; waiting requests keep their place and
    /// those the new limits admit are sent at once; requests in flight settle
    /// as usual. LiveMetrics shows the per-minute limits beside the rates.
    void setRateLimits(const RateLimits &limits);

private:
    struct Job;
    struct Flight;

    void start(quint64 jobId);
    void startAttempt(Job &job, AttemptKind kind, const GenerationRequest &request);
    void onSlot(quint64 jobId, quint64 flightId);
    void onTicket(quint64 jobId, quint64 flightId, RateGate::Ticket ticket);
    void onAnswer(quint64 jobId, quint64 flightId, const HttpResponse &response);
    /// A streamed attempt's text delta, from its decoder.
    void onText(quint64 jobId, quint64 flightId, const QString &delta);
    /// Hands `text` of `flight` to the caller's DeltaCallback, from the event loop.
    void showText(Job &job, Flight &flight, const QString &text);
    /// The gate's per-minute limits, for the metrics of `key`.
    void publishLimits(const MetricsKey &key);
    void decide(Job &job, Flight &flight, const GenerationOutcome &outcome);
    /// Validates and repairs a completed answer; `flight` null: no re-ask (a cache hit).
    void accept(Job &job, const GenerationOutcome &outcome, const Flight *flight);
    void scheduleRetry(Job &job, Duration delay, const GenerationRequest &request);
    void armHedge(Job &job, const Flight &flight);
    /// Fails the request at its deadline if it is still waiting in the gates.
    void armDeadline(Job &job);
    void withdraw(Job &job, Flight &flight);
    void finish(Job &job, GenerationResult::Status status);
    void deliverIfSettled(quint64 jobId);
    [[nodiscard]] std::int64_t estimateTokens(const GenerationRequest &request) const;
    [[nodiscard]] Cost estimateCost(const GenerationRequest &request) const;
    [[nodiscard]] MetricsKey metricsKey(const Job &job) const;
    [[nodiscard]] std::optional<SchemaValidator> validatorFor(
        const QJsonObject &schema, QString *error);

    std::shared_ptr<const Provider> m_provider;
    const Clock &m_clock;
    std::unique_ptr<TimerFactory> m_ownTimers;
    TimerFactory &m_timers;
    LlmServiceConfig m_config;
    HttpTransport *m_transport = nullptr;
    std::unique_ptr<Exchanger> m_exchanger;
    RateGate m_rateGate;
    ConcurrencyGate m_concurrency;
    RetryPolicy m_retry;
    CircuitBreakers m_breakers;
    LiveMetrics m_metrics;
    std::shared_ptr<const PriceBook> m_prices;
    ResultCache m_cache;
    QHash<QByteArray, SchemaValidator> m_validators; ///< by canonical schema JSON
    QHash<quint64, std::shared_ptr<Job>> m_jobs;
    QHash<QString, quint64> m_leaders; ///< fingerprint -> job sending it
    quint64 m_nextId = 1;
};

} // namespace sluice
