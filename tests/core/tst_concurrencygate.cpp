#include "core/concurrencygate.h"

#include <QTest>

#include <deque>
#include <random>
#include <vector>

using namespace sluice;

class TestConcurrencyGate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void admitsUpToTheLimitThenQueuesFifo()
    {
        ConcurrencyGate gate(2);
        std::vector<int> order;
        QVERIFY(gate.acquire(Priority::Batch, {}).granted);
        QVERIFY(gate.acquire(Priority::Batch, {}).granted);
        for (int i = 1; i <= 3; ++i)
            QVERIFY(!gate.acquire(Priority::Batch, [&, i] { order.push_back(i); }).granted);
        QCOMPARE(gate.inUse(), 2);
        QCOMPARE(gate.queued(Priority::Batch), 3);
        gate.release();
        QCOMPARE(order, std::vector<int> {1});
        gate.release();
        gate.release();
        QCOMPARE(order, (std::vector<int> {1, 2, 3}));
        QCOMPARE(gate.inUse(), 2);
    }

    void interactiveGoesFirst()
    {
        ConcurrencyGate gate(1);
        std::vector<int> order;
        gate.acquire(Priority::Batch, {});
        gate.acquire(Priority::Batch, [&] { order.push_back(1); });
        gate.acquire(Priority::Interactive, [&] { order.push_back(2); });
        // A newcomer queues behind a waiter of its own priority even when a
        // slot frees in between.
        gate.release();
        QCOMPARE(order, std::vector<int> {2});
        QVERIFY(!gate.acquire(Priority::Interactive, [&] { order.push_back(3); }).granted);
        gate.release();
        gate.release();
        QCOMPARE(order, (std::vector<int> {2, 3, 1}));
    }

    void raisingTheLimitGrantsWaitersAtOnce()
    {
        ConcurrencyGate gate(1);
        int granted = 0;
        gate.acquire(Priority::Batch, {});
        for (int i = 0; i < 5; ++i)
            gate.acquire(Priority::Batch, [&] { ++granted; });
        gate.setLimit(4);
        QCOMPARE(granted, 3);
        QCOMPARE(gate.inUse(), 4);
        QCOMPARE(gate.queued(Priority::Batch), 2);
    }

    void loweringTheLimitDrainsWithoutLosingWaiters()
    {
        ConcurrencyGate gate(3);
        int granted = 0;
        for (int i = 0; i < 3; ++i)
            gate.acquire(Priority::Batch, {});
        gate.acquire(Priority::Batch, [&] { ++granted; });
        gate.setLimit(1);
        gate.release();
        gate.release();
        QCOMPARE(granted, 0); // still 1 in flight, the new limit
        gate.release();
        QCOMPARE(granted, 1);
        QCOMPARE(gate.queued(Priority::Batch), 0);
        QCOMPARE(gate.inUse(), 1);
    }

    void cancelledWaiterLeavesNoTrace()
    {
        ConcurrencyGate gate(1);
        std::vector<int> order;
        gate.acquire(Priority::Batch, {});
        gate.acquire(Priority::Batch, [&] { order.push_back(1); });
        const auto middle = gate.acquire(Priority::Batch, [&] { order.push_back(2); });
        gate.acquire(Priority::Batch, [&] { order.push_back(3); });
        QVERIFY(gate.cancel(middle.waiter));
        QVERIFY(!gate.cancel(middle.waiter));
        QCOMPARE(gate.inUse(), 1);
        QCOMPARE(gate.queued(Priority::Batch), 2);
        gate.release();
        gate.release();
        gate.release();
        QCOMPARE(order, (std::vector<int> {1, 3}));
        QCOMPARE(gate.inUse(), 0);
    }

    void releaseFromAGrantCallback()
    {
        ConcurrencyGate gate(1);
        std::vector<int> order;
        gate.acquire(Priority::Batch, {});
        gate.acquire(Priority::Batch, [&] {
            order.push_back(1);
            gate.release(); // finished at once (a cache hit)
        });
        gate.acquire(Priority::Batch, [&] { order.push_back(2); });
        gate.release();
        QCOMPARE(order, (std::vector<int> {1, 2}));
        QCOMPARE(gate.inUse(), 1);
    }

    void randomWorkloadIsFairAndWorkConserving()
    {
        std::mt19937_64 random(7);
        auto uniform
            = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
        ConcurrencyGate gate(3);
        std::deque<std::pair<int, ConcurrencyGate::WaiterId>> queued[kPriorityCount];
        int inFlight = 0, serial = 0, grantedTotal = 0;
        for (int step = 0; step < 5000; ++step) {
            const int action = uniform(0, 9);
            if (action < 4) {
                const int p = uniform(0, 1);
                const int who = ++serial;
                const auto a = gate.acquire(static_cast<Priority>(p), [&, p, who] {
                    QVERIFY(!queued[p].empty());
                    QCOMPARE(queued[p].front().first, who);
                    if (p == 1)
                        QVERIFY(queued[0].empty());
                    queued[p].pop_front();
                    ++inFlight;
                    ++grantedTotal;
                });
                if (a.granted) {
                    ++inFlight;
                    ++grantedTotal;
                } else {
                    queued[p].emplace_back(who, a.waiter);
                }
            } else if (action < 5) {
                auto &q = queued[uniform(0, 1)];
                if (!q.empty()) {
                    const int index = uniform(0, int(q.size()) - 1);
                    const auto id = q[index].second;
                    q.erase(q.begin() + index);
                    QVERIFY(gate.cancel(id));
                }
            } else if (action < 9) {
                if (inFlight > 0) {
                    --inFlight;
                    gate.release();
                }
            } else {
                gate.setLimit(uniform(1, 6));
            }
            if (QTest::currentTestFailed())
                return;
            QCOMPARE(gate.inUse(), inFlight);
            // Work-conserving: nobody waits while a slot is free.
            if (!queued[0].empty() || !queued[1].empty())
                QVERIFY(gate.inUse() >= gate.limit());
            QCOMPARE(gate.queued(Priority::Interactive), std::int64_t(queued[0].size()));
            QCOMPARE(gate.queued(Priority::Batch), std::int64_t(queued[1].size()));
        }
        QVERIFY(grantedTotal > 1000);
    }
};

QTEST_APPLESS_MAIN(TestConcurrencyGate)
#include "tst_concurrencygate.moc"
