#include "core/budget.h"

#include <QTest>

#include <random>

using namespace sluice;

namespace {

constexpr PicoAmount kCent = kPicoPerUnit / 100;

PicoAmount cents(std::int64_t n)
{
    return n * kCent;
}

} // namespace

class TestBudget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void capStopsReservationOnTheEstimate()
    {
        Budget budget(cents(100));
        const auto first = budget.tryReserve(cents(60));
        QVERIFY(first.granted());
        // 60 + 50 would overshoot: refused before anything is sent.
        const auto second = budget.tryReserve(cents(50));
        QVERIFY(!second.granted());
        QCOMPARE(second.refusal, Budget::Refusal::OverCap);
        QCOMPARE(second.reason,
            u"budget reached: spent $0.00 + reserved $0.60 of $1.00; the next "
            "request is estimated at $0.50"_qs);
        QCOMPARE(budget.reserved(), cents(60));
        // Exactly up to the cap is allowed.
        const auto third = budget.tryReserve(cents(40));
        QVERIFY(third.granted());
        QCOMPARE(*budget.remaining(), 0);
        QVERIFY(budget.exhausted());
        QVERIFY(!budget.tryReserve(1).granted());
        QVERIFY(budget.spent() + budget.reserved() <= *budget.cap());
    }

    void settleReplacesTheEstimate()
    {
        Budget budget(cents(100));
        const auto a = budget.tryReserve(cents(60));
        const auto b = budget.tryReserve(cents(40));
        QVERIFY(budget.settle(*a.handle, cents(30)));
        QCOMPARE(budget.spent(), cents(30));
        QCOMPARE(budget.reserved(), cents(40));
        QCOMPARE(*budget.remaining(), cents(30));
        QVERIFY(!budget.exhausted());
        QCOMPARE(budget.summary(), u"spent $0.30 + reserved $0.40 of $1.00"_qs);
        QVERIFY(budget.tryReserve(cents(30)).granted());
        QVERIFY(budget.settle(*b.handle, cents(40)));
        QCOMPARE(budget.spent(), cents(70));
        QCOMPARE(budget.reserved(), cents(30));
        QCOMPARE(budget.outstanding(), 1);
    }

    // A raised cap lets a run paused at the old one go on; what is spent and
    // reserved stays counted, and a reservation still held settles as usual.
    void capChangesKeepWhatIsSpentAndReserved()
    {
        Budget budget(cents(100));
        const auto a = budget.tryReserve(cents(60));
        QVERIFY(budget.settle(*a.handle, cents(50)));
        const auto b = budget.tryReserve(cents(40));
        QVERIFY(!budget.tryReserve(cents(20)).granted());
        budget.setCap(cents(150));
        QCOMPARE(*budget.remaining(), cents(60));
        QVERIFY(budget.tryReserve(cents(20)).granted());
        QVERIFY(budget.settle(*b.handle, cents(30)));
        QCOMPARE(budget.spent(), cents(80));
        budget.setCap(cents(90)); // lower than spent + reserved: nothing new fits
        QVERIFY(budget.exhausted());
        QVERIFY(!budget.tryReserve(1).granted());
        budget.setCap(std::nullopt);
        QVERIFY(!budget.remaining());
        QVERIFY(budget.tryReserve(cents(500)).granted());
    }

    void releaseGivesTheReservationBack()
    {
        Budget budget(cents(100));
        const auto a = budget.tryReserve(cents(100));
        QVERIFY(!budget.tryReserve(cents(1)).granted());
        QVERIFY(budget.release(*a.handle));
        QCOMPARE(budget.reserved(), 0);
        QCOMPARE(budget.spent(), 0);
        QCOMPARE(*budget.remaining(), cents(100));
        QVERIFY(budget.tryReserve(cents(1)).granted());
    }

    void handlesWorkOnce()
    {
        Budget budget(cents(100));
        const auto a = budget.tryReserve(cents(10));
        const auto b = budget.tryReserve(cents(10));
        QVERIFY(*a.handle != *b.handle);
        QVERIFY(budget.release(*a.handle));
        QVERIFY(!budget.release(*a.handle));
        QVERIFY(!budget.settle(*a.handle, cents(5)));
        QVERIFY(budget.settle(*b.handle, cents(5)));
        QVERIFY(!budget.settle(*b.handle, cents(5)));
        QVERIFY(!budget.release(Budget::Handle {}));
        QCOMPARE(budget.spent(), cents(5));
        QCOMPARE(budget.reserved(), 0);
    }

    void unknownEstimateIsRefusedUnderACap()
    {
        Budget budget(cents(100));
        const auto r = budget.tryReserve(std::nullopt);
        QVERIFY(!r.granted());
        QCOMPARE(r.refusal, Budget::Refusal::UnknownCost);
        QVERIFY(r.reason.contains(u"cost is unknown"_qs));
        QCOMPARE(budget.reserved(), 0);
    }

    void pricedEstimates()
    {
        const PriceBookLoad loaded = PriceBook::builtin();
        QVERIFY(loaded.book);
        TokenUsage estimate;
        estimate.input = 1'000'000;
        estimate.output = 100'000;
        Budget budget(cents(100));
        // sim-small: 1M input at $0.10 + 100k output at $0.40 per million.
        const auto known = budget.tryReserve(computeCost(*loaded.book, u"sim-small"_qs, estimate));
        QVERIFY(known.granted());
        QCOMPARE(budget.reserved(), cents(14));

        const auto unknown = budget.tryReserve(computeCost(*loaded.book, u"mystery"_qs, estimate));
        QCOMPARE(unknown.refusal, Budget::Refusal::UnknownCost);
        QCOMPARE(unknown.reason,
            u"budget: the request's cost is unknown, so it cannot be kept under the cap of "
            "$1.00: model 'mystery' is not in price table 2026-11-30"_qs);

        Budget euros(cents(100), 1, u"EUR"_qs);
        const auto other = euros.tryReserve(computeCost(*loaded.book, u"sim-small"_qs, estimate));
        QCOMPARE(other.refusal, Budget::Refusal::Currency);
        QCOMPARE(euros.reserved(), 0);
    }

    void unknownActualIsChargedAtTheEstimate()
    {
        Budget budget(cents(100));
        const auto a = budget.tryReserve(cents(20));
        QVERIFY(budget.settle(*a.handle, std::nullopt));
        QCOMPARE(budget.spent(), cents(20));
        QCOMPARE(budget.unpricedSettlements(), 1);
    }

    void negativeEstimateIsRefused()
    {
        Budget budget;
        QCOMPARE(budget.tryReserve(-1).refusal, Budget::Refusal::Negative);
    }

    void withoutACapEverythingPasses()
    {
        Budget budget;
        QVERIFY(!budget.cap());
        QVERIFY(!budget.remaining());
        const auto known = budget.tryReserve(cents(1'000'000));
        const auto unknown = budget.tryReserve(std::nullopt);
        QVERIFY(known.granted());
        QVERIFY(unknown.granted());
        QVERIFY(budget.settle(*known.handle, cents(3)));
        QVERIFY(budget.settle(*unknown.handle, std::nullopt));
        QCOMPARE(budget.spent(), cents(3));
        QCOMPARE(budget.unpricedSettlements(), 1);
        QVERIFY(!budget.exhausted());
        QCOMPARE(budget.summary(), u"spent $0.03 + reserved $0.00"_qs);
    }

    void overrunIsRecordedNotHidden()
    {
        // The estimate was too low: the money is spent, the run pauses.
        Budget budget(cents(100));
        const auto a = budget.tryReserve(cents(90));
        QVERIFY(budget.settle(*a.handle, cents(120)));
        QCOMPARE(budget.spent(), cents(120));
        QCOMPARE(*budget.remaining(), 0);
        QVERIFY(budget.exhausted());
        QVERIFY(!budget.tryReserve(1).granted());
    }

    void exhaustedBelowTheMinimalRequest()
    {
        Budget budget(cents(100), cents(10));
        const auto a = budget.tryReserve(cents(91));
        QVERIFY(budget.exhausted()); // 9 cents left, a request costs at least 10
        QVERIFY(budget.release(*a.handle));
        QVERIFY(!budget.exhausted());
    }

    void interleavingsKeepTheBooks()
    {
        // Random reserve / settle / release in any order, checked against a
        // plain model of the rules after every step.
        std::mt19937_64 random(20261130);
        const PicoAmount cap = cents(2'000);
        Budget budget(cap);
        QHash<std::uint64_t, PicoAmount> open;
        PicoAmount spent = 0;
        int granted = 0;
        int refused = 0;
        for (int step = 0; step < 20'000; ++step) {
            const auto choice = random() % 3;
            if (choice == 0 || open.isEmpty()) {
                const PicoAmount estimate = PicoAmount(random() % 40'000) * (kCent / 1'000);
                PicoAmount reservedNow = 0;
                for (const PicoAmount amount : std::as_const(open))
                    reservedNow += amount;
                const bool fits = spent + reservedNow + estimate <= cap;
                const auto r = budget.tryReserve(estimate);
                QCOMPARE(r.granted(), fits);
                if (r.granted()) {
                    open.insert(r.handle->id, estimate);
                    ++granted;
                } else {
                    QCOMPARE(r.refusal, Budget::Refusal::OverCap);
                    ++refused;
                }
            } else {
                const auto it = std::next(open.begin(), qsizetype(random() % open.size()));
                const Budget::Handle handle {it.key()};
                if (choice == 1) {
                    // Actual costs stay under the estimate (which counts the
                    // whole max output), mostly far under.
                    const PicoAmount actual
                        = PicoAmount(random() % std::uint64_t(it.value() / 20 + 1));
                    QVERIFY(budget.settle(handle, actual));
                    spent += actual;
                } else {
                    QVERIFY(budget.release(handle));
                }
                open.erase(it);
            }
            PicoAmount reservedNow = 0;
            for (const PicoAmount amount : std::as_const(open))
                reservedNow += amount;
            QCOMPARE(budget.spent(), spent);
            QCOMPARE(budget.reserved(), reservedNow);
            QCOMPARE(budget.outstanding(), int(open.size()));
            QVERIFY(budget.spent() + budget.reserved() <= cap);
            QCOMPARE(*budget.remaining(), cap - spent - reservedNow);
        }
        QVERIFY(granted > 1000);
        QVERIFY(refused > 100);
    }
};

QTEST_APPLESS_MAIN(TestBudget)
#include "tst_budget.moc"
