#include "core/cost.h"

#include <QTest>

using namespace sluice;

namespace {

// Prices chosen so that every term of the formula is visible on its own.
const QByteArray kTable = R"({
  "version": "2026-01-31", "currency": "USD",
  "models": {
    "reasoner": {"input_per_mtok": 1.25, "cached_input_per_mtok": 0.125,
                 "output_per_mtok": 10, "batch_discount": 0.5},
    "cacher": {"input_per_mtok": 3, "cached_input_per_mtok": 0.3, "cache_write_per_mtok": 3.75,
               "output_per_mtok": 15, "batch_discount": 0.5,
               "long_context": {"threshold_input_tokens": 200000, "input_per_mtok": 6,
                                "cached_input_per_mtok": 0.6, "cache_write_per_mtok": 7.5,
                                "output_per_mtok": 22.5}},
    "plain": {"input_per_mtok": 0.000001, "output_per_mtok": 2,
              "long_context": {"threshold_input_tokens": 10, "input_per_mtok": 4,
                               "output_per_mtok": 8}}
  }
})";

PriceBook table()
{
    PriceBookLoad loaded = PriceBook::fromJson(kTable, u"test"_qs);
    if (!loaded.book)
        qFatal("test table: %s", qPrintable(loaded.errors.join(u'\n')));
    return *loaded.book;
}

TokenUsage usage(std::int64_t input, std::int64_t cached, std::int64_t cacheWrite,
    std::int64_t output, std::int64_t reasoning = 0)
{
    TokenUsage u;
    u.input = input;
    u.cached = cached;
    u.cacheWrite = cacheWrite;
    u.output = output;
    u.reasoning = reasoning;
    return u;
}

} // namespace

class TestCost : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cachedAndReasoningTokensCostExactlyTheFormula()
    {
        // 1000 input of which 400 cached; 500 output of which 300 reasoning.
        const Cost cost = computeCost(table(), u"reasoner"_qs, usage(1000, 400, 0, 500, 300));
        QVERIFY(cost.known());
        // (1000 - 400) * 1.25 + 400 * 0.125 + 500 * 10, per million tokens.
        const PicoAmount formula = 600LL * 1'250'000 + 400LL * 125'000 + 500LL * 10'000'000;
        QCOMPARE(*cost.pico, formula);
        QCOMPARE(*cost.pico, PicoAmount(5'800'000'000));
        QCOMPARE(*cost.amount(), 0.0058);
        QCOMPARE(cost.tableVersion, u"2026-01-31"_qs);
        QCOMPARE(cost.currency, u"USD"_qs);
        QCOMPARE(cost.pricedAs, u"reasoner"_qs);
        QVERIFY(!cost.longContext);
        QVERIFY(!cost.batch);
        QVERIFY(cost.unknownReason.isEmpty());
    }

    void reasoningIsNeverAddedAgain()
    {
        const Cost with = computeCost(table(), u"reasoner"_qs, usage(1000, 400, 0, 500, 300));
        const Cost without = computeCost(table(), u"reasoner"_qs, usage(1000, 400, 0, 500, 0));
        QCOMPARE(*with.pico, *without.pico);
    }

    void cacheWritesAreBilledOnTheirOwn()
    {
        // Anthropic's input_tokens 2000 + cache_read 8000, normalised to
        // input 10000 with cached 8000; 1500 tokens written to the cache.
        const Cost cost = computeCost(table(), u"cacher"_qs, usage(10'000, 8'000, 1'500, 100));
        const PicoAmount formula
            = 2'000LL * 3'000'000 + 8'000LL * 300'000 + 1'500LL * 3'750'000 + 100LL * 15'000'000;
        QCOMPARE(*cost.pico, formula);
    }

    void unknownModelIsNull()
    {
        const Cost cost = computeCost(table(), u"mystery-model"_qs, usage(1000, 0, 0, 10));
        QVERIFY(!cost.known());
        QVERIFY(!cost.pico);
        QVERIFY(!cost.amount());
        QCOMPARE(cost.tableVersion, u"2026-01-31"_qs);
        QCOMPARE(cost.unknownReason, u"model 'mystery-model' is not in price table 2026-01-31"_qs);
    }

    void datedSnapshotIsPricedAsItsFamily()
    {
        const Cost cost = computeCost(table(), u"reasoner-2025-08-07"_qs, usage(1000, 0, 0, 0));
        QVERIFY(cost.known());
        QCOMPARE(cost.pricedAs, u"reasoner"_qs);
        QCOMPARE(*cost.pico, PicoAmount(1000) * 1'250'000);
        QVERIFY(!computeCost(table(), u"reasoner-pro"_qs, usage(1000, 0, 0, 0)).known());
    }

    void builtinTablePricesDatedSnapshots()
    {
        const PriceBookLoad loaded = PriceBook::builtin();
        QVERIFY(loaded.book);
        const Cost cost
            = computeCost(*loaded.book, u"gpt-5-mini-2025-08-07"_qs, usage(1'000'000, 0, 0, 0));
        QCOMPARE(cost.pricedAs, u"gpt-5-mini"_qs);
        QCOMPARE(cost.tableVersion, u"2026-11-30"_qs);
        QCOMPARE(*cost.pico, PicoAmount(250'000) * 1'000'000); // $0.25 per million
    }

    void longContext_data()
    {
        QTest::addColumn<qlonglong>("input");
        QTest::addColumn<qlonglong>("cacheWrite");
        QTest::addColumn<bool>("longContext");
        QTest::newRow("at the threshold") << 200'000LL << 0LL << false;
        QTest::newRow("above it") << 200'001LL << 0LL << true;
        QTest::newRow("cache writes count toward it") << 199'000LL << 1'001LL << true;
    }

    void longContext()
    {
        QFETCH(qlonglong, input);
        QFETCH(qlonglong, cacheWrite);
        QFETCH(bool, longContext);
        const Cost cost = computeCost(table(), u"cacher"_qs, usage(input, 1'000, cacheWrite, 100));
        QCOMPARE(cost.longContext, longContext);
        const PicoAmount formula = longContext ? (input - 1'000) * 6'000'000 + 1'000LL * 600'000
                + cacheWrite * 7'500'000 + 100LL * 22'500'000
                                               : (input - 1'000) * 3'000'000 + 1'000LL * 300'000
                + cacheWrite * 3'750'000 + 100LL * 15'000'000;
        QCOMPARE(*cost.pico, formula);
    }

    void longContextWithoutCachedPriceIsUnknown()
    {
        QVERIFY(computeCost(table(), u"plain"_qs, usage(5, 0, 0, 1)).known());
        QVERIFY(computeCost(table(), u"plain"_qs, usage(11, 0, 0, 1)).known());
        const Cost cost = computeCost(table(), u"plain"_qs, usage(11, 3, 0, 1));
        QVERIFY(!cost.known());
        QVERIFY(cost.longContext);
        QCOMPARE(cost.unknownReason,
            u"plain has no long-context cached input price and 3 input tokens were cached"_qs);
    }

    void batchDiscount()
    {
        const TokenUsage u = usage(1000, 400, 0, 500, 300);
        const Cost batch = computeCost(table(), u"reasoner"_qs, u, CostOptions {true});
        QVERIFY(batch.batch);
        QCOMPARE(*batch.pico, PicoAmount(2'900'000'000));
        // Rounded to the nearest pico-unit: 3 * 0.000001 $/Mtok at half price.
        PriceBookLoad odd = PriceBook::fromJson(R"({"version": "2026-01-31", "currency": "USD",
            "models": {"tiny": {"input_per_mtok": 0.000001, "output_per_mtok": 0,
                                "batch_discount": 0.5}}})",
            u"test"_qs);
        QVERIFY(odd.book);
        QCOMPARE(*computeCost(*odd.book, u"tiny"_qs, usage(3, 0, 0, 0), CostOptions {true}).pico,
            PicoAmount(2));
    }

    void batchWithoutDiscountIsUnknown()
    {
        const Cost cost = computeCost(table(), u"plain"_qs, usage(5, 0, 0, 1), CostOptions {true});
        QVERIFY(!cost.known());
        QCOMPARE(cost.unknownReason, u"plain has no batch discount in the table"_qs);
    }

    void unpricedTokenClassIsUnknownOnlyWhenUsed()
    {
        QVERIFY(computeCost(table(), u"reasoner"_qs, usage(10, 0, 0, 1)).known());
        const Cost cost = computeCost(table(), u"reasoner"_qs, usage(10, 0, 4, 1));
        QVERIFY(!cost.known());
        QCOMPARE(cost.unknownReason,
            u"reasoner has no cache write price and 4 tokens were written to the cache"_qs);
    }

    void inconsistentUsageIsUnknown()
    {
        QVERIFY(!computeCost(table(), u"reasoner"_qs, usage(10, 11, 0, 1)).known());
        QVERIFY(!computeCost(table(), u"reasoner"_qs, usage(-1, 0, 0, 1)).known());
    }

    void overflowIsUnknown()
    {
        const Cost cost = computeCost(
            table(), u"reasoner"_qs, usage(std::numeric_limits<std::int64_t>::max(), 0, 0, 0));
        QVERIFY(!cost.known());
    }

    void money()
    {
        QCOMPARE(formatMoney(5'800'000'000, u"USD"_qs), u"$0.0058"_qs);
        QCOMPARE(formatMoney(0, u"USD"_qs), u"$0.00"_qs);
        QCOMPARE(formatMoney(picoFromUnits(1.5), u"USD"_qs), u"$1.50"_qs);
        QCOMPARE(formatMoney(picoFromUnits(12.345678), u"EUR"_qs), u"EUR 12.345678"_qs);
        QCOMPARE(formatMoney(-picoFromUnits(0.25), u"USD"_qs), u"-$0.25"_qs);
        QCOMPARE(picoFromUnits(5.0), PicoAmount(5) * kPicoPerUnit);
        QCOMPARE(unitsFromPico(kPicoPerUnit / 4), 0.25);
    }
};

QTEST_APPLESS_MAIN(TestCost)
#include "tst_cost.moc"
