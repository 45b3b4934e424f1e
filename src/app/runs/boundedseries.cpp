#include "app/runs/boundedseries.h"

#include <algorithm>

namespace sluice {

BoundedSeries::BoundedSeries(int capacity) : m_capacity(std::max(capacity, 2))
{
    m_buckets.reserve(size_t(m_capacity) + 1);
}

void BoundedSeries::append(double x, double y)
{
    const QPointF p(x, y);
    m_maxY = m_buckets.empty() ? y : std::max(m_maxY, y);
    m_last = p;
    if (!m_buckets.empty() && m_buckets.back().count < m_width) {
        Bucket &b = m_buckets.back();
        if (y < b.low.y())
            b.low = p;
        if (y > b.high.y())
            b.high = p;
        ++b.count;
        return;
    }
    m_buckets.push_back({p, p, 1});
    if (int(m_buckets.size()) > m_capacity)
        mergePairs();
}

void BoundedSeries::mergePairs()
{
    // Bucket i takes 2i and 2i+1; an odd last one stays alone (still filling).
    size_t out = 0;
    for (size_t i = 0; i < m_buckets.size(); i += 2, ++out) {
        Bucket merged = m_buckets[i];
        if (i + 1 < m_buckets.size()) {
            const Bucket &next = m_buckets[i + 1];
            if (next.low.y() < merged.low.y())
                merged.low = next.low;
            if (next.high.y() > merged.high.y())
                merged.high = next.high;
            merged.count += next.count;
        }
        m_buckets[out] = merged;
    }
    m_buckets.resize(out);
    m_width *= 2;
}

void BoundedSeries::clear()
{
    m_buckets.clear();
    m_width = 1;
    m_last = {};
    m_maxY = 0;
}

QList<QPointF> BoundedSeries::points() const
{
    QList<QPointF> out;
    out.reserve(qsizetype(m_buckets.size()) * 2 + 1);
    for (const Bucket &b : m_buckets) {
        const bool lowFirst = b.low.x() <= b.high.x();
        out.append(lowFirst ? b.low : b.high);
        if (b.low != b.high)
            out.append(lowFirst ? b.high : b.low);
    }
    if (!m_buckets.empty() && out.constLast() != m_last)
        out.append(m_last);
    return out;
}

} // namespace sluice
