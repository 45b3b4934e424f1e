#pragma once

#include "app/runs/boundedseries.h"
#include "core/livemetrics.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QStringList>
#include <QTimer>
#include <QVariantList>
#include <QtCharts/QAbstractSeries>

#include <array>
#include <optional>

namespace sluice {

class LlmService;

/// What one sample of the Monitor holds (taken once a second).
struct MonitorSample
{
    QDateTime time;
    MetricsSnapshot totals; ///< all keys together
    std::optional<std::int64_t> requestLimitPerMinute;
    std::optional<std::int64_t> tokenLimitPerMinute;
};

/// The Monitor page's controller: samples the service's LiveMetrics once a
/// second into bounded, downsampled series (BoundedSeries), so that a chart
/// shows the whole session with a fixed number of points, hours on end.
/// QML draws them with fill(); `sampled` says when to. Reads the service on
/// its own (the GUI) thread; a new service (another endpoint) starts afresh.
class MetricsSeries : public QObject
{
    Q_OBJECT
    QML_ELEMENT

    /// The LlmService to watch (a QObject, as QML sees it).
    Q_PROPERTY(QObject *service READ service WRITE setService NOTIFY serviceChanged)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(int intervalMs READ intervalMs WRITE setIntervalMs NOTIFY intervalMsChanged)
    Q_PROPERTY(int sampleCount READ sampleCount NOTIFY sampled)
    Q_PROPERTY(QDateTime firstTime READ firstTime NOTIFY sampled)
    Q_PROPERTY(QDateTime lastTime READ lastTime NOTIFY sampled)
    Q_PROPERTY(bool hasRequestLimit READ hasRequestLimit NOTIFY sampled)
    Q_PROPERTY(bool hasTokenLimit READ hasTokenLimit NOTIFY sampled)
    /// Error classes seen so far (wire names) and their counts, for the bars.
    Q_PROPERTY(QStringList errorClasses READ errorClasses NOTIFY sampled)
    Q_PROPERTY(QVariantList errorCounts READ errorCounts NOTIFY sampled)
    Q_PROPERTY(double maxErrorCount READ maxErrorCount NOTIFY sampled)

public:
    enum Series {
        Rpm,
        RpmLimit,
        Tpm,
        TpmLimit,
        LatencyP50,
        LatencyP95,
        TtftP50,
        QueueWaitP50,
        QueueWaitP95,
        CostUsd,
        SeriesCount
    };
    Q_ENUM(Series)

    explicit MetricsSeries(QObject *parent = nullptr);
    ~MetricsSeries() override;

    [[nodiscard]] QObject *service() const;
    void setService(QObject *service);
    [[nodiscard]] bool active() const { return m_timer.isActive(); }
    void setActive(bool active);
    [[nodiscard]] int intervalMs() const { return m_timer.interval(); }
    void setIntervalMs(int ms);
    /// Points kept per series at most: 2 x this + 1. Starts afresh.
    void setCapacity(int buckets);

    [[nodiscard]] int sampleCount() const { return m_sampleCount; }
    [[nodiscard]] QDateTime firstTime() const { return m_firstTime; }
    [[nodiscard]] QDateTime lastTime() const { return m_lastTime; }
    [[nodiscard]] bool hasRequestLimit() const { return !series(RpmLimit).isEmpty(); }
    [[nodiscard]] bool hasTokenLimit() const { return !series(TpmLimit).isEmpty(); }
    [[nodiscard]] QStringList errorClasses() const { return m_errorClasses; }
    [[nodiscard]] QVariantList errorCounts() const { return m_errorCounts; }
    [[nodiscard]] double maxErrorCount() const { return m_maxErrorCount; }

    [[nodiscard]] const BoundedSeries &series(Series which) const { return m_series[which]; }
    /// Adds one sample (the timer's, or a test's with its own clock).
    void addSample(const MonitorSample &sample);

    /// Replaces the points of a QML LineSeries/ScatterSeries with `which`.
    Q_INVOKABLE void fill(QAbstractSeries *series, Series which) const;
    /// The highest value of the given series (for an axis' range).
    Q_INVOKABLE double maxOf(Series which) const;
    /// The latest value of a series (0 when empty).
    Q_INVOKABLE double latest(Series which) const;
    /// Samples the service now.
    Q_INVOKABLE void sampleNow();
    Q_INVOKABLE void clear();

Q_SIGNALS:
    void serviceChanged();
    void activeChanged();
    void intervalMsChanged();
    void sampled();

private:
    QPointer<LlmService> m_service;
    QTimer m_timer;
    std::array<BoundedSeries, SeriesCount> m_series;
    int m_sampleCount = 0;
    QDateTime m_firstTime;
    QDateTime m_lastTime;
    QStringList m_errorClasses;
    QVariantList m_errorCounts;
    double m_maxErrorCount = 0;
};

} // namespace sluice
