#include "providers/ratelimitheaders.h"

#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;

namespace {

HttpResponse withHeaders(const HttpHeaders &headers)
{
    HttpResponse response;
    response.status = 200;
    response.headers = headers;
    return response;
}

const QDateTime kReceivedAt = QDateTime(QDate(2026, 7, 21), QTime(0, 4, 35), Qt::UTC);

} // namespace

class TestRateLimitHeaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordedOpenAiHeaders()
    {
        // As recorded in newrelic-python-agent/14_responses_200.meta.json.
        const RateLimitHints hints = parseOpenAiRateLimitHeaders(
            withHeaders(
                {{"x-ratelimit-limit-requests", "10000"}, {"x-ratelimit-limit-tokens", "50000000"},
                    {"x-ratelimit-remaining-requests", "9999"},
                    {"x-ratelimit-remaining-tokens", "49999975"},
                    {"x-ratelimit-reset-requests", "6ms"}, {"x-ratelimit-reset-tokens", "0s"}}),
            kReceivedAt);
        QCOMPARE(hints.limitRequests, 10000);
        QCOMPARE(hints.limitTokens, 50000000);
        QCOMPARE(hints.remainingRequests, 9999);
        QCOMPARE(hints.remainingTokens, 49999975);
        QCOMPARE(hints.resetRequests, Duration(6ms));
        QCOMPARE(hints.resetTokens, Duration(0s));
        QVERIFY(!hints.retryAfter);
        QVERIFY(!hints.shouldRetry);
    }

    void headerNamesAreCaseInsensitive()
    {
        const RateLimitHints hints = parseOpenAiRateLimitHeaders(
            withHeaders({{"X-RateLimit-Reset-Tokens", "1h2m3.5s"}}), kReceivedAt);
        QCOMPARE(hints.resetTokens, Duration(3'723'500ms));
    }

    void absentHeadersGiveEmptyHints()
    {
        QVERIFY(parseOpenAiRateLimitHeaders(withHeaders({}), kReceivedAt).isEmpty());
    }

    void retryAfterMillisecondsWins()
    {
        const RateLimitHints hints = parseOpenAiRateLimitHeaders(
            withHeaders({{"retry-after", "20"}, {"retry-after-ms", "1500"}}), kReceivedAt);
        QCOMPARE(hints.retryAfter, Duration(1500ms));
    }

    void retryAfterFractionalSeconds()
    {
        const RateLimitHints hints
            = parseOpenAiRateLimitHeaders(withHeaders({{"retry-after", "0.25"}}), kReceivedAt);
        QCOMPARE(hints.retryAfter, Duration(250ms));
    }

    void retryAfterHttpDate()
    {
        const RateLimitHints hints = parseOpenAiRateLimitHeaders(
            withHeaders({{"retry-after", "Tue, 21 Jul 2026 00:04:47 GMT"}}), kReceivedAt);
        QCOMPARE(hints.retryAfter, Duration(12s));
    }

    void retryAfterDateInThePastIsZero()
    {
        const RateLimitHints hints = parseOpenAiRateLimitHeaders(
            withHeaders({{"retry-after", "Tue, 21 Jul 2026 00:00:00 GMT"}}), kReceivedAt);
        QCOMPARE(hints.retryAfter, Duration(0s));
    }

    void garbageIsIgnored()
    {
        const RateLimitHints hints = parseOpenAiRateLimitHeaders(
            withHeaders({{"retry-after", "soon"}, {"x-ratelimit-remaining-requests", "-3"},
                {"x-ratelimit-reset-requests", "forever"}, {"x-should-retry", "maybe"}}),
            kReceivedAt);
        QVERIFY(hints.isEmpty());
    }

    void shouldRetryOverride()
    {
        QCOMPARE(
            parseOpenAiRateLimitHeaders(withHeaders({{"x-should-retry", "false"}}), kReceivedAt)
                .shouldRetry,
            false);
        QCOMPARE(parseOpenAiRateLimitHeaders(withHeaders({{"x-should-retry", "TRUE"}}), kReceivedAt)
                     .shouldRetry,
            true);
    }

    // As in tests/data/anthropic/rate_limit_429.meta.json, received at 00:04:35.
    void anthropicHeaders()
    {
        const RateLimitHints hints = parseAnthropicRateLimitHeaders(
            withHeaders({{"anthropic-ratelimit-requests-limit", "50"},
                {"anthropic-ratelimit-requests-remaining", "0"},
                {"anthropic-ratelimit-requests-reset", "2026-07-21T00:05:00Z"},
                {"anthropic-ratelimit-tokens-limit", "50000"},
                {"anthropic-ratelimit-tokens-remaining", "48000"},
                {"anthropic-ratelimit-tokens-reset", "2026-07-21T00:04:36.500Z"},
                {"anthropic-ratelimit-input-tokens-limit", "40000"},
                {"anthropic-ratelimit-input-tokens-remaining", "39000"},
                {"anthropic-ratelimit-input-tokens-reset", "2026-07-21T00:04:36Z"},
                {"retry-after", "12"}, {"x-should-retry", "true"}}),
            kReceivedAt);
        QCOMPARE(hints.limitRequests, 50);
        QCOMPARE(hints.remainingRequests, 0);
        QCOMPARE(hints.resetRequests, Duration(25s));
        QCOMPARE(hints.limitTokens, 50000);
        QCOMPARE(hints.remainingTokens, 48000);
        QCOMPARE(hints.resetTokens, Duration(1500ms));
        QCOMPARE(hints.retryAfter, Duration(12s));
        QCOMPARE(hints.shouldRetry, true);
    }

    void anthropicSplitTokenFamiliesAndOffsets()
    {
        const RateLimitHints hints = parseAnthropicRateLimitHeaders(
            withHeaders({{"anthropic-ratelimit-input-tokens-limit", "40000"},
                {"anthropic-ratelimit-input-tokens-remaining", "39000"},
                {"anthropic-ratelimit-input-tokens-reset", "2026-07-21T02:04:45+02:00"},
                {"anthropic-ratelimit-output-tokens-limit", "8000"},
                {"anthropic-ratelimit-requests-reset", "2026-07-21T00:04:00Z"}}),
            kReceivedAt);
        QCOMPARE(hints.limitTokens, 40000);
        QCOMPARE(hints.remainingTokens, 39000);
        QCOMPARE(hints.resetTokens, Duration(10s));
        QCOMPARE(hints.resetRequests, Duration(0s)); // already past
        QVERIFY(!hints.limitRequests);
        QVERIFY(!hints.retryAfter);
    }

    void anthropicGarbageIsAbsent()
    {
        const RateLimitHints hints = parseAnthropicRateLimitHeaders(
            withHeaders({{"anthropic-ratelimit-tokens-limit", "many"},
                {"anthropic-ratelimit-tokens-reset", "tomorrow"}, {"retry-after", "-3"}}),
            kReceivedAt);
        QVERIFY(hints.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestRateLimitHeaders)
#include "tst_ratelimitheaders.moc"
