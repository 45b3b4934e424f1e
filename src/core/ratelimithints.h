#pragma once

#include "core/clock.h"

#include <QStringView>

#include <cstdint>
#include <optional>

namespace sluice {

/// What a server said about its own limits on one response: the
/// `x-ratelimit-*` / `anthropic-ratelimit-*` family, `retry-after(-ms)` and
/// `x-should-retry`. Every field is optional because servers omit them freely.
/// Durations are relative to the moment the response arrived.
struct RateLimitHints
{
    std::optional<std::int64_t> limitRequests;
    std::optional<std::int64_t> limitTokens;
    std::optional<std::int64_t> remainingRequests;
    std::optional<std::int64_t> remainingTokens;
    std::optional<Duration> resetRequests;
    std::optional<Duration> resetTokens;
    std::optional<Duration> retryAfter;
    std::optional<bool> shouldRetry;

    [[nodiscard]] bool isEmpty() const
    {
        return !limitRequests && !limitTokens && !remainingRequests && !remainingTokens
            && !resetRequests && !resetTokens && !retryAfter && !shouldRetry;
    }
};

/// How long until the limit a 429 hit clears, from the reset hints: the
/// reset of what is exhausted (remaining 0), or of both when neither says
/// so; nullopt without a usable reset. retry-after is not considered here.
[[nodiscard]] std::optional<Duration> exhaustedReset(const RateLimitHints &hints);

/// Parses a Go duration as OpenAI sends it in `x-ratelimit-reset-*`:
/// `1s`, `6m0s`, `20ms`, `1.5s`, `1h2m3.5s`, also `us`/`µs`/`ns`.
/// Returns nullopt for anything else (including negative values).
[[nodiscard]] std::optional<Duration> parseGoDuration(QStringView text);

} // namespace sluice
