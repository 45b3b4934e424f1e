#pragma once

#include "core/clock.h"
#include "core/errorclass.h"

#include <QHash>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace sluice {

/// When a circuit opens and how it recovers.
struct CircuitBreakerConfig
{
    int failureThreshold = 5;                     ///< consecutive counted failures that open it
    Duration coolDown = std::chrono::seconds(30); ///< open, then half-open
    int halfOpenProbes = 1;                       ///< attempts let through at once while half-open
    int successesToClose = 1;                     ///< probe successes that close it again
};

/// Stops sending to an endpoint and model that keeps failing (closed, open,
/// half-open), on the injected clock. Only failures that say the endpoint
/// is unwell count (network, timeout, TLS, 5xx, overloaded, malformed or
/// truncated answers); any other answer, a 429 or a 400 included, proves it
/// alive and counts as a success. Single-threaded.
class CircuitBreaker
{
public:
    enum class State { Closed, Open, HalfOpen };

    explicit CircuitBreaker(const Clock &clock, CircuitBreakerConfig config = {});

    /// Whether an attempt may go now. While half-open it takes one of the
    /// probe slots, given back by the record call of that attempt.
    [[nodiscard]] bool allowRequest();
    void recordSuccess();
    void recordFailure(ErrorClass errorClass);
    /// An allowed attempt that ended without a verdict (cancelled, never sent).
    void recordAbandoned();

    /// The state now (an open circuit whose cool-down has passed is half-open).
    [[nodiscard]] State state() const;
    /// While open: when it turns half-open.
    [[nodiscard]] std::optional<TimePoint> openUntil() const;
    [[nodiscard]] int consecutiveFailures() const { return m_failures; }

    /// Whether a failure of this class counts against the endpoint's health.
    [[nodiscard]] static bool countsAsFailure(ErrorClass errorClass);

private:
    void refresh();
    void open();

    const Clock &m_clock;
    CircuitBreakerConfig m_config;
    State m_state = State::Closed;
    TimePoint m_openUntil {};
    int m_failures = 0;
    int m_probesInFlight = 0;
    int m_probeSuccesses = 0;
};

/// One circuit breaker per endpoint and model, made on first use.
class CircuitBreakers
{
public:
    explicit CircuitBreakers(const Clock &clock, CircuitBreakerConfig config = {});
    ~CircuitBreakers();

    [[nodiscard]] CircuitBreaker &forKey(const QString &endpoint, const QString &model);

private:
    const Clock &m_clock;
    CircuitBreakerConfig m_config;
    QHash<QString, std::shared_ptr<CircuitBreaker>> m_breakers;
};

} // namespace sluice
