#include "core/retrypolicy.h"
#include "manualclock.h"

#include <QTest>

#include <random>

using namespace sluice;
using namespace std::chrono_literals;
using Reason = RetryDecision::Reason;

Q_DECLARE_METATYPE(sluice::ErrorClass)

namespace {

RetryPolicy::RandomSource fixedRandom(double value)
{
    return [value] { return value; };
}

AttemptFailure failure(ErrorClass errorClass, int retriesSoFar = 0)
{
    AttemptFailure f;
    f.errorClass = errorClass;
    f.retriesSoFar = retriesSoFar;
    return f;
}

} // namespace

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void errorTable_data()
    {
        QTest::addColumn<ErrorClass>("errorClass");
        QTest::addColumn<bool>("retried");
        QTest::newRow("network") << ErrorClass::Network << true;
        QTest::newRow("timeout") << ErrorClass::Timeout << true;
        QTest::newRow("rate limited") << ErrorClass::RateLimited << true;
        QTest::newRow("server") << ErrorClass::Server << true;
        QTest::newRow("overloaded") << ErrorClass::Overloaded << true;
        QTest::newRow("truncated stream") << ErrorClass::TruncatedStream << true;
        QTest::newRow("tls") << ErrorClass::Tls << false;
        QTest::newRow("bad request") << ErrorClass::BadRequest << false;
        QTest::newRow("auth") << ErrorClass::Auth << false;
        QTest::newRow("not found") << ErrorClass::NotFound << false;
        QTest::newRow("quota exhausted") << ErrorClass::QuotaExhausted << false;
        QTest::newRow("malformed response") << ErrorClass::MalformedResponse << false;
        QTest::newRow("refused") << ErrorClass::Refused << false;
        QTest::newRow("incomplete") << ErrorClass::Incomplete << false;
        QTest::newRow("none") << ErrorClass::None << false;
    }

    void errorTable()
    {
        QFETCH(ErrorClass, errorClass);
        QFETCH(bool, retried);
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        const RetryDecision d = policy.decide(failure(errorClass));
        QCOMPARE(d.retry, retried);
        QCOMPARE(d.reason, retried ? Reason::Backoff : Reason::FinalClass);
    }

    void malformedAndTruncatedAreConfigurable()
    {
        test::ManualClock clock;
        RetryConfig config;
        config.retryMalformedResponse = true;
        config.retryTruncatedStream = false;
        const RetryPolicy policy(clock, config, fixedRandom(0.5));
        QVERIFY(policy.decide(failure(ErrorClass::MalformedResponse)).retry);
        QVERIFY(!policy.decide(failure(ErrorClass::TruncatedStream)).retry);
    }

    void quotaExhaustedIsFinalEvenWhenTheServerSaysRetry()
    {
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        AttemptFailure f = failure(ErrorClass::QuotaExhausted);
        f.hints.retryAfter = 1s;
        f.hints.shouldRetry = true;
        const RetryDecision d = policy.decide(f);
        QVERIFY(!d.retry);
        QCOMPARE(d.reason, Reason::FinalClass);
    }

    void shouldRetryOverridesTheTable()
    {
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        AttemptFailure no = failure(ErrorClass::Server);
        no.hints.shouldRetry = false;
        QCOMPARE(policy.decide(no).reason, Reason::ServerSaidNo);
        QVERIFY(!policy.decide(no).retry);

        AttemptFailure yes = failure(ErrorClass::BadRequest);
        yes.hints.shouldRetry = true;
        QVERIFY(policy.decide(yes).retry);
        // ...but never beyond the retry budget.
        yes.retriesSoFar = 2;
        QCOMPARE(policy.decide(yes).reason, Reason::OutOfRetries);
    }

    void retryAfterHintIsTakenAsIs_data()
    {
        // The forms a server sends, as the header parser turns them into a
        // duration: retry-after-ms, retry-after in (fractional) seconds, and
        // retry-after as an HTTP date (relative to arrival, 0 when past).
        QTest::addColumn<qint64>("milliseconds");
        QTest::newRow("retry-after-ms: 250") << qint64(250);
        QTest::newRow("retry-after: 1.5") << qint64(1500);
        QTest::newRow("retry-after: 30") << qint64(30000);
        QTest::newRow("retry-after: <date 7 s ahead>") << qint64(7000);
        QTest::newRow("retry-after: <date in the past>") << qint64(0);
        QTest::newRow("retry-after: 120 (the longest taken)") << qint64(120000);
    }

    void retryAfterHintIsTakenAsIs()
    {
        QFETCH(qint64, milliseconds);
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.99));
        for (ErrorClass c : {ErrorClass::RateLimited, ErrorClass::Server, ErrorClass::Overloaded}) {
            AttemptFailure f = failure(c);
            f.hints.retryAfter = std::chrono::milliseconds(milliseconds);
            f.hints.resetRequests = 50s; // retry-after wins over resets
            f.hints.remainingRequests = 0;
            const RetryDecision d = policy.decide(f);
            QVERIFY(d.retry);
            QCOMPARE(d.reason, Reason::ServerHint);
            QCOMPARE(d.delay, Duration(std::chrono::milliseconds(milliseconds)));
        }
    }

    void hintLongerThanTheSdkLimitIsFinal()
    {
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        AttemptFailure f = failure(ErrorClass::RateLimited);
        f.hints.retryAfter = 120s + 1ms;
        const RetryDecision d = policy.decide(f);
        QVERIFY(!d.retry);
        QCOMPARE(d.reason, Reason::HintTooLong);
        QCOMPARE(d.delay, Duration(120s + 1ms));
    }

    void resetHintsForA429()
    {
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        AttemptFailure f = failure(ErrorClass::RateLimited);
        f.hints.remainingRequests = 12;
        f.hints.resetRequests = *parseGoDuration(u"20ms");
        f.hints.remainingTokens = 0;
        f.hints.resetTokens = *parseGoDuration(u"1.5s");
        RetryDecision d = policy.decide(f);
        QVERIFY(d.retry);
        QCOMPARE(d.reason, Reason::ServerHint);
        QCOMPARE(d.delay, Duration(1500ms)); // the exhausted one

        f.hints.remainingRequests = 0;
        f.hints.remainingTokens = 4000;
        QCOMPARE(policy.decide(f).delay, Duration(20ms));

        f.hints.remainingRequests.reset();
        f.hints.remainingTokens.reset();
        QCOMPARE(policy.decide(f).delay, Duration(1500ms)); // unknown: the later

        f.hints.resetTokens = *parseGoDuration(u"6m0s");
        QCOMPARE(policy.decide(f).reason, Reason::HintTooLong);
    }

    void resetHintsDoNotApplyToServerErrors()
    {
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        AttemptFailure f = failure(ErrorClass::Server);
        f.hints.remainingRequests = 0;
        f.hints.resetRequests = 30s;
        const RetryDecision d = policy.decide(f);
        QCOMPARE(d.reason, Reason::Backoff);
        QCOMPARE(d.delay, Duration(250ms)); // 0.5 x 500 ms
    }

    void neverPastTheDeadline()
    {
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        AttemptFailure f = failure(ErrorClass::RateLimited);
        f.hints.retryAfter = 5s;
        f.deadline = clock.now() + 5s;
        QCOMPARE(policy.decide(f).reason, Reason::PastDeadline);
        QVERIFY(!policy.decide(f).retry);
        f.deadline = clock.now() + 5s + 1ms;
        QVERIFY(policy.decide(f).retry);

        // Backoff too: 0.5 x min(8 s, 0.5 s x 2^3) = 2 s.
        AttemptFailure b = failure(ErrorClass::Network, 1);
        RetryConfig config;
        config.maxRetries = 10;
        const RetryPolicy patient(clock, config, fixedRandom(0.5));
        b.retriesSoFar = 3;
        b.deadline = clock.now() + 1999ms;
        QCOMPARE(patient.decide(b).reason, Reason::PastDeadline);
        b.deadline = clock.now() + 2001ms;
        QCOMPARE(patient.decide(b).delay, Duration(2s));
        // The deadline is measured from the clock's now, not from zero.
        clock.advance(1s);
        QCOMPARE(patient.decide(b).reason, Reason::PastDeadline);
    }

    void outOfRetries()
    {
        test::ManualClock clock;
        const RetryPolicy policy(clock, {}, fixedRandom(0.5));
        QVERIFY(policy.decide(failure(ErrorClass::Server, 1)).retry);
        const RetryDecision d = policy.decide(failure(ErrorClass::Server, 2));
        QVERIFY(!d.retry);
        QCOMPARE(d.reason, Reason::OutOfRetries);
    }

    void fullJitterStaysWithinTheExponentialCap()
    {
        test::ManualClock clock;
        RetryConfig config;
        config.maxRetries = 100;
        std::mt19937_64 engine(42);
        const RetryPolicy policy(
            clock, config, [&engine] { return std::generate_canonical<double, 53>(engine); });
        for (int n = 0; n < 8; ++n) {
            const double ceiling = std::min(8.0, 0.5 * (1 << n));
            double sum = 0, lowest = ceiling, highest = 0;
            const int samples = 2000;
            for (int i = 0; i < samples; ++i) {
                const RetryDecision d = policy.decide(failure(ErrorClass::Overloaded, n));
                QCOMPARE(d.reason, Reason::Backoff);
                const double s = std::chrono::duration<double>(d.delay).count();
                QVERIFY(s >= 0.0);
                QVERIFY2(s <= ceiling, qPrintable(QString::number(s)));
                sum += s;
                lowest = std::min(lowest, s);
                highest = std::max(highest, s);
            }
            // Full jitter: uniform over [0, ceiling), so mean ~ ceiling / 2 and
            // the whole range is used.
            QVERIFY(qAbs(sum / samples - ceiling / 2) < ceiling * 0.05);
            QVERIFY(lowest < ceiling * 0.02);
            QVERIFY(highest > ceiling * 0.98);
        }
    }
};

QTEST_APPLESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
