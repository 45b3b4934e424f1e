#pragma once

#include <QList>
#include <QPointF>

#include <vector>

namespace sluice {

/// A chart series of any length in bounded memory: samples go into at most
/// `capacity` buckets; when they are all used, neighbours merge in pairs and
/// each bucket then covers twice as many samples. Every bucket keeps its
/// lowest and its highest sample, so peaks and dips survive any amount of
/// downsampling, and points() never returns more than 2 x capacity + 1
/// points, however long the app runs. O(1) amortized per sample.
class BoundedSeries
{
public:
    explicit BoundedSeries(int capacity = 300);

    void append(double x, double y);
    void clear();

    /// Oldest first: each bucket's low and high in time order, then the
    /// latest sample (so the line ends at the current value).
    [[nodiscard]] QList<QPointF> points() const;
    [[nodiscard]] bool isEmpty() const { return m_buckets.empty(); }
    [[nodiscard]] int capacity() const { return m_capacity; }
    /// Samples per bucket now (a power of two).
    [[nodiscard]] qint64 bucketWidth() const { return m_width; }
    /// The highest value ever appended (0 when empty).
    [[nodiscard]] double maxY() const { return m_maxY; }
    [[nodiscard]] QPointF last() const { return m_last; }

private:
    struct Bucket
    {
        QPointF low;
        QPointF high;
        qint64 count = 0;
    };

    void mergePairs();

    int m_capacity;
    qint64 m_width = 1;
    std::vector<Bucket> m_buckets;
    QPointF m_last;
    double m_maxY = 0;
};

} // namespace sluice
