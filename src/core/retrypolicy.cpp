#include "core/retrypolicy.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace sluice {

RetryPolicy::RetryPolicy(const Clock &clock, RetryConfig config, RandomSource random)
    : m_clock(clock), m_config(config), m_random(std::move(random))
{
    if (!m_random) {
        m_random = [engine = std::make_shared<std::mt19937_64>(std::random_device {}())] {
            return std::generate_canonical<double, 53>(*engine);
        };
    }
}

bool RetryPolicy::isRetryable(ErrorClass errorClass) const
{
    switch (errorClass) {
    case ErrorClass::Network:
    case ErrorClass::Timeout:
    case ErrorClass::RateLimited:
    case ErrorClass::Server:
    case ErrorClass::Overloaded:
        return true;
    case ErrorClass::TruncatedStream:
        return m_config.retryTruncatedStream;
    case ErrorClass::MalformedResponse:
        return m_config.retryMalformedResponse;
    case ErrorClass::None:
    // The class does not tell a certificate error from a flaky handshake,
    // and a certificate error must never be retried into silence.
    case ErrorClass::Tls:
    case ErrorClass::BadRequest:
    case ErrorClass::Auth:
    case ErrorClass::NotFound:
    case ErrorClass::QuotaExhausted:
    // Refusals and early stops are answers, handled by the repair ladder.
    case ErrorClass::Refused:
    case ErrorClass::Incomplete:
        return false;
    }
    return false;
}

RetryDecision RetryPolicy::decide(const AttemptFailure &failure) const
{
    using Reason = RetryDecision::Reason;
    // Quota runs out until billing changes: the run stops, whatever the
    // server's x-should-retry says (the one exception to its override).
    if (failure.errorClass == ErrorClass::QuotaExhausted)
        return {false, {}, Reason::FinalClass};
    const std::optional<bool> serverSays = failure.hints.shouldRetry;
    if (serverSays == false)
        return {false, {}, Reason::ServerSaidNo};
    if (!serverSays && !isRetryable(failure.errorClass))
        return {false, {}, Reason::FinalClass};
    if (failure.retriesSoFar >= m_config.maxRetries)
        return {false, {}, Reason::OutOfRetries};

    RetryDecision decision {true, {}, Reason::Backoff};
    if (const auto hinted = hintedDelay(failure)) {
        if (*hinted > m_config.maxHintWait)
            return {false, *hinted, Reason::HintTooLong};
        decision.delay = *hinted;
        decision.reason = Reason::ServerHint;
    } else {
        decision.delay = backoff(failure.retriesSoFar);
    }
    // A retry that would start at or after the deadline could not finish in time.
    if (failure.deadline && m_clock.now() + decision.delay >= *failure.deadline)
        return {false, decision.delay, Reason::PastDeadline};
    return decision;
}

std::optional<Duration> RetryPolicy::hintedDelay(const AttemptFailure &failure) const
{
    const RateLimitHints &hints = failure.hints;
    if (hints.retryAfter)
        return std::max(Duration::zero(), *hints.retryAfter);
    // Reset times only say when a rate limit clears: meaningful for a 429 only.
    if (failure.errorClass != ErrorClass::RateLimited)
        return std::nullopt;
    return exhaustedReset(hints);
}

Duration RetryPolicy::backoff(int retriesSoFar) const
{
    // Full jitter (uniform in [0, min(cap, base * 2^n))) spreads a burst of
    // failures instead of retrying them in lockstep.
    const double base = std::chrono::duration<double>(m_config.initialBackoff).count();
    const double cap = std::chrono::duration<double>(m_config.maxBackoff).count();
    const double ceiling = std::min(cap, base * std::ldexp(1.0, std::min(retriesSoFar, 62)));
    const double r = std::clamp(m_random(), 0.0, 1.0);
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(ceiling * r));
}

} // namespace sluice
