#pragma once

#include "core/ratelimithints.h"
#include "providers/httpexchange.h"

#include <QDateTime>

namespace sluice {

/// Reads OpenAI's `x-ratelimit-*`, `retry-after-ms`, `retry-after` (seconds
/// or an HTTP date, taken relative to `receivedAt`) and `x-should-retry`.
[[nodiscard]] RateLimitHints parseOpenAiRateLimitHeaders(
    const HttpResponse &response, const QDateTime &receivedAt);

} // namespace sluice
