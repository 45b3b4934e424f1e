#pragma once

#include "core/ratelimithints.h"
#include "providers/httpexchange.h"

#include <QDateTime>

namespace sluice {

/// Reads OpenAI's `x-ratelimit-*`, `retry-after-ms`, `retry-after` (seconds
/// or an HTTP date, taken relative to `receivedAt`) and `x-should-retry`.
[[nodiscard]] RateLimitHints parseOpenAiRateLimitHeaders(
    const HttpResponse &response, const QDateTime &receivedAt);

/// Reads Anthropic's `anthropic-ratelimit-*` family, `retry-after` and
/// `x-should-retry`. Reset times are RFC 3339 timestamps, turned into
/// durations from `receivedAt` (a time already past is 0). RateLimitHints
/// has one token budget: it takes the `tokens-*` family (the most
/// restrictive limit in effect) and, when a server sends only the split
/// families, `input-tokens-*` (what a request reserves before it is sent).
[[nodiscard]] RateLimitHints parseAnthropicRateLimitHeaders(
    const HttpResponse &response, const QDateTime &receivedAt);

} // namespace sluice
