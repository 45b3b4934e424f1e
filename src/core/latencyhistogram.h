#pragma once

#include "core/clock.h"

#include <array>
#include <cstdint>

namespace sluice {

/// Percentiles of a latency distribution in fixed memory (about 9 KiB):
/// log-linear buckets in the manner of HdrHistogram, exact to 1 µs below
/// 64 µs, then 32 buckets per power of two (values within 1/32, about 3 %,
/// of the truth), up to 2^37 µs (38 hours; larger values count as that).
/// Samples can be removed again (compensation); all updates are O(1) and a
/// percentile costs about 60 steps, whatever the count.
class LatencyHistogram
{
public:
    struct Summary
    {
        std::int64_t count = 0;
        double meanMs = 0;
        double p50Ms = 0;
        double p90Ms = 0;
        double p95Ms = 0;
        double p99Ms = 0;
        double maxMs = 0; ///< to bucket precision, like the percentiles
    };

    void record(Duration value);
    /// Takes back one sample recorded with the same value.
    void remove(Duration value);
    /// Adds every sample of `other` (to sum up several keys).
    void merge(const LatencyHistogram &other);

    [[nodiscard]] std::int64_t count() const { return m_count; }
    /// The value at quantile `q` in [0, 1], in microseconds; 0 when empty.
    [[nodiscard]] double quantileMicroseconds(double q) const;
    [[nodiscard]] Summary summary() const;

private:
    static constexpr int kLinear = 64;     // 0..63 µs, one bucket each
    static constexpr int kSubBuckets = 32; // per power of two from 64 µs
    static constexpr int kOctaves = 31;    // 2^6 .. 2^37 µs
    static constexpr int kBuckets = kLinear + kOctaves * kSubBuckets;

    [[nodiscard]] static int bucketOf(std::int64_t micros);
    [[nodiscard]] static double midpointOf(int bucket);
    void add(Duration value, int delta);
    [[nodiscard]] std::int64_t rankOf(double q) const;
    void walkTo(std::int64_t rank, int &bucket, std::int64_t &seen) const;

    std::array<std::int64_t, kBuckets> m_buckets {};
    // Counts per group of 32 buckets, so a quantile skips whole groups.
    std::array<std::int64_t, kBuckets / kSubBuckets> m_groups {};
    std::int64_t m_count = 0;
    double m_sumMicros = 0;
};

} // namespace sluice
