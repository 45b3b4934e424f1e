#include "core/livemetrics.h"
#include "manualclock.h"

#include <QTest>

#include <algorithm>
#include <random>

using namespace sluice;
using namespace std::chrono_literals;
using test::ManualClock;

namespace {

const MetricsKey kKey {u"https://api.openai.com/v1"_qs, u"gpt-4.1-mini"_qs, u"summarise"_qs};
const MetricsKey kOther {u"https://api.openai.com/v1"_qs, u"gpt-4.1"_qs, u"summarise"_qs};

TokenUsage usage(
    std::int64_t input, std::int64_t cached, std::int64_t output, std::int64_t reasoning)
{
    TokenUsage u;
    u.input = input;
    u.cached = cached;
    u.output = output;
    u.reasoning = reasoning;
    return u;
}

std::int64_t sumSent(const std::vector<MetricsPoint> &points)
{
    std::int64_t sum = 0;
    for (const MetricsPoint &p : points)
        sum += p.sent;
    return sum;
}

} // namespace

class TestLiveMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- the histogram ---------------------------------------------------

    void histogramIsExactForSmallValues()
    {
        LatencyHistogram h;
        for (int us = 1; us <= 50; ++us)
            h.record(std::chrono::microseconds(us));
        QCOMPARE(h.quantileMicroseconds(0.5), 25.0);
        QCOMPARE(h.quantileMicroseconds(1.0), 50.0);
        QCOMPARE(h.quantileMicroseconds(0.0), 1.0);
    }

    void histogramPercentilesWithinThreePercent()
    {
        std::mt19937_64 random(11);
        std::lognormal_distribution<double> millis(6.0, 1.0); // ~400 ms median, long tail
        std::vector<double> exact;
        LatencyHistogram h;
        for (int i = 0; i < 100000; ++i) {
            const double ms = millis(random);
            const auto d = std::chrono::microseconds(std::int64_t(ms * 1000));
            exact.push_back(double(d.count()));
            h.record(d);
        }
        std::sort(exact.begin(), exact.end());
        for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
            const double truth = exact[std::size_t(std::ceil(q * exact.size())) - 1];
            const double estimate = h.quantileMicroseconds(q);
            QVERIFY2(std::abs(estimate - truth) <= truth * 0.032,
                qPrintable(QStringLiteral("q %1: %2 vs %3").arg(q).arg(estimate).arg(truth)));
        }
        const auto summary = h.summary();
        QCOMPARE(summary.count, 100000);
        QVERIFY(summary.p50Ms < summary.p90Ms && summary.p90Ms < summary.p95Ms
            && summary.p95Ms < summary.p99Ms && summary.p99Ms <= summary.maxMs);
        // Memory does not grow with the samples.
        QVERIFY(sizeof(LatencyHistogram) < 10 * 1024);
    }

    void histogramRemoveUndoesRecord()
    {
        LatencyHistogram h;
        h.record(10ms);
        h.record(20ms);
        h.record(5s);
        QVERIFY(h.quantileMicroseconds(1.0) > 4.8e6);
        h.remove(5s);
        QCOMPARE(h.count(), 2);
        QVERIFY(h.quantileMicroseconds(1.0) < 20.7e3);
        QVERIFY(h.summary().meanMs > 14.9 && h.summary().meanMs < 15.1);
        // Beyond the range: clamped into the last bucket, not lost.
        h.record(std::chrono::hours(100));
        QCOMPARE(h.count(), 3);
        QVERIFY(h.quantileMicroseconds(1.0) > 1.3e11);
    }

    // --- counters --------------------------------------------------------

    void countsTokensCostAndFailuresByClass()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        metrics.recordSent(kKey, 0ms);
        metrics.recordSent(kKey, 0ms);
        metrics.recordSent(kKey, 0ms);
        metrics.recordReceived(kKey, usage(1000, 200, 300, 100), 0.0125, 800ms, 150ms);
        metrics.recordReceived(kKey, usage(10, 0, 5, 0), std::nullopt, 400ms, std::nullopt);
        metrics.recordFailed(kKey, ErrorClass::RateLimited);
        metrics.recordSent(kOther, 0ms);
        metrics.recordFailed(kOther, ErrorClass::Server);

        const MetricsSnapshot s = metrics.snapshot(kKey);
        QCOMPARE(s.sent, 3);
        QCOMPARE(s.received, 2);
        QCOMPARE(s.failed, 1);
        QCOMPARE(s.failedWith(ErrorClass::RateLimited), 1);
        QCOMPARE(s.failedWith(ErrorClass::Server), 0);
        QCOMPARE(s.tokens, usage(1010, 200, 305, 100));
        QCOMPARE(s.costUsd, 0.0125);
        QCOMPARE(s.receivedWithUnknownCost, 1);
        QCOMPARE(s.latency.count, 2);
        QCOMPARE(s.timeToFirstToken.count, 1);
        QVERIFY(qAbs(s.timeToFirstToken.p50Ms - 150) < 150 * 0.032);

        QCOMPARE(metrics.snapshot(kOther).failedWith(ErrorClass::Server), 1);
        QCOMPARE(metrics.keys().size(), 2);
        QCOMPARE(metrics.snapshot(MetricsKey {}).sent, 0); // never seen
    }

    void totalSumsEveryKey()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        metrics.setLimits(kKey, 100, 1000);
        metrics.recordSent(kKey, 10ms);
        metrics.recordSent(kOther, 20ms);
        metrics.recordReceived(kKey, usage(100, 10, 50, 5), 0.5, 100ms, std::nullopt);
        metrics.recordReceived(kOther, usage(200, 0, 60, 0), std::nullopt, 300ms, 30ms);
        metrics.recordFailed(kOther, ErrorClass::Timeout);
        const MetricsSnapshot all = metrics.total();
        QCOMPARE(all.sent, 2);
        QCOMPARE(all.received, 2);
        QCOMPARE(all.failedWith(ErrorClass::Timeout), 1);
        QCOMPARE(all.tokens, usage(300, 10, 110, 5));
        QCOMPARE(all.costUsd, 0.5);
        QCOMPARE(all.receivedWithUnknownCost, 1);
        QCOMPARE(all.latency.count, 2);
        QVERIFY(qAbs(all.latency.maxMs - 300) < 300 * 0.032);
        QCOMPARE(all.queueWait.count, 2);
        QCOMPARE(all.timeToFirstToken.count, 1);
        QCOMPARE(all.requestsPerMinute, 2.0);
        QCOMPARE(all.tokensPerMinute, 410.0);
        QVERIFY(!all.requestLimitPerMinute);
    }

    void queueWaitIsKeptApartFromLatency()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        metrics.recordSent(kKey, 30s);
        metrics.recordReceived(kKey, {}, 0.0, 200ms, std::nullopt);
        const MetricsSnapshot s = metrics.snapshot(kKey);
        QVERIFY(qAbs(s.queueWait.p50Ms - 30000) < 30000 * 0.032);
        QVERIFY(qAbs(s.latency.p50Ms - 200) < 200 * 0.032);
        QCOMPARE(s.latency.count, 1);
        QCOMPARE(s.queueWait.count, 1);
    }

    void ratesOverTheLastMinute()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        metrics.setLimits(kKey, 500, 200000);
        for (int i = 0; i < 30; ++i) {
            metrics.recordSent(kKey, 0ms);
            metrics.recordReceived(kKey, usage(100, 0, 50, 0), 0.0, 1s, std::nullopt);
            clock.advance(1s);
        }
        // At 30 s every send is within the last minute.
        MetricsSnapshot s = metrics.snapshot(kKey);
        QCOMPARE(s.requestsPerMinute, 30.0);
        QCOMPARE(s.tokensPerMinute, 30.0 * 150);
        QCOMPARE(s.requestLimitPerMinute, std::optional<std::int64_t>(500));
        // At 65 s the sends of seconds 0..5 have left the minute.
        clock.advance(35s);
        s = metrics.snapshot(kKey);
        QCOMPARE(s.requestsPerMinute, 24.0);
        QCOMPARE(s.sent, 30); // totals keep everything
    }

    // --- compensation ----------------------------------------------------

    void compensationOfASendAndAReceive()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        std::vector<MetricsRecord> sends;
        for (int i = 0; i < 10; ++i) {
            sends.push_back(metrics.recordSent(kKey, std::chrono::seconds(i)));
            clock.advance(100ms);
        }
        MetricsRecord answer
            = metrics.recordReceived(kKey, usage(500, 0, 100, 0), 0.002, 3s, 500ms);
        // Take back a send from the middle and the answer.
        QVERIFY(metrics.compensate(sends[4]));
        QVERIFY(!metrics.compensate(sends[4])); // exactly once
        QVERIFY(!sends[4].isValid());
        QVERIFY(metrics.compensate(answer));

        const MetricsSnapshot s = metrics.snapshot(kKey);
        QCOMPARE(s.sent, 9);
        QCOMPARE(s.received, 0);
        QCOMPARE(s.tokens, TokenUsage {});
        QCOMPARE(s.costUsd, 0.0);
        QCOMPARE(s.latency.count, 0);
        QCOMPARE(s.timeToFirstToken.count, 0);
        QCOMPARE(s.queueWait.count, 9);
        QCOMPARE(s.requestsPerMinute, 9.0);
        QCOMPARE(sumSent(metrics.perSecond(kKey)), 9);
        QCOMPARE(sumSent(metrics.perMinute(kKey)), 9);
        QVERIFY(!metrics.compensate(answer));
    }

    void compensationAfterTheSecondHasRolledOver()
    {
        ManualClock clock;
        LiveMetrics metrics(clock, MetricsRetention {120, 60});
        MetricsRecord early = metrics.recordSent(kKey, 0ms);
        clock.advance(120s); // the same per-second slot, now another second
        metrics.recordSent(kKey, 0ms);
        QVERIFY(metrics.compensate(early));
        const MetricsSnapshot s = metrics.snapshot(kKey);
        QCOMPARE(s.sent, 1);
        // The newer second's bucket is untouched; the minute bucket of the
        // early send went back to zero.
        const auto seconds = metrics.perSecond(kKey);
        QCOMPARE(seconds.back().sent, 1);
        QCOMPARE(sumSent(seconds), 1);
        const auto minutes = metrics.perMinute(kKey);
        QCOMPARE(minutes.back().sent, 1);
        QCOMPARE(minutes[minutes.size() - 3].sent, 0);
        QCOMPARE(sumSent(minutes), 1);
    }

    // --- charts ------------------------------------------------------------

    void perMinuteRollupOverHoursInBoundedMemory()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        std::mt19937_64 random(5);
        std::vector<std::int64_t> perMinuteTruth(4 * 60, 0);
        const TimePoint start = clock.now();
        for (int i = 0; i < 20000; ++i) {
            clock.advance(std::chrono::milliseconds(random() % 1400)); // ~3.9 hours
            metrics.recordSent(kKey, 0ms);
            const auto minute = std::chrono::floor<std::chrono::minutes>(clock.now() - start);
            ++perMinuteTruth[std::size_t(minute.count())];
        }
        const auto seconds = metrics.perSecond(kKey);
        const auto minutes = metrics.perMinute(kKey);
        QCOMPARE(seconds.size(), std::size_t(120));
        QCOMPARE(minutes.size(), std::size_t(24 * 60));
        const auto currentMinute
            = std::chrono::floor<std::chrono::minutes>(clock.now() - start).count();
        // Minute by minute, the roll-up equals the truth.
        for (std::int64_t m = 0; m <= currentMinute; ++m)
            QCOMPARE(minutes[minutes.size() - 1 - std::size_t(currentMinute - m)].sent,
                perMinuteTruth[std::size_t(m)]);
        QCOMPARE(sumSent(minutes), 20000);
        QCOMPARE(minutes.back().start, start + std::chrono::minutes(currentMinute));
        // Seconds and minutes agree on the last full minute.
        std::int64_t lastMinuteFromSeconds = 0;
        for (const auto &p : seconds) {
            if (p.start >= start + std::chrono::minutes(currentMinute - 1)
                && p.start < start + std::chrono::minutes(currentMinute))
                lastMinuteFromSeconds += p.sent;
        }
        QCOMPARE(lastMinuteFromSeconds, minutes[minutes.size() - 2].sent);
    }

    void snapshotIsAPlainValue()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        metrics.recordSent(kKey, 0ms);
        const MetricsSnapshot before = metrics.snapshot(kKey);
        metrics.recordSent(kKey, 0ms);
        metrics.recordFailed(kKey, ErrorClass::Timeout);
        QCOMPARE(before.sent, 1);
        QCOMPARE(before.failed, 0);
        QCOMPARE(metrics.snapshot(kKey).sent, 2);
    }

    void randomRecordingsAndCompensationsAgree()
    {
        ManualClock clock;
        LiveMetrics metrics(clock);
        std::mt19937_64 random(99);
        std::vector<MetricsRecord> live;
        std::vector<int> liveKinds; // 0 sent, 1 received, 2 failed
        std::vector<std::int64_t> liveInputs;
        std::int64_t sent = 0, received = 0, failed = 0, input = 0;
        for (int i = 0; i < 20000; ++i) {
            const auto action = random() % 10;
            if (action < 3) {
                live.push_back(
                    metrics.recordSent(kKey, std::chrono::milliseconds(random() % 5000)));
                liveKinds.push_back(0);
                liveInputs.push_back(0);
                ++sent;
            } else if (action < 5) {
                const std::int64_t in = std::int64_t(random() % 1000);
                live.push_back(metrics.recordReceived(kKey, usage(in, 0, 10, 0), 0.001,
                    std::chrono::milliseconds(random() % 9000), std::nullopt));
                liveKinds.push_back(1);
                liveInputs.push_back(in);
                ++received;
                input += in;
            } else if (action < 6) {
                live.push_back(metrics.recordFailed(kKey, ErrorClass::Network));
                liveKinds.push_back(2);
                liveInputs.push_back(0);
                ++failed;
            } else if (action < 8 && !live.empty()) {
                const std::size_t index = random() % live.size();
                const int kind = liveKinds[index];
                input -= liveInputs[index];
                QVERIFY(metrics.compensate(live[index]));
                sent -= kind == 0;
                received -= kind == 1;
                failed -= kind == 2;
                live.erase(live.begin() + std::ptrdiff_t(index));
                liveInputs.erase(liveInputs.begin() + std::ptrdiff_t(index));
                liveKinds.erase(liveKinds.begin() + std::ptrdiff_t(index));
            } else {
                clock.advance(std::chrono::milliseconds(random() % 3000));
            }
        }
        const MetricsSnapshot s = metrics.snapshot(kKey);
        QCOMPARE(s.sent, sent);
        QCOMPARE(s.received, received);
        QCOMPARE(s.failed, failed);
        QCOMPARE(s.failedWith(ErrorClass::Network), failed);
        QCOMPARE(s.tokens.input, input);
        QCOMPARE(s.latency.count, received);
        QCOMPARE(s.queueWait.count, sent);
        QCOMPARE(sumSent(metrics.perMinute(kKey)), sent);
    }
};

QTEST_APPLESS_MAIN(TestLiveMetrics)
#include "tst_livemetrics.moc"
