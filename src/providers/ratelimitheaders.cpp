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

} // namespace

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

    const QByteArray shouldRetry = response.header("x-should-retry").trimmed().toLower();
    if (shouldRetry == "true")
        hints.shouldRetry = true;
    else if (shouldRetry == "false")
        hints.shouldRetry = false;
    return hints;
}

} // namespace sluice
