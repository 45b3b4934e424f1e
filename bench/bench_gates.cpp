// Gate and metrics costs with 10, 10k and 1M entries in the window: each
// operation should stay well under 1 µs and flat as the window grows.
#include "core/livemetrics.h"
#include "core/rategate.h"
#include "manualclock.h"

#include <benchmark/benchmark.h>
#include <random>

using namespace sluice;
using namespace std::chrono_literals;

namespace {

// A gate whose limits never bind, filled with `entries` reservations spread
// evenly over one window; each step moves time on by one spacing, so one
// entry expires for each one added and the window stays at `entries`.
struct FilledGate
{
    explicit FilledGate(std::int64_t entries)
        : spacing(Duration(60s) / entries), gate(clock, clock, limitsFor(entries))
    {
        for (std::int64_t i = 0; i < entries; ++i) {
            lastTicket = gate.reserve(100, Priority::Batch, {}).ticket;
            clock.advance(spacing);
        }
    }

    static RateLimits limitsFor(std::int64_t entries)
    {
        RateLimits limits;
        limits.requestsPerMinute = entries * 2;
        limits.tokensPerMinute = entries * 1000;
        return limits;
    }

    test::ManualClock clock;
    Duration spacing;
    RateGate gate;
    RateGate::Ticket lastTicket = 0;
};

void reserveAndSettle(benchmark::State &state)
{
    FilledGate f(state.range(0));
    for (auto _ : state) {
        f.clock.advance(f.spacing);
        const auto r = f.gate.reserve(100, Priority::Batch, {});
        benchmark::DoNotOptimize(f.gate.settle(r.ticket, 80));
    }
    state.counters["window"] = double(f.gate.snapshot().requestsInWindow);
    state.SetItemsProcessed(state.iterations());
}

void compensateRandomMiddleEntry(benchmark::State &state)
{
    // Each step: a new reservation, and a random one of the window taken
    // back (the pair is timed; a reserve alone is cheaper, see above).
    const std::int64_t entries = state.range(0);
    FilledGate f(entries);
    std::mt19937_64 random(1);
    std::uniform_int_distribution<std::int64_t> offset(0, entries - 1);
    for (auto _ : state) {
        f.clock.advance(f.spacing);
        f.lastTicket = f.gate.reserve(100, Priority::Batch, {}).ticket;
        benchmark::DoNotOptimize(f.gate.compensate(f.lastTicket - offset(random)));
    }
    state.counters["window"] = double(f.gate.snapshot().requestsInWindow);
    state.SetItemsProcessed(state.iterations());
}

void gateSnapshot(benchmark::State &state)
{
    FilledGate f(state.range(0));
    for (auto _ : state)
        benchmark::DoNotOptimize(f.gate.snapshot());
    state.SetItemsProcessed(state.iterations());
}

void metricsSnapshot(benchmark::State &state)
{
    // Metrics keep fixed buckets, so the number of recordings only fills
    // them; the snapshot reads 3 histograms and the last 60 seconds.
    test::ManualClock clock;
    LiveMetrics metrics(clock);
    const MetricsKey key {QStringLiteral("sim"), QStringLiteral("model"), QStringLiteral("op")};
    std::mt19937_64 random(2);
    const std::int64_t entries = state.range(0);
    const Duration spacing = Duration(60s) / entries;
    TokenUsage usage;
    usage.input = 500;
    usage.output = 100;
    for (std::int64_t i = 0; i < entries; ++i) {
        metrics.recordSent(key, std::chrono::microseconds(random() % 2'000'000));
        metrics.recordReceived(key, usage, 0.001, std::chrono::microseconds(random() % 9'000'000),
            std::chrono::microseconds(random() % 900'000));
        clock.advance(spacing);
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(metrics.snapshot(key));
    state.SetItemsProcessed(state.iterations());
}

void metricsRecordAndCompensate(benchmark::State &state)
{
    test::ManualClock clock;
    LiveMetrics metrics(clock);
    const MetricsKey key {QStringLiteral("sim"), QStringLiteral("model"), QStringLiteral("op")};
    TokenUsage usage;
    usage.input = 500;
    usage.output = 100;
    for (auto _ : state) {
        clock.advance(1ms);
        MetricsRecord sent = metrics.recordSent(key, 3ms);
        MetricsRecord received = metrics.recordReceived(key, usage, 0.001, 800ms, 200ms);
        benchmark::DoNotOptimize(metrics.compensate(received));
        benchmark::DoNotOptimize(sent);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(reserveAndSettle)->Arg(10)->Arg(10'000)->Arg(1'000'000);
BENCHMARK(compensateRandomMiddleEntry)->Arg(10)->Arg(10'000)->Arg(1'000'000);
BENCHMARK(gateSnapshot)->Arg(10)->Arg(10'000)->Arg(1'000'000);
BENCHMARK(metricsSnapshot)->Arg(10)->Arg(10'000)->Arg(1'000'000);
BENCHMARK(metricsRecordAndCompensate);

BENCHMARK_MAIN();
