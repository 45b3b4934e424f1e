#include "app/runs/boundedseries.h"
#include "app/runs/metricsseries.h"

#include <QtTest>

#include <algorithm>

using namespace sluice;

// The Monitor's series: bounded memory for hours of samples, peaks kept.
class TestAppRunsSeries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsEverySampleUntilFull()
    {
        BoundedSeries s(8);
        for (int i = 0; i < 8; ++i)
            s.append(i, i * 10);
        const QList<QPointF> points = s.points();
        QCOMPARE(points.size(), 8);
        QCOMPARE(points.first(), QPointF(0, 0));
        QCOMPARE(points.last(), QPointF(7, 70));
        QCOMPARE(s.bucketWidth(), 1);
    }

    void tenHoursStayBoundedAndKeepPeaks()
    {
        const int capacity = 300;
        BoundedSeries s(capacity);
        const int samples = 10 * 3600; // 10 hours at 1 Hz
        const int peakAt = 12345;
        const int dipAt = 30001;
        for (int i = 0; i < samples; ++i) {
            double y = 100 + (i % 7); // a busy but flat signal
            if (i == peakAt)
                y = 5000; // one spike among 36,000 samples
            if (i == dipAt)
                y = 1;
            s.append(i, y);
            QVERIFY(s.points().size() <= 2 * capacity + 1);
        }
        const QList<QPointF> points = s.points();
        QVERIFY2(points.size() > capacity / 2, "the chart still has detail");
        QVERIFY(points.contains(QPointF(peakAt, 5000)));
        QVERIFY(points.contains(QPointF(dipAt, 1)));
        QCOMPARE(points.last(), QPointF(samples - 1, 100 + (samples - 1) % 7));
        QCOMPARE(points.first().x(), 0.0);
        QVERIFY(std::is_sorted(points.begin(), points.end(),
            [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); }));
        QCOMPARE(s.maxY(), 5000.0);
    }

    void everyBucketKeepsItsExtremes()
    {
        // Rising saw teeth: every tooth's top must survive the merging.
        BoundedSeries s(16);
        for (int i = 0; i < 1024; ++i)
            s.append(i, i % 64);
        const QList<QPointF> points = s.points();
        QVERIFY(points.size() <= 33);
        for (int tooth = 0; tooth < 16; ++tooth)
            QVERIFY2(
                points.contains(QPointF(tooth * 64 + 63, 63)), qPrintable(QString::number(tooth)));
    }

    void metricsSeriesSamplesEveryChart()
    {
        MetricsSeries series;
        series.setCapacity(50);
        QSignalSpy sampled(&series, &MetricsSeries::sampled);
        const QDateTime start = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC);
        for (int i = 0; i < 10 * 3600; ++i) {
            MonitorSample sample;
            sample.time = start.addSecs(i);
            sample.totals.requestsPerMinute = i == 777 ? 900 : 60;
            sample.totals.tokensPerMinute = 6000;
            sample.totals.latency.p50Ms = 300;
            sample.totals.latency.p95Ms = 900;
            sample.totals.costUsd = i * 0.001;
            sample.totals.failedByClass[size_t(ErrorClass::RateLimited)] = i / 100;
            sample.requestLimitPerMinute = 500;
            series.addSample(sample);
        }
        QCOMPARE(sampled.size(), 10 * 3600);
        QCOMPARE(series.sampleCount(), 10 * 3600);
        QCOMPARE(series.firstTime(), start);
        QCOMPARE(series.lastTime(), start.addSecs(10 * 3600 - 1));
        for (int which = 0; which < MetricsSeries::SeriesCount; ++which)
            QVERIFY(series.series(MetricsSeries::Series(which)).points().size() <= 101);
        QCOMPARE(series.maxOf(MetricsSeries::Rpm), 900.0);
        QVERIFY(series.hasRequestLimit());
        QVERIFY(!series.hasTokenLimit());
        QCOMPARE(series.latest(MetricsSeries::RpmLimit), 500.0);
        QCOMPARE(series.latest(MetricsSeries::CostUsd), (10 * 3600 - 1) * 0.001);
        QCOMPARE(series.errorClasses(), QStringList {QStringLiteral("rate_limited")});
        QCOMPARE(series.errorCounts(), QVariantList {double((10 * 3600 - 1) / 100)});

        series.clear();
        QCOMPARE(series.sampleCount(), 0);
        QVERIFY(series.series(MetricsSeries::Rpm).isEmpty());
        QVERIFY(series.errorClasses().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAppRunsSeries)
#include "tst_app_runs_series.moc"
