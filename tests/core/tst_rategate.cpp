#include "core/rategate.h"
#include "manualclock.h"

#include <QTest>

#include <deque>
#include <map>
#include <random>
#include <vector>

using namespace sluice;
using namespace std::chrono_literals;
using test::ManualClock;

namespace {

RateLimits perMinute(std::optional<std::int64_t> requests, std::optional<std::int64_t> tokens)
{
    RateLimits limits;
    limits.requestsPerMinute = requests;
    limits.tokensPerMinute = tokens;
    return limits;
}

RateLimitHints budgetHints(std::int64_t remainingRequests, Duration resetRequests,
    std::int64_t remainingTokens, Duration resetTokens)
{
    RateLimitHints hints;
    hints.remainingRequests = remainingRequests;
    hints.resetRequests = resetRequests;
    hints.remainingTokens = remainingTokens;
    hints.resetTokens = resetTokens;
    return hints;
}

// Records the order in which queued reservations are granted.
struct Grants
{
    std::vector<std::pair<int, RateGate::Ticket>> order;
    RateGate::GrantCallback note(int who)
    {
        return [this, who](RateGate::Ticket ticket) { order.emplace_back(who, ticket); };
    }
    [[nodiscard]] std::vector<int> who() const
    {
        std::vector<int> result;
        for (const auto &[id, ticket] : order)
            result.push_back(id);
        return result;
    }
};

} // namespace

class TestRateGate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- SlidingWindow ----------------------------------------------------

    void windowExpiresExactlyAtItsLength()
    {
        SlidingWindow window(60s);
        const TimePoint t0(1000h);
        window.add(t0, 10);
        window.expire(t0 + 60s - 1ns);
        QCOMPARE(window.requests(), 1);
        QCOMPARE(window.tokens(), 10);
        QCOMPARE(window.nextExpiry(), std::optional<TimePoint>(t0 + 60s));
        window.expire(t0 + 60s);
        QCOMPARE(window.requests(), 0);
        QCOMPARE(window.tokens(), 0);
        QVERIFY(!window.nextExpiry());
    }

    void windowSettlesAndRemovesAnyEntry()
    {
        SlidingWindow window(60s);
        const TimePoint t0(1000h);
        std::vector<SlidingWindow::Ticket> tickets;
        for (int i = 0; i < 5; ++i)
            tickets.push_back(window.add(t0 + i * 1s, 100 * (i + 1)));
        QCOMPARE(window.tokens(), 1500);

        QVERIFY(window.remove(tickets[2]));
        QVERIFY(!window.remove(tickets[2])); // exactly once
        QCOMPARE(window.requests(), 4);
        QCOMPARE(window.tokens(), 1200);
        // The neighbours keep their own tickets and amounts.
        QVERIFY(window.settle(tickets[3], 7));
        QCOMPARE(window.tokens(), 1200 - 400 + 7);
        QVERIFY(!window.settle(tickets[2], 50));

        // Removing the front makes the next live entry the next expiry.
        QVERIFY(window.remove(tickets[0]));
        QCOMPARE(window.nextExpiry(), std::optional<TimePoint>(t0 + 1s + 60s));
        window.expire(t0 + 1s + 60s);
        QCOMPARE(window.requests(), 2); // tickets[3] and [4]
        QCOMPARE(window.tokens(), 7 + 500);
        QVERIFY(!window.settle(tickets[1], 1)); // expired
    }

    void windowTombstonesDoNotPileUp()
    {
        SlidingWindow window(60s);
        const TimePoint t0(1000h);
        for (int round = 0; round < 1000; ++round) {
            const auto ticket = window.add(t0 + round * 1ms, 1);
            QVERIFY(window.remove(ticket));
        }
        QCOMPARE(window.heldEntries(), std::size_t(0));
    }

    void ringGivesBackTheMemoryOfABurst()
    {
        TicketRing<int> ring;
        std::vector<TicketRing<int>::Ticket> tickets;
        for (int i = 0; i < 100000; ++i)
            tickets.push_back(ring.push(i));
        QVERIFY(ring.capacity() >= 100000);
        for (int i = 0; i < 99990; ++i)
            ring.popFront();
        QVERIFY(ring.capacity() <= 1024);
        // Tickets still find their elements after the moves.
        QCOMPARE(*ring.find(tickets[99995]), 99995);
        QVERIFY(!ring.find(tickets[5]));
        QCOMPARE(ring.push(7), tickets.back() + 1);
    }

    // --- the named LLMService failure modes ------------------------------

    void overshootUnderConcurrency()
    {
        // Fifty callers arrive in the same instant; the check and the booking
        // are one call, so exactly the limit passes.
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(10, std::nullopt));
        Grants grants;
        int granted = 0;
        for (int i = 0; i < 50; ++i) {
            const auto r = gate.reserve(0, Priority::Batch, grants.note(i));
            granted += r.admission == RateGate::Admission::Granted;
        }
        QCOMPARE(granted, 10);
        QCOMPARE(gate.snapshot().requestsInWindow, 10);
        QCOMPARE(gate.snapshot().queuedBatch, 40);
        QVERIFY(grants.order.empty());
    }

    void tokensCountedBeforeTheAnswer()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(std::nullopt, 1000));
        const auto first = gate.reserve(600, Priority::Batch, {});
        QCOMPARE(first.admission, RateGate::Admission::Granted);
        // No answer yet, but its estimate already counts.
        QCOMPARE(gate.snapshot().tokensInWindow, 600);
        Grants grants;
        const auto second = gate.reserve(600, Priority::Batch, grants.note(2));
        QCOMPARE(second.admission, RateGate::Admission::Queued);

        // The answer used less: settling frees room at once, no timer needed.
        clock.advance(2s);
        QVERIFY(gate.settle(first.ticket, 300));
        QCOMPARE(grants.who(), std::vector<int> {2});
        QCOMPARE(gate.snapshot().tokensInWindow, 900);
    }

    void settledAtTheOriginalSendTime()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(std::nullopt, 1000));
        const TimePoint sent = clock.now();
        const auto r = gate.reserve(100, Priority::Batch, {});
        clock.advance(45s);
        TokenUsage usage;
        usage.input = 600;
        usage.output = 300;
        QVERIFY(gate.settle(r.ticket, usage));
        QCOMPARE(gate.snapshot().tokensInWindow, 900);
        clock.advanceTo(sent + 60s); // not 45 s + 60 s
        QCOMPARE(gate.snapshot().tokensInWindow, 0);
        QCOMPARE(gate.snapshot().requestsInWindow, 0);
    }

    void offByOneExactlyAtTheLimit()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(3, std::nullopt));
        const TimePoint t0 = clock.now();
        for (int i = 0; i < 3; ++i)
            QCOMPARE(gate.reserve(0, Priority::Batch, {}).admission, RateGate::Admission::Granted);
        Grants grants;
        QCOMPARE(gate.reserve(0, Priority::Batch, grants.note(4)).admission,
            RateGate::Admission::Queued);
        QCOMPARE(gate.nextRelease(), std::optional<TimePoint>(t0 + 60s));
        clock.advanceTo(t0 + 60s - 1ns);
        QVERIFY(grants.order.empty());
        clock.advanceTo(t0 + 60s);
        QCOMPARE(grants.who(), std::vector<int> {4});
        QCOMPARE(gate.snapshot().requestsInWindow, 1);

        // Tokens: exactly the limit passes, one more does not.
        ManualClock clock2;
        RateGate tokens(clock2, clock2, perMinute(std::nullopt, 100));
        QCOMPARE(tokens.reserve(60, Priority::Batch, {}).admission, RateGate::Admission::Granted);
        QCOMPARE(tokens.reserve(40, Priority::Batch, {}).admission, RateGate::Admission::Granted);
        QCOMPARE(tokens.reserve(1, Priority::Batch, {}).admission, RateGate::Admission::Queued);
    }

    void burstOfWaitersReleasedTogether()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(5, std::nullopt));
        const TimePoint t0 = clock.now();
        for (int i = 0; i < 5; ++i)
            gate.reserve(0, Priority::Batch, {});
        Grants grants;
        clock.advance(10s);
        for (int i = 0; i < 5; ++i)
            gate.reserve(0, Priority::Batch, grants.note(i));
        const long long firedBefore = clock.firedCount();
        clock.advanceTo(t0 + 60s);
        // One shot of the one timer releases the whole burst, in order.
        QCOMPARE(clock.firedCount() - firedBefore, 1);
        QCOMPARE(grants.who(), (std::vector<int> {0, 1, 2, 3, 4}));
        QCOMPARE(gate.snapshot().requestsInWindow, 5);
        QCOMPARE(gate.snapshot().queuedBatch, 0);
        QVERIFY(!gate.nextRelease());
    }

    void rollbackOfAMiddleEntry()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(5, 1000));
        const TimePoint t0 = clock.now();
        std::vector<RateGate::Ticket> tickets;
        for (int i = 0; i < 5; ++i) {
            tickets.push_back(gate.reserve(100 + i, Priority::Batch, {}).ticket);
            clock.advance(1s);
        }
        Grants grants;
        gate.reserve(50, Priority::Batch, grants.note(9));
        QVERIFY(grants.order.empty());

        // The middle request never reached the server: it leaves the window
        // and the waiter passes at once.
        QVERIFY(gate.compensate(tickets[2]));
        QVERIFY(!gate.compensate(tickets[2]));
        QCOMPARE(grants.who(), std::vector<int> {9});
        auto s = gate.snapshot();
        QCOMPARE(s.requestsInWindow, 5);
        QCOMPARE(s.tokensInWindow, 100 + 101 + 103 + 104 + 50);

        // Tickets still name their own entries: settling the fourth changes it only.
        QVERIFY(gate.settle(tickets[3], 3));
        QCOMPARE(gate.snapshot().tokensInWindow, 100 + 101 + 3 + 104 + 50);
        // And each entry still expires at its own send time.
        clock.advanceTo(t0 + 60s + 1s);
        s = gate.snapshot();
        QCOMPARE(s.requestsInWindow, 3);
        QCOMPARE(s.tokensInWindow, 3 + 104 + 50);
    }

    void failedRequestThatReachedTheServerStaysCounted()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(2, 1000));
        const auto r = gate.reserve(300, Priority::Batch, {});
        // A 500 after the server saw it: settle to what it billed (nothing),
        // but the request still counts against the request limit.
        QVERIFY(gate.settle(r.ticket, 0));
        QCOMPARE(gate.snapshot().requestsInWindow, 1);
        QCOMPARE(gate.snapshot().tokensInWindow, 0);
    }

    // --- ordering, cancellation, rejection --------------------------------

    void interactiveGoesAheadOfBatch()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(1, std::nullopt));
        gate.reserve(0, Priority::Batch, {});
        Grants grants;
        gate.reserve(0, Priority::Batch, grants.note(1));
        gate.reserve(0, Priority::Batch, grants.note(2));
        gate.reserve(0, Priority::Interactive, grants.note(3));
        gate.reserve(0, Priority::Interactive, grants.note(4));
        for (int i = 0; i < 4; ++i)
            clock.advance(60s);
        QCOMPARE(grants.who(), (std::vector<int> {3, 4, 1, 2}));
    }

    void cancelledWaiterLeavesNoTrace()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(std::nullopt, 100));
        gate.reserve(100, Priority::Batch, {});
        Grants grants;
        const auto big = gate.reserve(90, Priority::Batch, grants.note(1));
        const auto middle = gate.reserve(5, Priority::Batch, grants.note(2));
        gate.reserve(5, Priority::Batch, grants.note(3));
        const auto before = gate.snapshot();

        QVERIFY(gate.cancel(middle.waiter));
        QVERIFY(!gate.cancel(middle.waiter));
        auto after = gate.snapshot();
        QCOMPARE(after.requestsInWindow, before.requestsInWindow);
        QCOMPARE(after.tokensInWindow, before.tokensInWindow);
        QCOMPARE(after.queuedBatch, before.queuedBatch - 1);

        clock.advance(60s); // the 100 expire: big (90) passes, then 3 (5)
        QCOMPARE(grants.who(), (std::vector<int> {1, 3}));
        QCOMPARE(gate.snapshot().tokensInWindow, 95);
        QVERIFY(!gate.cancel(big.waiter)); // granted already
    }

    void cancellingTheFrontReleasesThoseBehind()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(std::nullopt, 100));
        gate.reserve(50, Priority::Batch, {});
        Grants grants;
        const auto big = gate.reserve(80, Priority::Batch, grants.note(1));
        gate.reserve(30, Priority::Batch, grants.note(2));
        QVERIFY(grants.order.empty()); // FIFO: the small one does not overtake
        QVERIFY(gate.cancel(big.waiter));
        QCOMPARE(grants.who(), std::vector<int> {2});
    }

    void rejectsWhatCanNeverFit()
    {
        ManualClock clock;
        RateLimits limits = perMinute(std::nullopt, 1000);
        limits.window = 30s; // 500 per window
        RateGate gate(clock, clock, limits);
        QCOMPARE(gate.reserve(501, Priority::Batch, {}).admission, RateGate::Admission::Rejected);
        QCOMPARE(gate.reserve(500, Priority::Batch, {}).admission, RateGate::Admission::Granted);
        QCOMPARE(gate.snapshot().requestsInWindow, 1);
    }

    void shortWindowScalesTheLimit()
    {
        ManualClock clock;
        RateLimits limits = perMinute(60, std::nullopt);
        limits.window = 10s;
        RateGate gate(clock, clock, limits);
        int granted = 0;
        for (int i = 0; i < 20; ++i)
            granted
                += gate.reserve(0, Priority::Batch, {}).admission == RateGate::Admission::Granted;
        QCOMPARE(granted, 10);
        QCOMPARE(gate.snapshot().requestLimit, std::optional<std::int64_t>(10));
    }

    void perDayLimit()
    {
        ManualClock clock;
        RateLimits limits = perMinute(100, std::nullopt);
        limits.requestsPerDay = 3;
        RateGate gate(clock, clock, limits);
        const TimePoint t0 = clock.now();
        const auto first = gate.reserve(0, Priority::Batch, {});
        clock.advance(2min);
        gate.reserve(0, Priority::Batch, {});
        gate.reserve(0, Priority::Batch, {});
        Grants grants;
        gate.reserve(0, Priority::Batch, grants.note(4));
        clock.advanceTo(t0 + 24h - 1ms);
        QVERIFY(grants.order.empty());
        QCOMPARE(gate.snapshot().requestsInWindow, 0);
        QCOMPARE(gate.snapshot().requestsInDay, 3);
        clock.advanceTo(t0 + 24h);
        QCOMPARE(grants.who(), std::vector<int> {4});
        // Compensation reaches the day window too (the minute one has let go).
        QVERIFY(!gate.compensate(first.ticket)); // expired everywhere
        const auto late = grants.order.front().second;
        QVERIFY(gate.compensate(late));
        QCOMPARE(gate.snapshot().requestsInDay, 2);
    }

    // --- server hints ----------------------------------------------------

    void rateLimitedPausesUntilRetryAfter()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(100, std::nullopt));
        const TimePoint t0 = clock.now();
        RateLimitHints hints;
        hints.retryAfter = 5s;
        gate.applyHints(hints, true);
        Grants grants;
        QCOMPARE(gate.reserve(0, Priority::Interactive, grants.note(1)).admission,
            RateGate::Admission::Queued);
        QCOMPARE(gate.snapshot().pausedUntil, std::optional<TimePoint>(t0 + 5s));
        clock.advanceTo(t0 + 5s - 1ns);
        QVERIFY(grants.order.empty());
        clock.advanceTo(t0 + 5s);
        QCOMPARE(grants.who(), std::vector<int> {1});
    }

    void rateLimitedWithoutRetryAfterUsesTheExhaustedReset()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(100, 100000));
        const TimePoint t0 = clock.now();
        gate.applyHints(budgetHints(10, 1s, 0, 7s), true);
        QCOMPARE(gate.snapshot().pausedUntil, std::optional<TimePoint>(t0 + 7s));
    }

    void remainingHintsBecomeABudget()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(100, 100000));
        const TimePoint t0 = clock.now();
        gate.applyHints(budgetHints(2, 10s, 500, 3s), false);
        QCOMPARE(gate.reserve(400, Priority::Batch, {}).admission, RateGate::Admission::Granted);
        Grants grants;
        // 100 tokens left on the server until +3 s.
        QCOMPARE(gate.reserve(200, Priority::Batch, grants.note(1)).admission,
            RateGate::Admission::Queued);
        clock.advanceTo(t0 + 3s);
        QCOMPARE(grants.who(), std::vector<int> {1});
        // That spent the last request until +10 s.
        gate.reserve(0, Priority::Batch, grants.note(2));
        clock.advanceTo(t0 + 10s - 1ns);
        QCOMPARE(grants.order.size(), std::size_t(1));
        clock.advanceTo(t0 + 10s);
        QCOMPARE(grants.who(), (std::vector<int> {1, 2}));
    }

    void grantCallbackMayReenter()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(1, std::nullopt));
        const auto first = gate.reserve(0, Priority::Batch, {});
        Grants grants;
        // The first waiter is granted, then at once gives its slot back
        // (cancelled while being sent): the next one passes in the same shot.
        gate.reserve(0, Priority::Batch, [&](RateGate::Ticket ticket) {
            grants.order.emplace_back(1, ticket);
            gate.compensate(ticket);
        });
        gate.reserve(0, Priority::Batch, grants.note(2));
        QVERIFY(gate.compensate(first.ticket));
        QCOMPARE(grants.who(), (std::vector<int> {1, 2}));
        QCOMPARE(gate.snapshot().requestsInWindow, 1);
    }

    void grantCallbackMayReserveAndCancel()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(2, std::nullopt));
        gate.reserve(0, Priority::Batch, {});
        gate.reserve(0, Priority::Batch, {});
        Grants grants;
        RateGate::WaiterId third = 0;
        gate.reserve(0, Priority::Batch, [&](RateGate::Ticket ticket) {
            grants.order.emplace_back(1, ticket);
            // A follow-up from inside the callback queues behind those
            // already waiting, and cancelling one of them is safe.
            QCOMPARE(gate.reserve(0, Priority::Batch, grants.note(4)).admission,
                RateGate::Admission::Queued);
            QVERIFY(gate.cancel(third));
        });
        gate.reserve(0, Priority::Batch, grants.note(2));
        third = gate.reserve(0, Priority::Batch, grants.note(3)).waiter;
        clock.advance(60s);
        QCOMPARE(grants.who(), (std::vector<int> {1, 2}));
        QCOMPARE(gate.snapshot().queuedBatch, 1);
        clock.advance(60s);
        QCOMPARE(grants.who(), (std::vector<int> {1, 2, 4}));
    }

    // --- limits changed at run time ---------------------------------------

    void raisedLimitGrantsWaitersAtOnce()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(2, std::nullopt));
        const TimePoint t0 = clock.now();
        const auto first = gate.reserve(10, Priority::Batch, {});
        gate.reserve(10, Priority::Batch, {});
        Grants grants;
        for (int i = 1; i <= 3; ++i)
            gate.reserve(10, Priority::Batch, grants.note(i));
        QCOMPARE(gate.nextRelease(), std::optional<TimePoint>(t0 + 60s));

        gate.setLimits(perMinute(4, std::nullopt));
        // From inside the call, in their order, as far as the new limit goes.
        QCOMPARE(grants.who(), (std::vector<int> {1, 2}));
        const auto s = gate.snapshot();
        QCOMPARE(s.requestsInWindow, 4);
        QCOMPARE(s.requestLimit, std::optional<std::int64_t>(4));
        QCOMPARE(s.queuedBatch, 1);
        QCOMPARE(gate.nextRelease(), std::optional<TimePoint>(t0 + 60s));
        // Tickets from before the change still name their entries.
        QVERIFY(gate.settle(first.ticket, 3));
        QCOMPARE(gate.snapshot().tokensInWindow, 3 + 10 + 10 + 10);
        clock.advanceTo(t0 + 60s);
        QCOMPARE(grants.who(), (std::vector<int> {1, 2, 3}));
    }

    void loweredLimitKeepsWhatTheWindowHolds()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(5, 1000));
        const TimePoint t0 = clock.now();
        std::vector<RateGate::Ticket> tickets;
        for (int i = 0; i < 4; ++i) {
            tickets.push_back(gate.reserve(100, Priority::Batch, {}).ticket);
            clock.advance(1s);
        }
        QVERIFY(gate.settle(tickets[1], 40));

        gate.setLimits(perMinute(2, 1000));
        auto s = gate.snapshot();
        QCOMPARE(s.requestsInWindow, 4); // above the new limit: nothing is taken away
        QCOMPARE(s.tokensInWindow, 340);
        Grants grants;
        QCOMPARE(gate.reserve(0, Priority::Batch, grants.note(1)).admission,
            RateGate::Admission::Queued);
        // Taking one back still works, but three are still too many.
        QVERIFY(gate.compensate(tickets[3]));
        QCOMPARE(gate.snapshot().tokensInWindow, 240);
        clock.advanceTo(t0 + 60s); // the first leaves: two remain, the limit
        QVERIFY(grants.order.empty());
        QCOMPARE(gate.nextRelease(), std::optional<TimePoint>(t0 + 61s));
        clock.advanceTo(t0 + 61s);
        QCOMPARE(grants.who(), std::vector<int> {1});
        s = gate.snapshot();
        QCOMPARE(s.requestsInWindow, 2);
        QCOMPARE(s.tokensInWindow, 100);
    }

    void loweredTokenLimitLetsALargerWaiterPassAlone()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(std::nullopt, 1000));
        const TimePoint t0 = clock.now();
        gate.reserve(600, Priority::Batch, {});
        Grants grants;
        gate.reserve(900, Priority::Batch, grants.note(1));
        gate.reserve(10, Priority::Batch, grants.note(2));

        gate.setLimits(perMinute(std::nullopt, 500));
        // A newcomer that large is refused; the one that queued under the
        // old limit waits for an empty window, and the small one behind it.
        QCOMPARE(gate.reserve(900, Priority::Batch, {}).admission, RateGate::Admission::Rejected);
        clock.advanceTo(t0 + 60s - 1ns);
        QVERIFY(grants.order.empty());
        clock.advanceTo(t0 + 60s);
        QCOMPARE(grants.who(), std::vector<int> {1});
        QCOMPARE(gate.snapshot().tokensInWindow, 900);
        clock.advanceTo(t0 + 120s);
        QCOMPARE(grants.who(), (std::vector<int> {1, 2}));
    }

    void grantCallbackMayChangeTheLimits()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(1, std::nullopt));
        gate.reserve(0, Priority::Batch, {});
        Grants grants;
        // The first one granted by the raise lowers the limit again at once:
        // those behind it keep waiting.
        gate.reserve(0, Priority::Batch, [&](RateGate::Ticket ticket) {
            grants.order.emplace_back(1, ticket);
            gate.setLimits(perMinute(2, std::nullopt));
        });
        gate.reserve(0, Priority::Batch, grants.note(2));
        gate.reserve(0, Priority::Batch, grants.note(3));
        gate.setLimits(perMinute(10, std::nullopt));
        QCOMPARE(grants.who(), std::vector<int> {1});
        QCOMPARE(gate.snapshot().requestsInWindow, 2);
        QCOMPARE(gate.snapshot().queuedBatch, 2);
        QVERIFY(gate.nextRelease().has_value());
    }

    void shorterWindowLetsOlderEntriesGoAtOnce()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(3, std::nullopt)); // 3 per 60 s
        const TimePoint t0 = clock.now();
        const auto oldest = gate.reserve(0, Priority::Batch, {});
        clock.advanceTo(t0 + 10s);
        gate.reserve(0, Priority::Batch, {});
        clock.advanceTo(t0 + 40s);
        gate.reserve(0, Priority::Batch, {});
        clock.advanceTo(t0 + 45s);
        Grants grants;
        gate.reserve(0, Priority::Batch, grants.note(1));

        RateLimits limits = perMinute(6, std::nullopt);
        limits.window = 30s; // still 3 per window
        gate.setLimits(limits);
        // Sent at t0 and t0 + 10 s: older than 30 s, they leave now.
        QCOMPARE(grants.who(), std::vector<int> {1});
        QCOMPARE(gate.snapshot().requestsInWindow, 2);
        QVERIFY(!gate.settle(oldest.ticket, 1));
        // The rest leave 30 s after they were sent.
        clock.advanceTo(t0 + 70s - 1ns);
        QCOMPARE(gate.snapshot().requestsInWindow, 2);
        clock.advanceTo(t0 + 70s);
        QCOMPARE(gate.snapshot().requestsInWindow, 1);
        clock.advanceTo(t0 + 75s);
        QCOMPARE(gate.snapshot().requestsInWindow, 0);
    }

    void longerWindowKeepsTheHeldEntriesLonger()
    {
        ManualClock clock;
        RateLimits limits = perMinute(6, std::nullopt);
        limits.window = 10s; // 1 per window
        RateGate gate(clock, clock, limits);
        const TimePoint t0 = clock.now();
        gate.reserve(0, Priority::Batch, {});
        clock.advanceTo(t0 + 5s);
        Grants grants;
        gate.reserve(0, Priority::Batch, grants.note(1));
        QCOMPARE(gate.nextRelease(), std::optional<TimePoint>(t0 + 10s));

        limits.window = 60s; // 6 per window
        gate.setLimits(limits);
        QCOMPARE(grants.who(), std::vector<int> {1});
        // The entry sent at t0 now counts until t0 + 60 s.
        clock.advanceTo(t0 + 60s - 1ns);
        QCOMPARE(gate.snapshot().requestsInWindow, 2);
        clock.advanceTo(t0 + 60s);
        QCOMPARE(gate.snapshot().requestsInWindow, 1);

        // What a shorter window has let go is not counted again, even when
        // nothing asked the gate since.
        limits.window = 10s;
        gate.setLimits(limits); // the entry sent at t0 + 5 s leaves now
        QCOMPARE(gate.snapshot().requestsInWindow, 0);
        gate.reserve(0, Priority::Batch, {});
        clock.advanceTo(t0 + 75s); // it left the 10 s window at t0 + 70 s
        limits.window = 60s;
        gate.setLimits(limits); // within 60 s of its send time, but gone
        QCOMPARE(gate.snapshot().requestsInWindow, 0);
    }

    void daysCountsHintsAndPauseCarryOver()
    {
        ManualClock clock;
        RateLimits limits = perMinute(100, std::nullopt);
        limits.requestsPerDay = 5;
        RateGate gate(clock, clock, limits);
        const TimePoint t0 = clock.now();
        for (int i = 0; i < 3; ++i)
            gate.reserve(10, Priority::Batch, {});
        clock.advance(2min); // gone from the minute window, still in the day
        RateLimitHints hints = budgetHints(7, 30s, 900, 20s);
        hints.limitRequests = 500;
        hints.limitTokens = 40000;
        gate.applyHints(hints, false);
        gate.pauseUntil(t0 + 3min);
        const auto before = gate.snapshot();
        QCOMPARE(before.requestsInDay, 3);

        limits.requestsPerMinute = 50;
        limits.requestsPerDay = 4;
        gate.setLimits(limits);
        const auto after = gate.snapshot();
        QCOMPARE(after.requestLimit, std::optional<std::int64_t>(50));
        QCOMPARE(after.requestsInDay, 3);
        QCOMPARE(after.tokensInDay, 30);
        QCOMPARE(after.pausedUntil, before.pausedUntil);
        QCOMPARE(after.serverRemainingRequests, std::optional<std::int64_t>(7));
        QCOMPARE(after.serverRemainingTokens, std::optional<std::int64_t>(900));
        QCOMPARE(after.serverLimitRequests, std::optional<std::int64_t>(500));
        QCOMPARE(after.serverLimitTokens, std::optional<std::int64_t>(40000));

        // One more fits the day under the new per-day limit, after the pause.
        Grants grants;
        gate.reserve(0, Priority::Batch, grants.note(1));
        gate.reserve(0, Priority::Batch, grants.note(2));
        clock.advanceTo(t0 + 3min);
        QCOMPARE(grants.who(), std::vector<int> {1});
        QCOMPARE(gate.snapshot().requestsInDay, 4);
        QCOMPARE(gate.nextRelease(), std::optional<TimePoint>(t0 + 24h));
    }

    void perDayLimitAddedAndRemoved()
    {
        ManualClock clock;
        RateGate gate(clock, clock, perMinute(100, std::nullopt));
        const TimePoint t0 = clock.now();
        gate.reserve(5, Priority::Batch, {});
        clock.advance(2min); // not in the window any more: forgotten
        const auto middle = gate.reserve(7, Priority::Batch, {});
        gate.reserve(9, Priority::Batch, {});

        RateLimits limits = perMinute(100, std::nullopt);
        limits.requestsPerDay = 2;
        gate.setLimits(limits);
        // The day starts with what the window holds.
        QCOMPARE(gate.snapshot().requestsInDay, 2);
        QCOMPARE(gate.snapshot().tokensInDay, 16);
        // Tickets from before and after name the same entry in both windows.
        QVERIFY(gate.compensate(middle.ticket));
        QCOMPARE(gate.snapshot().requestsInDay, 1);
        const auto late = gate.reserve(1, Priority::Batch, {});
        QCOMPARE(late.admission, RateGate::Admission::Granted);
        Grants grants;
        QCOMPARE(gate.reserve(1, Priority::Batch, grants.note(1)).admission,
            RateGate::Admission::Queued);
        QVERIFY(gate.compensate(late.ticket));
        QCOMPARE(grants.who(), std::vector<int> {1});
        QCOMPARE(gate.reserve(1, Priority::Batch, grants.note(2)).admission,
            RateGate::Admission::Queued);
        QCOMPARE(gate.nextRelease(), std::optional<TimePoint>(t0 + 2min + 24h));

        // Without a per-day limit the day is not counted: the waiter passes.
        gate.setLimits(perMinute(100, std::nullopt));
        QCOMPARE(grants.who(), (std::vector<int> {1, 2}));
        QCOMPARE(gate.snapshot().requestsInDay, 0);
        QCOMPARE(gate.snapshot().requestsInWindow, 3);
    }

    // --- random workloads against a linear oracle ------------------------

    void randomWorkloadKeepsTheInvariants_data()
    {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<bool>("withDayLimit");
        QTest::addColumn<bool>("changeLimits");
        QTest::newRow("seed 1") << quint64(1) << false << false;
        QTest::newRow("seed 2") << quint64(2) << false << false;
        QTest::newRow("seed 3 + per day") << quint64(3) << true << false;
        QTest::newRow("seed 4 + per day") << quint64(4) << true << false;
        QTest::newRow("seed 5 + new limits") << quint64(5) << false << true;
        QTest::newRow("seed 6 + new limits") << quint64(6) << false << true;
        QTest::newRow("seed 7 + per day + new limits") << quint64(7) << true << true;
    }

    void randomWorkloadKeepsTheInvariants()
    {
        QFETCH(quint64, seed);
        QFETCH(bool, withDayLimit);
        QFETCH(bool, changeLimits);
        std::mt19937_64 random(seed);
        auto uniform = [&](std::int64_t lo, std::int64_t hi) {
            return std::uniform_int_distribution<std::int64_t>(lo, hi)(random);
        };
        // The per-window limit, as the gate documents it.
        auto perWindow = [](std::optional<std::int64_t> perMinute, Duration window) {
            return perMinute ? std::optional<std::int64_t>(std::max<std::int64_t>(
                       1, *perMinute * window.count() / Duration(60s).count()))
                             : std::nullopt;
        };

        ManualClock clock;
        RateLimits limits = perMinute(20, 2000);
        limits.window = 10s; // 3 requests and 333 tokens per window
        if (withDayLimit)
            limits.requestsPerDay = 300; // binds within the run
        std::optional<std::int64_t> requestLimit = 3, tokenLimit = 333;
        RateGate gate(clock, clock, limits);

        // The oracle: every booking ever made, scanned linearly.
        struct Booking
        {
            TimePoint at;
            std::int64_t tokens;
            std::int64_t estimate;
            bool live = true;
            bool settled = false;
            bool forgotten = false; ///< had left the window before it grew longer
        };
        std::map<RateGate::Ticket, Booking> bookings;
        struct QueuedWaiter
        {
            RateGate::WaiterId id;
            std::int64_t tokens;
            int serial;
        };
        std::deque<QueuedWaiter> queued[kPriorityCount];
        std::int64_t reservedTotal = 0, settledDelta = 0, compensatedTotal = 0;
        int serial = 0;
        std::vector<int> cancelledSerials;
        TimePoint pausedUntil {};
        int pauses = 0;
        int limitChanges = 0;
        // After new limits the window may hold more than they allow; once it
        // is back under them, it stays there.
        bool requestsDrained = true, tokensDrained = true;

        auto held = [&](const Booking &b) {
            return b.live && !b.forgotten && clock.now() < b.at + limits.window;
        };
        auto inWindow = [&] {
            std::int64_t requests = 0, tokens = 0;
            for (const auto &[ticket, b] : bookings) {
                if (held(b)) {
                    ++requests;
                    tokens += b.tokens;
                }
            }
            return std::pair {requests, tokens};
        };
        auto inDay = [&] {
            std::int64_t requests = 0;
            for (const auto &[ticket, b] : bookings)
                requests += b.live && clock.now() < b.at + 24h;
            return requests;
        };
        auto oracleFits = [&](std::int64_t tokens) {
            const auto [requests, used] = inWindow();
            if (clock.now() < pausedUntil)
                return false;
            if (requestLimit && requests + 1 > *requestLimit)
                return false;
            // An empty window admits a waiter larger than the token limit
            // (one queued under a higher limit).
            if (tokenLimit && tokens > 0 && requests > 0 && used + tokens > *tokenLimit)
                return false;
            if (withDayLimit && inDay() + 1 > *limits.requestsPerDay)
                return false;
            return true;
        };
        auto checkWindow = [&] {
            const auto [requests, tokens] = inWindow();
            const bool requestsUnder = !requestLimit || requests <= *requestLimit;
            QVERIFY2(requestsUnder || !requestsDrained, "over the request limit again");
            requestsDrained = requestsDrained || requestsUnder;
            // Tokens may exceed the limit only by the one larger waiter
            // admitted alone, which nothing with tokens joins.
            std::int64_t largest = 0;
            for (const auto &[ticket, b] : bookings)
                largest = held(b) ? std::max(largest, b.tokens) : largest;
            const bool tokensUnder = !tokenLimit || tokens <= *tokenLimit;
            QVERIFY2(!tokenLimit || tokens <= std::max(*tokenLimit, largest) || !tokensDrained,
                "over the token limit again");
            tokensDrained = tokensDrained || tokensUnder;
            if (withDayLimit)
                QVERIFY(inDay() <= *limits.requestsPerDay);
        };
        auto onBooked = [&](RateGate::Ticket ticket, std::int64_t tokens) {
            QVERIFY(ticket != 0);
            QVERIFY(!bookings.contains(ticket));
            bookings[ticket] = Booking {clock.now(), tokens, tokens};
            reservedTotal += tokens;
            checkWindow(); // every window ends at some admission: check them all
        };
        auto grantFor = [&](int who, std::int64_t tokens, Priority priority) {
            return [&, who, tokens, priority](RateGate::Ticket ticket) {
                auto &q = queued[static_cast<int>(priority)];
                // FIFO within the priority, and nobody of a lower one first.
                QVERIFY(!q.empty());
                QCOMPARE(q.front().serial, who);
                if (priority == Priority::Batch)
                    QVERIFY(queued[0].empty());
                q.pop_front();
                QVERIFY(std::find(cancelledSerials.begin(), cancelledSerials.end(), who)
                    == cancelledSerials.end());
                onBooked(ticket, tokens);
            };
        };

        for (int step = 0; step < 6000; ++step) {
            const auto action = uniform(0, 99);
            if (action < 40) {
                const std::int64_t tokens = uniform(0, 150);
                const Priority priority
                    = uniform(0, 3) == 0 ? Priority::Interactive : Priority::Batch;
                const int who = ++serial;
                const auto r = gate.reserve(tokens, priority, grantFor(who, tokens, priority));
                const bool neverFits = tokenLimit && tokens > *tokenLimit;
                if (r.admission == RateGate::Admission::Granted) {
                    QVERIFY(!neverFits);
                    QVERIFY(oracleFits(tokens));
                    onBooked(r.ticket, tokens);
                } else if (r.admission == RateGate::Admission::Rejected) {
                    QVERIFY(neverFits);
                } else {
                    QVERIFY(!neverFits);
                    queued[static_cast<int>(priority)].push_back({r.waiter, tokens, who});
                }
            } else if (action < 50) {
                auto &q = queued[uniform(0, 1)];
                if (!q.empty()) {
                    const auto index = uniform(0, static_cast<std::int64_t>(q.size()) - 1);
                    const QueuedWaiter victim = q[index];
                    const auto before = inWindow();
                    const std::size_t bookedBefore = bookings.size();
                    q.erase(q.begin() + index);
                    cancelledSerials.push_back(victim.serial);
                    QVERIFY(gate.cancel(victim.id));
                    QVERIFY(!gate.cancel(victim.id));
                    // Nothing of the cancelled waiter is booked; only grants
                    // of those behind it may follow.
                    if (bookings.size() == bookedBefore)
                        QCOMPARE(inWindow(), before);
                }
            } else if (action < 68 && !bookings.empty()) {
                auto it = bookings.lower_bound(
                    uniform(bookings.begin()->first, bookings.rbegin()->first));
                Booking &b = it->second;
                const bool expected = withDayLimit ? b.live && clock.now() < b.at + 24h : held(b);
                // The oracle moves first: the call may grant waiters at once.
                if (uniform(0, 2) == 0) {
                    if (expected) {
                        b.live = false;
                        compensatedTotal += b.tokens;
                    }
                    QCOMPARE(gate.compensate(it->first), expected);
                } else {
                    const std::int64_t actual = uniform(0, b.estimate); // never above the estimate
                    if (expected) {
                        settledDelta += actual - b.tokens;
                        b.tokens = actual;
                        b.settled = true;
                    }
                    QCOMPARE(gate.settle(it->first, actual), expected);
                }
            } else if (action < 70) {
                // A 429 with retry-after: nothing passes until then.
                RateLimitHints hints;
                hints.retryAfter = Duration(uniform(0, 5'000'000'000));
                pausedUntil = std::max(pausedUntil, clock.now() + *hints.retryAfter);
                ++pauses;
                gate.applyHints(hints, true);
            } else if (action < 73 && changeLimits) {
                // New limits and window length (the per-day limit stays).
                const Duration windows[] = {5s, 10s, 20s};
                const std::optional<std::int64_t> rpm[] = {std::nullopt, 6, 12, 20, 60};
                const std::optional<std::int64_t> tpm[] = {std::nullopt, 600, 1200, 2000, 6000};
                RateLimits next = limits;
                next.window = windows[uniform(0, 2)];
                next.requestsPerMinute = rpm[uniform(0, 4)];
                next.tokensPerMinute = tpm[uniform(0, 4)];
                // What left the old window stays gone, even if the new one is longer.
                for (auto &[ticket, b] : bookings)
                    b.forgotten = b.forgotten || clock.now() >= b.at + limits.window;
                limits = next;
                requestLimit = perWindow(next.requestsPerMinute, next.window);
                tokenLimit = perWindow(next.tokensPerMinute, next.window);
                requestsDrained = tokensDrained = false;
                ++limitChanges;
                gate.setLimits(next);
                checkWindow();
            } else {
                clock.advance(Duration(uniform(0, 3'000'000'000)));
            }
            if (QTest::currentTestFailed())
                return;

            // Counts agree with the oracle, the gate is work-conserving, and a
            // timer is aimed whenever someone waits.
            checkWindow();
            const auto snapshot = gate.snapshot();
            const auto [requests, tokens] = inWindow();
            QCOMPARE(snapshot.requestsInWindow, requests);
            QCOMPARE(snapshot.tokensInWindow, tokens);
            QCOMPARE(snapshot.requestLimit, requestLimit);
            QCOMPARE(snapshot.tokenLimit, tokenLimit);
            if (withDayLimit)
                QCOMPARE(snapshot.requestsInDay, inDay());
            QCOMPARE(snapshot.queuedInteractive, std::int64_t(queued[0].size()));
            QCOMPARE(snapshot.queuedBatch, std::int64_t(queued[1].size()));
            const auto &front = !queued[0].empty() ? queued[0] : queued[1];
            if (!front.empty()) {
                QVERIFY2(!oracleFits(front.front().tokens), "the first in line waits with room");
                QVERIFY(gate.nextRelease().has_value());
                QVERIFY(*gate.nextRelease() > clock.now());
            }
        }
        // Reserved, settled and compensated sums agree with what is booked.
        std::int64_t liveTokens = 0;
        for (const auto &[ticket, b] : bookings)
            liveTokens += b.live ? b.tokens : 0;
        QCOMPARE(reservedTotal + settledDelta - compensatedTotal, liveTokens);
        QVERIFY(bookings.size() > 300); // the workload did real work
        if (changeLimits) {
            // The run went through raised, lowered and both window changes.
            QVERIFY(limitChanges > 50);
        }
        // No polling: every shot of the timer is some entry leaving the
        // window or a pause ending.
        QVERIFY(
            clock.firedCount() <= std::int64_t(bookings.size()) * (withDayLimit ? 2 : 1) + pauses);
    }
};

QTEST_APPLESS_MAIN(TestRateGate)
#include "tst_rategate.moc"
