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
};

QTEST_APPLESS_MAIN(TestRateLimitHeaders)
#include "tst_ratelimitheaders.moc"
