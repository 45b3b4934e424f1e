#include "core/rategate.h"
#include "core/timer.h"

#include <QElapsedTimer>
#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;

// The real timers, on a real event loop: the manual clock stands in for them
// everywhere else, so this is where QtTimerFactory itself is checked.
class TestQtTimer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firesAtTheInstantNotBefore()
    {
        QtTimerFactory factory;
        const Clock &clock = SteadyClock::instance();
        TimePoint firedAt {};
        auto timer = factory.createTimer([&] { firedAt = clock.now(); });
        const TimePoint target = clock.now() + 30ms;
        timer->startAt(target);
        QVERIFY(timer->isActive());
        QTRY_VERIFY_WITH_TIMEOUT(firedAt != TimePoint {}, 5000);
        QVERIFY(firedAt >= target);
        QVERIFY(!timer->isActive());
    }

    void startAtReplacesThePendingShotAndStopCancels()
    {
        QtTimerFactory factory;
        int fired = 0;
        auto timer = factory.createTimer([&] { ++fired; });
        timer->startAt(SteadyClock::instance().now() + 10ms);
        timer->startAt(SteadyClock::instance().now() + 40ms);
        QTest::qWait(100);
        QCOMPARE(fired, 1);
        timer->startAt(SteadyClock::instance().now() + 10ms);
        timer->stop();
        QTest::qWait(50);
        QCOMPARE(fired, 1);
    }

    void rateGateReleasesAWaiterOnTheRealClock()
    {
        QtTimerFactory factory;
        RateLimits limits;
        limits.window = 60ms;
        limits.requestsPerMinute = 1000; // 1 per 60 ms
        RateGate gate(SteadyClock::instance(), factory, limits);
        QElapsedTimer elapsed;
        elapsed.start();
        QCOMPARE(gate.reserve(0, Priority::Batch, {}).admission, RateGate::Admission::Granted);
        qint64 grantedAfterMs = -1;
        const auto r = gate.reserve(
            0, Priority::Batch, [&](RateGate::Ticket) { grantedAfterMs = elapsed.elapsed(); });
        QCOMPARE(r.admission, RateGate::Admission::Queued);
        QTRY_VERIFY_WITH_TIMEOUT(grantedAfterMs >= 0, 5000);
        QVERIFY2(grantedAfterMs >= 59, qPrintable(QString::number(grantedAfterMs)));
    }
};

QTEST_GUILESS_MAIN(TestQtTimer)
#include "tst_qttimer.moc"
