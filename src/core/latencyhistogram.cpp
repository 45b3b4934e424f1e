#include "core/latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sluice {

int LatencyHistogram::bucketOf(std::int64_t micros)
{
    micros = std::clamp<std::int64_t>(micros, 0, (std::int64_t(1) << 37) - 1);
    if (micros < kLinear)
        return static_cast<int>(micros);
    const int exponent = std::bit_width(static_cast<std::uint64_t>(micros)) - 1; // >= 6
    const int shift = exponent - 5;
    return kLinear + (exponent - 6) * kSubBuckets
        + static_cast<int>((micros >> shift) - kSubBuckets);
}

double LatencyHistogram::midpointOf(int bucket)
{
    if (bucket < kLinear)
        return bucket;
    const int octave = (bucket - kLinear) / kSubBuckets;
    const int sub = (bucket - kLinear) % kSubBuckets;
    const auto width = double(std::int64_t(1) << (octave + 1));
    const double low = (kSubBuckets + sub) * width;
    return low + width / 2;
}

void LatencyHistogram::record(Duration value)
{
    add(value, +1);
}

void LatencyHistogram::remove(Duration value)
{
    add(value, -1);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    for (int i = 0; i < kBuckets; ++i)
        m_buckets[std::size_t(i)] += other.m_buckets[std::size_t(i)];
    for (std::size_t g = 0; g < m_groups.size(); ++g)
        m_groups[g] += other.m_groups[g];
    m_count += other.m_count;
    m_sumMicros += other.m_sumMicros;
}

void LatencyHistogram::add(Duration value, int delta)
{
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(value).count();
    const int bucket = bucketOf(micros);
    m_buckets[bucket] += delta;
    m_groups[bucket / kSubBuckets] += delta;
    m_count += delta;
    m_sumMicros += delta * static_cast<double>(std::max<std::int64_t>(0, micros));
}

std::int64_t LatencyHistogram::rankOf(double q) const
{
    // The smallest value with at least ceil(q * count) samples at or below it.
    return std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * m_count)), 1, m_count);
}

void LatencyHistogram::walkTo(std::int64_t rank, int &bucket, std::int64_t &seen) const
{
    // `seen` counts the samples below `bucket`; whole groups are skipped
    // when the walk stands at the start of one.
    for (;;) {
        const int group = bucket / kSubBuckets;
        if (bucket % kSubBuckets == 0 && seen + m_groups[group] < rank) {
            seen += m_groups[group];
            bucket += kSubBuckets;
        } else if (seen + m_buckets[bucket] < rank) {
            seen += m_buckets[bucket++];
        } else {
            return;
        }
    }
}

double LatencyHistogram::quantileMicroseconds(double q) const
{
    if (m_count <= 0)
        return 0;
    int bucket = 0;
    std::int64_t seen = 0;
    walkTo(rankOf(q), bucket, seen);
    return midpointOf(bucket);
}

LatencyHistogram::Summary LatencyHistogram::summary() const
{
    Summary s;
    s.count = m_count;
    if (m_count <= 0)
        return s;
    s.meanMs = m_sumMicros / m_count / 1000.0;
    // One walk over the buckets for all five quantiles, in ascending order.
    int bucket = 0;
    std::int64_t seen = 0;
    for (auto [q, into] : {std::pair {0.50, &s.p50Ms}, std::pair {0.90, &s.p90Ms},
             std::pair {0.95, &s.p95Ms}, std::pair {0.99, &s.p99Ms}, std::pair {1.0, &s.maxMs}}) {
        walkTo(rankOf(q), bucket, seen);
        *into = midpointOf(bucket) / 1000.0;
    }
    return s;
}

} // namespace sluice
