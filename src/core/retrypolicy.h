#pragma once

#include "core/clock.h"
#include "core/errorclass.h"
#include "core/ratelimithints.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace sluice {

/// How a failed attempt is retried. Defaults follow the official SDKs
/// (docs/wire-formats.md, "Errors and retries"): 2 retries, full-jitter
/// backoff from 0.5 s doubling to a cap of 8 s, server hints up to 120 s.
struct RetryConfig
{
    int maxRetries = 2;
    Duration initialBackoff = std::chrono::milliseconds(500);
    Duration maxBackoff = std::chrono::seconds(8);
    /// A hint asking for a longer wait ends the request (final) instead of
    /// being ignored: retrying sooner than the server said only earns
    /// another 429, and the rate gate is paused until the hint anyway.
    Duration maxHintWait = std::chrono::seconds(120);
    /// A stream cut before its terminal event is a lost connection: retried.
    bool retryTruncatedStream = true;
    /// A body that does not decode is usually a bug or a proxy's page that
    /// will not change on retry, and each retry spends quota: final by default.
    bool retryMalformedResponse = false;
};

/// One failed attempt, as the retry policy needs it.
struct AttemptFailure
{
    ErrorClass errorClass = ErrorClass::None;
    RateLimitHints hints;
    int retriesSoFar = 0;              ///< 0 after the first attempt
    std::optional<TimePoint> deadline; ///< the request's overall deadline
};

/// The policy's answer: retry after `delay`, or stop, and why.
struct RetryDecision
{
    enum class Reason {
        ServerHint,   ///< retry: the server said when (retry-after or a reset)
        Backoff,      ///< retry: full-jitter exponential backoff
        FinalClass,   ///< stop: this class of error does not heal by retrying
        ServerSaidNo, ///< stop: `x-should-retry: false`
        OutOfRetries, ///< stop: maxRetries spent
        PastDeadline, ///< stop: the retry would start after the deadline
        HintTooLong,  ///< stop: the server asks to wait more than maxHintWait
    };
    bool retry = false;
    Duration delay {};
    Reason reason = Reason::FinalClass;
};

/// Decides whether and when a failed attempt is retried: server hints first
/// (retry-after-ms / retry-after, already parsed into `hints.retryAfter`,
/// then for a 429 the `x-ratelimit-reset-*` of what is exhausted), else
/// full-jitter exponential backoff; `x-should-retry` overrides the error
/// table, except that QuotaExhausted is always final (it stops the run);
/// never a retry scheduled past the deadline. Stateless but for the
/// injected random source.
class RetryPolicy
{
public:
    /// Uniform in [0, 1); injected so tests are repeatable.
    using RandomSource = std::function<double()>;

    explicit RetryPolicy(const Clock &clock, RetryConfig config = {}, RandomSource random = {});

    [[nodiscard]] RetryDecision decide(const AttemptFailure &failure) const;
    /// Whether this class is retried when the server says nothing either way.
    [[nodiscard]] bool isRetryable(ErrorClass errorClass) const;
    [[nodiscard]] const RetryConfig &config() const { return m_config; }

private:
    [[nodiscard]] std::optional<Duration> hintedDelay(const AttemptFailure &failure) const;
    [[nodiscard]] Duration backoff(int retriesSoFar) const;

    const Clock &m_clock;
    RetryConfig m_config;
    RandomSource m_random;
};

} // namespace sluice
