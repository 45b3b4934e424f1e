#include "providers/ratelimitheaders.h"

#include <QLocale>

#include <chrono>
#include <cmath>

namespace sluice {

namespace {

std::optional<std::int64_t> parseCount(const QByteArray &value)
{
    bool ok = false;
    const qlonglong count = value.trimmed().toLongLong(&ok);
    if (!ok || count < 0)
        return std::nullopt;
    return count;
}

std::optional<Duration> parseSeconds(const QByteArray &value, double scaleToNanoseconds)
{
    bool ok = false;
    const double amount = value.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(amount) || amount < 0)
        return std::nullopt;
    return Duration(static_cast<Duration::rep>(std::llround(amount * scaleToNanoseconds)));
}

// RFC 9110 IMF-fixdate, e.g. "Tue, 21 Jul 2026 00:04:35 GMT".
std::optional<Duration> parseHttpDate(const QByteArray &value, const QDateTime &receivedAt)
{
    const QString text = QString::fromLatin1(value.trimmed());
    QDateTime when
        = QLocale::c().toDateTime(text, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid())
        return std::nullopt;
    when.setTimeSpec(Qt::UTC);
    const qint64 ms = receivedAt.msecsTo(when);
    return std::chrono::milliseconds(std::max<qint64>(0, ms));
}

// RFC 3339, e.g. "2026-07-21T00:05:00Z" or with fractional seconds and an offset.
std::optional<Duration> parseRfc3339(const QByteArray &value, const QDateTime &receivedAt)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(text), Qt::ISODateWithMs);
    if (!when.isValid())
        return std::nullopt;
    return std::chrono::milliseconds(std::max<qint64>(0, receivedAt.msecsTo(when)));
}

std::optional<bool> parseShouldRetry(const HttpResponse &response)
{
    const QByteArray shouldRetry = response.header("x-should-retry").trimmed().toLower();
    if (shouldRetry == "true")
        return true;
    if (shouldRetry == "false")
        return false;
    return std::nullopt;
}

} // namespace

RateLimitHints parseAnthropicRateLimitHeaders(
    const HttpResponse &response, const QDateTime &receivedAt)
{
    RateLimitHints hints;
    hints.limitRequests = parseCount(response.header("anthropic-ratelimit-requests-limit"));
    hints.remainingRequests = parseCount(response.header("anthropic-ratelimit-requests-remaining"));
    hints.resetRequests
        = parseRfc3339(response.header("anthropic-ratelimit-requests-reset"), receivedAt);

    QByteArray family = "anthropic-ratelimit-tokens-";
    if (response.header(family + "limit").isEmpty())
        family = "anthropic-ratelimit-input-tokens-";
    hints.limitTokens = parseCount(response.header(family + "limit"));
    hints.remainingTokens = parseCount(response.header(family + "remaining"));
    hints.resetTokens = parseRfc3339(response.header(family + "reset"), receivedAt);

    if (const QByteArray after = response.header("retry-after"); !after.isEmpty())
        hints.retryAfter = parseSeconds(after, 1e9);
    hints.shouldRetry = parseShouldRetry(response);
    return hints;
}

RateLimitHints parseOpenAiRateLimitHeaders(
    const HttpResponse &response, const QDateTime &receivedAt)
{
    RateLimitHints hints;
    hints.limitRequests = parseCount(response.header("x-ratelimit-limit-requests"));
    hints.limitTokens = parseCount(response.header("x-ratelimit-limit-tokens"));
    hints.remainingRequests = parseCount(response.header("x-ratelimit-remaining-requests"));
    hints.remainingTokens = parseCount(response.header("x-ratelimit-remaining-tokens"));
    hints.resetRequests
        = parseGoDuration(QString::fromLatin1(response.header("x-ratelimit-reset-requests")));
    hints.resetTokens
        = parseGoDuration(QString::fromLatin1(response.header("x-ratelimit-reset-tokens")));

    if (const QByteArray ms = response.header("retry-after-ms"); !ms.isEmpty())
        hints.retryAfter = parseSeconds(ms, 1e6);
    if (!hints.retryAfter) {
        if (const QByteArray after = response.header("retry-after"); !after.isEmpty()) {
            hints.retryAfter = parseSeconds(after, 1e9);
            if (!hints.retryAfter)
                hints.retryAfter = parseHttpDate(after, receivedAt);
        }
    }

    hints.shouldRetry = parseShouldRetry(response);
    return hints;
}

} // namespace sluice
