#include "app/runs/metricsseries.h"

#include "engine/llmservice.h"

#include <QtCharts/QXYSeries>

namespace sluice {

MetricsSeries::MetricsSeries(QObject *parent) : QObject(parent)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &MetricsSeries::sampleNow);
}

MetricsSeries::~MetricsSeries() = default;

QObject *MetricsSeries::service() const
{
    return m_service.data();
}

void MetricsSeries::setService(QObject *service)
{
    auto *llm = qobject_cast<LlmService *>(service);
    if (m_service == llm)
        return;
    // Another service has metrics of its own from zero: its charts start afresh.
    m_service = llm;
    clear();
    Q_EMIT serviceChanged();
}

void MetricsSeries::setActive(bool active)
{
    if (active == m_timer.isActive())
        return;
    if (active) {
        m_timer.start();
        sampleNow();
    } else {
        m_timer.stop();
    }
    Q_EMIT activeChanged();
}

void MetricsSeries::setIntervalMs(int ms)
{
    if (ms <= 0 || ms == m_timer.interval())
        return;
    m_timer.setInterval(ms);
    Q_EMIT intervalMsChanged();
}

void MetricsSeries::setCapacity(int buckets)
{
    for (BoundedSeries &s : m_series)
        s = BoundedSeries(buckets);
    clear();
}

void MetricsSeries::sampleNow()
{
    if (!m_service)
        return;
    const LiveMetrics &metrics = m_service->metrics();
    MonitorSample sample;
    sample.time = QDateTime::currentDateTimeUtc();
    sample.totals = metrics.total();
    // The gate's configured limits; a key's own limits, if any were set, win.
    const RateLimits &limits = m_service->rateGate().limits();
    sample.requestLimitPerMinute = limits.requestsPerMinute;
    sample.tokenLimitPerMinute = limits.tokensPerMinute;
    for (const MetricsKey &key : metrics.keys()) {
        const MetricsSnapshot s = metrics.snapshot(key);
        if (s.requestLimitPerMinute)
            sample.requestLimitPerMinute = s.requestLimitPerMinute;
        if (s.tokenLimitPerMinute)
            sample.tokenLimitPerMinute = s.tokenLimitPerMinute;
    }
    addSample(sample);
}

void MetricsSeries::addSample(const MonitorSample &sample)
{
    const double x = double(sample.time.toMSecsSinceEpoch());
    const MetricsSnapshot &t = sample.totals;
    m_series[Rpm].append(x, t.requestsPerMinute);
    m_series[Tpm].append(x, t.tokensPerMinute);
    if (sample.requestLimitPerMinute)
        m_series[RpmLimit].append(x, double(*sample.requestLimitPerMinute));
    if (sample.tokenLimitPerMinute)
        m_series[TpmLimit].append(x, double(*sample.tokenLimitPerMinute));
    m_series[LatencyP50].append(x, t.latency.p50Ms);
    m_series[LatencyP95].append(x, t.latency.p95Ms);
    m_series[TtftP50].append(x, t.timeToFirstToken.p50Ms);
    m_series[QueueWaitP50].append(x, t.queueWait.p50Ms);
    m_series[QueueWaitP95].append(x, t.queueWait.p95Ms);
    m_series[CostUsd].append(x, t.costUsd);

    m_errorClasses.clear();
    m_errorCounts.clear();
    m_maxErrorCount = 0;
    for (int c = 1; c < kErrorClassCount; ++c) {
        const auto count = t.failedByClass[size_t(c)];
        if (count == 0)
            continue;
        m_errorClasses.append(errorClassName(ErrorClass(c)));
        m_errorCounts.append(double(count));
        m_maxErrorCount = std::max(m_maxErrorCount, double(count));
    }

    if (m_sampleCount == 0)
        m_firstTime = sample.time;
    m_lastTime = sample.time;
    ++m_sampleCount;
    Q_EMIT sampled();
}

void MetricsSeries::fill(QAbstractSeries *series, Series which) const
{
    auto *xy = qobject_cast<QXYSeries *>(series);
    if (xy && which >= 0 && which < SeriesCount)
        xy->replace(m_series[which].points());
}

double MetricsSeries::maxOf(Series which) const
{
    return which >= 0 && which < SeriesCount ? m_series[which].maxY() : 0.0;
}

double MetricsSeries::latest(Series which) const
{
    return which >= 0 && which < SeriesCount ? m_series[which].last().y() : 0.0;
}

void MetricsSeries::clear()
{
    for (BoundedSeries &s : m_series)
        s.clear();
    m_sampleCount = 0;
    m_firstTime = {};
    m_lastTime = {};
    m_errorClasses.clear();
    m_errorCounts.clear();
    m_maxErrorCount = 0;
    Q_EMIT sampled();
}

} // namespace sluice
