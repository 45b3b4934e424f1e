#pragma once

#include "core/clock.h"
#include "core/errorclass.h"
#include "core/latencyhistogram.h"
#include "core/tokenusage.h"

#include <QHash>
#include <QList>
#include <QString>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace sluice {

/// Number of ErrorClass values (None included), to index arrays by class.
inline constexpr int kErrorClassCount = static_cast<int>(ErrorClass::Incomplete) + 1;

/// What live metrics are kept apart by: the endpoint (provider base URL or
/// name), the model and the operation name the user gave the prompt.
struct MetricsKey
{
    QString endpoint;
    QString model;
    QString operation;
    friend bool operator==(const MetricsKey &, const MetricsKey &) = default;
};
[[nodiscard]] size_t qHash(const MetricsKey &key, size_t seed = 0) noexcept;

/// One point of a chart: what happened in one second or one minute.
struct MetricsPoint
{
    TimePoint start {};
    std::int64_t sent = 0;
    std::int64_t received = 0;
    std::int64_t failed = 0;
    std::int64_t tokens = 0; ///< input + output of the answers received
    double costUsd = 0;
};

/// A consistent copy of one key's metrics (a plain value: safe to pass to
/// the GUI thread). Latencies are in milliseconds.
struct MetricsSnapshot
{
    std::int64_t sent = 0;     ///< attempts that left for the server
    std::int64_t received = 0; ///< answers that arrived (completed, refused or incomplete)
    std::int64_t failed = 0;   ///< attempts that ended in an error
    std::array<std::int64_t, kErrorClassCount> failedByClass {};
    TokenUsage tokens;                        ///< by class, OpenAI accounting
    double costUsd = 0;                       ///< of the answers whose price is known
    std::int64_t receivedWithUnknownCost = 0; ///< answers without a price
    LatencyHistogram::Summary latency;        ///< send to last byte, answers only
    LatencyHistogram::Summary timeToFirstToken;
    LatencyHistogram::Summary queueWait;               ///< time in gates, kept apart from latency
    double requestsPerMinute = 0;                      ///< sent over the last 60 s
    double tokensPerMinute = 0;                        ///< received over the last 60 s
    std::optional<std::int64_t> requestLimitPerMinute; ///< the gate's, beside the rate
    std::optional<std::int64_t> tokenLimitPerMinute;

    [[nodiscard]] std::int64_t failedWith(ErrorClass c) const
    {
        return failedByClass[static_cast<int>(c)];
    }
};

/// How much history the charts keep per key: per-second buckets for the
/// recent past, per-minute ones for hours. Memory is fixed per key.
struct MetricsRetention
{
    int seconds = 120;
    int minutes = 24 * 60;
};

/// What one recording booked, held by the request so that it can be taken
/// back exactly once (LiveMetrics::compensate clears it).
class MetricsRecord
{
public:
    [[nodiscard]] bool isValid() const { return m_kind != Kind::None; }

private:
    friend class LiveMetrics;
    enum class Kind : std::uint8_t { None, Sent, Received, Failed };
    Kind m_kind = Kind::None;
    ErrorClass m_errorClass = ErrorClass::None;
    int m_key = -1;
    std::int64_t m_second = 0;
    TokenUsage m_usage;
    std::optional<double> m_costUsd;
    Duration m_latency {};
    std::optional<Duration> m_timeToFirstToken;
};

/// Live counters, rates, charts and latency percentiles per MetricsKey.
/// Every event goes into its per-second and per-minute bucket at once (the
/// minute series is the roll-up), and into all-time totals; compensating a
/// recording subtracts it from wherever it still is, in O(1). Single-threaded
/// (the engine's); the UI reads snapshots at its own pace.
class LiveMetrics
{
public:
    explicit LiveMetrics(const Clock &clock, MetricsRetention retention = {});
    ~LiveMetrics();

    /// An attempt left for the server after `queueWait` in the gates.
    MetricsRecord recordSent(const MetricsKey &key, Duration queueWait);
    /// An answer arrived; `costUsd` is nullopt when no price is known.
    MetricsRecord recordReceived(const MetricsKey &key, const TokenUsage &usage,
        std::optional<double> costUsd, Duration latency, std::optional<Duration> timeToFirstToken);
    /// An attempt ended in an error of `errorClass`.
    MetricsRecord recordFailed(const MetricsKey &key, ErrorClass errorClass);
    /// Takes a recording back (the request never reached the server, or the
    /// run was rolled back). False, and nothing changes, if already taken back.
    bool compensate(MetricsRecord &record);

    /// The gate's limits shown beside the current rates.
    void setLimits(const MetricsKey &key, std::optional<std::int64_t> requestsPerMinute,
        std::optional<std::int64_t> tokensPerMinute);

    [[nodiscard]] QList<MetricsKey> keys() const;
    /// An empty snapshot for a key never seen.
    [[nodiscard]] MetricsSnapshot snapshot(const MetricsKey &key) const;
    /// All keys together (the run's totals); limits stay empty, as they
    /// belong to separate gates. Merges the histograms: a few µs per key.
    [[nodiscard]] MetricsSnapshot total() const;
    /// The last `retention.seconds` seconds, oldest first, the current one last.
    [[nodiscard]] std::vector<MetricsPoint> perSecond(const MetricsKey &key) const;
    /// The last `retention.minutes` minutes, oldest first, the current one last.
    [[nodiscard]] std::vector<MetricsPoint> perMinute(const MetricsKey &key) const;

private:
    struct Bucket
    {
        std::int64_t index = -1; // which second (or minute) the slot holds now
        std::int64_t sent = 0;
        std::int64_t received = 0;
        std::int64_t failed = 0;
        std::int64_t tokens = 0;
        double costUsd = 0;
    };
    struct PerKey;

    [[nodiscard]] std::int64_t secondNow() const;
    MetricsRecord start(MetricsRecord::Kind kind, const MetricsKey &key);
    int keyIndex(const MetricsKey &key);
    [[nodiscard]] const PerKey *find(const MetricsKey &key) const;
    void addRates(const PerKey &k, MetricsSnapshot &into) const;
    /// Applies `sign` x the record to the totals and to its buckets if still held.
    void apply(const MetricsRecord &record, int sign);
    [[nodiscard]] std::vector<MetricsPoint> series(
        const std::vector<Bucket> &ring, std::int64_t current, Duration step) const;

    const Clock &m_clock;
    MetricsRetention m_retention;
    TimePoint m_origin;
    QHash<MetricsKey, int> m_index;
    std::vector<std::unique_ptr<PerKey>> m_keys;
};

} // namespace sluice
