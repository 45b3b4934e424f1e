#include "core/livemetrics.h"

#include <QHashFunctions>

namespace sluice {

namespace {

constexpr std::int64_t kSecondsPerMinute = 60;

} // namespace

size_t qHash(const MetricsKey &key, size_t seed) noexcept
{
    return qHashMulti(seed, key.endpoint, key.model, key.operation);
}

struct LiveMetrics::PerKey
{
    MetricsKey key;
    MetricsSnapshot totals; // counters and tokens; summaries filled on demand
    LatencyHistogram latency;
    LatencyHistogram timeToFirstToken;
    LatencyHistogram queueWait;
    std::vector<Bucket> seconds;
    std::vector<Bucket> minutes;
};

LiveMetrics::LiveMetrics(const Clock &clock, MetricsRetention retention)
    : m_clock(clock)
    , m_retention {std::max(60, retention.seconds), std::max(1, retention.minutes)}
    , m_origin(clock.now())
{ }

LiveMetrics::~LiveMetrics() = default;

MetricsRecord LiveMetrics::start(MetricsRecord::Kind kind, const MetricsKey &key)
{
    MetricsRecord record;
    record.m_kind = kind;
    record.m_key = keyIndex(key);
    record.m_second = secondNow();
    return record;
}

MetricsRecord LiveMetrics::recordSent(const MetricsKey &key, Duration queueWait)
{
    MetricsRecord record = start(MetricsRecord::Kind::Sent, key);
    record.m_latency = queueWait;
    apply(record, +1);
    return record;
}

MetricsRecord LiveMetrics::recordReceived(const MetricsKey &key, const TokenUsage &usage,
    std::optional<double> costUsd, Duration latency, std::optional<Duration> timeToFirstToken)
{
    MetricsRecord record = start(MetricsRecord::Kind::Received, key);
    record.m_usage = usage;
    record.m_costUsd = costUsd;
    record.m_latency = latency;
    record.m_timeToFirstToken = timeToFirstToken;
    apply(record, +1);
    return record;
}

MetricsRecord LiveMetrics::recordFailed(const MetricsKey &key, ErrorClass errorClass)
{
    MetricsRecord record = start(MetricsRecord::Kind::Failed, key);
    record.m_errorClass = errorClass;
    apply(record, +1);
    return record;
}

bool LiveMetrics::compensate(MetricsRecord &record)
{
    if (!record.isValid() || record.m_key < 0 || record.m_key >= int(m_keys.size()))
        return false;
    apply(record, -1);
    record = MetricsRecord {};
    return true;
}

void LiveMetrics::setLimits(const MetricsKey &key, std::optional<std::int64_t> requestsPerMinute,
    std::optional<std::int64_t> tokensPerMinute)
{
    PerKey &k = *m_keys[keyIndex(key)];
    k.totals.requestLimitPerMinute = requestsPerMinute;
    k.totals.tokenLimitPerMinute = tokensPerMinute;
}

QList<MetricsKey> LiveMetrics::keys() const
{
    QList<MetricsKey> result;
    result.reserve(qsizetype(m_keys.size()));
    for (const auto &k : m_keys)
        result.append(k->key);
    return result;
}

MetricsSnapshot LiveMetrics::snapshot(const MetricsKey &key) const
{
    const PerKey *k = find(key);
    if (!k)
        return {};
    MetricsSnapshot s = k->totals;
    s.latency = k->latency.summary();
    s.timeToFirstToken = k->timeToFirstToken.summary();
    s.queueWait = k->queueWait.summary();
    addRates(*k, s);
    return s;
}

MetricsSnapshot LiveMetrics::total() const
{
    MetricsSnapshot s;
    LatencyHistogram latency;
    LatencyHistogram timeToFirstToken;
    LatencyHistogram queueWait;
    for (const auto &k : m_keys) {
        const MetricsSnapshot &t = k->totals;
        s.sent += t.sent;
        s.received += t.received;
        s.failed += t.failed;
        for (int c = 0; c < kErrorClassCount; ++c)
            s.failedByClass[std::size_t(c)] += t.failedByClass[std::size_t(c)];
        s.tokens += t.tokens;
        s.costUsd += t.costUsd;
        s.receivedWithUnknownCost += t.receivedWithUnknownCost;
        latency.merge(k->latency);
        timeToFirstToken.merge(k->timeToFirstToken);
        queueWait.merge(k->queueWait);
        addRates(*k, s);
    }
    s.latency = latency.summary();
    s.timeToFirstToken = timeToFirstToken.summary();
    s.queueWait = queueWait.summary();
    return s;
}

void LiveMetrics::addRates(const PerKey &k, MetricsSnapshot &into) const
{
    // The last 60 s: the current (partial) second and the 59 before it. One
    // modulo, then a wrapping walk: a division per slot would dominate.
    const std::int64_t now = secondNow();
    const auto n = std::int64_t(k.seconds.size());
    const std::int64_t first = std::max<std::int64_t>(0, now - kSecondsPerMinute + 1);
    std::size_t slot = std::size_t(first % n);
    std::int64_t sent = 0;
    std::int64_t tokens = 0;
    for (std::int64_t second = first; second <= now; ++second) {
        const Bucket &b = k.seconds[slot];
        if (b.index == second) {
            sent += b.sent;
            tokens += b.tokens;
        }
        if (++slot == k.seconds.size())
            slot = 0;
    }
    into.requestsPerMinute += double(sent);
    into.tokensPerMinute += double(tokens);
}

std::vector<MetricsPoint> LiveMetrics::perSecond(const MetricsKey &key) const
{
    const PerKey *k = find(key);
    if (!k)
        return {};
    return series(k->seconds, secondNow(), std::chrono::seconds(1));
}

std::vector<MetricsPoint> LiveMetrics::perMinute(const MetricsKey &key) const
{
    const PerKey *k = find(key);
    if (!k)
        return {};
    return series(k->minutes, secondNow() / kSecondsPerMinute, std::chrono::minutes(1));
}

std::int64_t LiveMetrics::secondNow() const
{
    const auto elapsed = std::chrono::floor<std::chrono::seconds>(m_clock.now() - m_origin);
    return std::max<std::int64_t>(0, elapsed.count());
}

int LiveMetrics::keyIndex(const MetricsKey &key)
{
    const auto it = m_index.constFind(key);
    if (it != m_index.constEnd())
        return it.value();
    auto k = std::make_unique<PerKey>();
    k->key = key;
    k->seconds.resize(std::size_t(m_retention.seconds));
    k->minutes.resize(std::size_t(m_retention.minutes));
    m_keys.push_back(std::move(k));
    const int index = int(m_keys.size()) - 1;
    m_index.insert(key, index);
    return index;
}

const LiveMetrics::PerKey *LiveMetrics::find(const MetricsKey &key) const
{
    const auto it = m_index.constFind(key);
    return it == m_index.constEnd() ? nullptr : m_keys[std::size_t(it.value())].get();
}

void LiveMetrics::apply(const MetricsRecord &record, int sign)
{
    PerKey &k = *m_keys[std::size_t(record.m_key)];
    MetricsSnapshot &t = k.totals;
    Bucket delta;
    switch (record.m_kind) {
    case MetricsRecord::Kind::None:
        return;
    case MetricsRecord::Kind::Sent:
        t.sent += sign;
        delta.sent = sign;
        if (sign > 0)
            k.queueWait.record(record.m_latency);
        else
            k.queueWait.remove(record.m_latency);
        break;
    case MetricsRecord::Kind::Received:
        t.received += sign;
        if (sign > 0)
            t.tokens += record.m_usage;
        else
            t.tokens -= record.m_usage;
        if (record.m_costUsd)
            t.costUsd += sign * *record.m_costUsd;
        else
            t.receivedWithUnknownCost += sign;
        delta.received = sign;
        delta.tokens = sign * record.m_usage.total();
        delta.costUsd = sign * record.m_costUsd.value_or(0.0);
        if (sign > 0) {
            k.latency.record(record.m_latency);
            if (record.m_timeToFirstToken)
                k.timeToFirstToken.record(*record.m_timeToFirstToken);
        } else {
            k.latency.remove(record.m_latency);
            if (record.m_timeToFirstToken)
                k.timeToFirstToken.remove(*record.m_timeToFirstToken);
        }
        break;
    case MetricsRecord::Kind::Failed:
        t.failed += sign;
        t.failedByClass[static_cast<int>(record.m_errorClass)] += sign;
        delta.failed = sign;
        break;
    }

    // A bucket is taken by its second (or minute) when first written; a
    // compensation only reaches a bucket that still holds the record's time.
    auto add = [&](std::vector<Bucket> &ring, std::int64_t index) {
        Bucket &b = ring[std::size_t(index % std::int64_t(ring.size()))];
        if (b.index != index) {
            if (sign < 0)
                return;
            b = Bucket {};
            b.index = index;
        }
        b.sent += delta.sent;
        b.received += delta.received;
        b.failed += delta.failed;
        b.tokens += delta.tokens;
        b.costUsd += delta.costUsd;
    };
    add(k.seconds, record.m_second);
    add(k.minutes, record.m_second / kSecondsPerMinute);
}

std::vector<MetricsPoint> LiveMetrics::series(
    const std::vector<Bucket> &ring, std::int64_t current, Duration step) const
{
    const auto n = std::int64_t(ring.size());
    std::vector<MetricsPoint> points;
    points.reserve(std::size_t(n));
    for (std::int64_t index = current - n + 1; index <= current; ++index) {
        MetricsPoint p;
        p.start = m_origin + index * step;
        if (index >= 0) {
            const Bucket &b = ring[std::size_t(index % n)];
            if (b.index == index) {
                p.sent = b.sent;
                p.received = b.received;
                p.failed = b.failed;
                p.tokens = b.tokens;
                p.costUsd = b.costUsd;
            }
        }
        points.push_back(p);
    }
    return points;
}

} // namespace sluice
