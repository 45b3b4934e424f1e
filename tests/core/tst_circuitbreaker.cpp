#include "core/circuitbreaker.h"
#include "manualclock.h"

#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;
using test::ManualClock;
using State = CircuitBreaker::State;

namespace {

CircuitBreakerConfig config(int threshold, Duration coolDown, int probes = 1, int toClose = 1)
{
    CircuitBreakerConfig c;
    c.failureThreshold = threshold;
    c.coolDown = coolDown;
    c.halfOpenProbes = probes;
    c.successesToClose = toClose;
    return c;
}

void failTimes(CircuitBreaker &breaker, int times, ErrorClass errorClass = ErrorClass::Server)
{
    for (int i = 0; i < times; ++i)
        breaker.recordFailure(errorClass);
}

} // namespace

class TestCircuitBreaker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensAfterConsecutiveFailures()
    {
        ManualClock clock;
        CircuitBreaker breaker(clock, config(3, 10s));
        failTimes(breaker, 2);
        QCOMPARE(breaker.state(), State::Closed);
        QVERIFY(breaker.allowRequest());
        breaker.recordFailure(ErrorClass::Timeout);
        QCOMPARE(breaker.state(), State::Open);
        QVERIFY(!breaker.allowRequest());
        QCOMPARE(breaker.openUntil(), std::optional<TimePoint>(clock.now() + 10s));
    }

    void aSuccessResetsTheCount()
    {
        ManualClock clock;
        CircuitBreaker breaker(clock, config(3, 10s));
        failTimes(breaker, 2);
        breaker.recordSuccess();
        failTimes(breaker, 2);
        QCOMPARE(breaker.state(), State::Closed);
        QCOMPARE(breaker.consecutiveFailures(), 2);
    }

    void answersThatProveTheEndpointAliveDoNotCount()
    {
        ManualClock clock;
        CircuitBreaker breaker(clock, config(2, 10s));
        breaker.recordFailure(ErrorClass::Network);
        // A 429 or a 400 is an answer: the endpoint is up.
        breaker.recordFailure(ErrorClass::RateLimited);
        breaker.recordFailure(ErrorClass::Network);
        breaker.recordFailure(ErrorClass::BadRequest);
        breaker.recordFailure(ErrorClass::QuotaExhausted);
        breaker.recordFailure(ErrorClass::Overloaded);
        QCOMPARE(breaker.state(), State::Closed);
        breaker.recordFailure(ErrorClass::TruncatedStream);
        QCOMPARE(breaker.state(), State::Open);
    }

    void halfOpenAfterTheCoolDownLetsOneProbeThrough()
    {
        ManualClock clock;
        CircuitBreaker breaker(clock, config(1, 10s));
        breaker.recordFailure(ErrorClass::Server);
        clock.advance(10s - 1ns);
        QCOMPARE(breaker.state(), State::Open);
        QVERIFY(!breaker.allowRequest());
        clock.advance(1ns);
        QCOMPARE(breaker.state(), State::HalfOpen);
        QVERIFY(!breaker.openUntil());
        QVERIFY(breaker.allowRequest());
        QVERIFY(!breaker.allowRequest()); // the one probe is out
        breaker.recordSuccess();
        QCOMPARE(breaker.state(), State::Closed);
        QVERIFY(breaker.allowRequest());
        QVERIFY(breaker.allowRequest());
    }

    void aFailedProbeOpensAgainForAFullCoolDown()
    {
        ManualClock clock;
        CircuitBreaker breaker(clock, config(3, 10s));
        failTimes(breaker, 3);
        clock.advance(15s);
        QVERIFY(breaker.allowRequest());
        breaker.recordFailure(ErrorClass::Network);
        QCOMPARE(breaker.state(), State::Open);
        QCOMPARE(breaker.openUntil(), std::optional<TimePoint>(clock.now() + 10s));
        QVERIFY(!breaker.allowRequest());
    }

    void severalProbesAndSuccessesToClose()
    {
        ManualClock clock;
        CircuitBreaker breaker(clock, config(1, 1s, 2, 2));
        breaker.recordFailure(ErrorClass::Server);
        clock.advance(1s);
        QVERIFY(breaker.allowRequest());
        QVERIFY(breaker.allowRequest());
        QVERIFY(!breaker.allowRequest());
        breaker.recordSuccess();
        QCOMPARE(breaker.state(), State::HalfOpen);
        QVERIFY(breaker.allowRequest()); // a slot came back
        breaker.recordSuccess();
        QCOMPARE(breaker.state(), State::Closed);
    }

    void anAbandonedProbeGivesItsSlotBack()
    {
        ManualClock clock;
        CircuitBreaker breaker(clock, config(1, 1s));
        breaker.recordFailure(ErrorClass::Server);
        clock.advance(1s);
        QVERIFY(breaker.allowRequest());
        QVERIFY(!breaker.allowRequest());
        breaker.recordAbandoned();
        QCOMPARE(breaker.state(), State::HalfOpen);
        QVERIFY(breaker.allowRequest());
    }

    void onePerEndpointAndModel()
    {
        ManualClock clock;
        CircuitBreakers breakers(clock, config(1, 5s));
        breakers.forKey(u"https://a"_qs, u"m1"_qs).recordFailure(ErrorClass::Server);
        QCOMPARE(breakers.forKey(u"https://a"_qs, u"m1"_qs).state(), State::Open);
        QCOMPARE(breakers.forKey(u"https://a"_qs, u"m2"_qs).state(), State::Closed);
        QCOMPARE(breakers.forKey(u"https://b"_qs, u"m1"_qs).state(), State::Closed);
        QVERIFY(&breakers.forKey(u"https://a"_qs, u"m1"_qs)
            == &breakers.forKey(u"https://a"_qs, u"m1"_qs));
    }
};

QTEST_APPLESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
