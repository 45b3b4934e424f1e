#include "core/trace.h"

#include <QRandomGenerator>

#include <algorithm>

namespace sluice {

Trace::Trace(const Clock &clock) : m_clock(&clock)
{
    quint64 words[2];
    QRandomGenerator::system()->fillRange(words);
    m_traceId = QStringLiteral("%1%2")
                    .arg(words[0], 16, 16, QLatin1Char('0'))
                    .arg(words[1], 16, 16, QLatin1Char('0'));
}

std::uint64_t Trace::begin(const QString &name, std::uint64_t parentId)
{
    Span s;
    s.id = std::uint64_t(m_spans.size()) + 1;
    s.parentId = parentId;
    s.name = name;
    s.start = m_clock ? m_clock->now() : TimePoint {};
    s.wallStart = QDateTime::currentDateTimeUtc();
    m_spans.append(std::move(s));
    return m_spans.constLast().id;
}

void Trace::end(std::uint64_t spanId)
{
    if (Span *s = span(spanId); s && !s->end)
        s->end = m_clock ? m_clock->now() : TimePoint {};
}

void Trace::setAttribute(std::uint64_t spanId, const QString &key, const QJsonValue &value)
{
    if (Span *s = span(spanId))
        s->attributes.insert(key, value);
}

const Span *Trace::find(const QString &name) const
{
    for (const Span &s : m_spans) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

int Trace::count(const QString &name) const
{
    return int(std::count_if(
        m_spans.cbegin(), m_spans.cend(), [&](const Span &s) { return s.name == name; }));
}

Span *Trace::span(std::uint64_t spanId)
{
    // Ids are positions + 1: spans are only appended.
    if (spanId == 0 || spanId > std::uint64_t(m_spans.size()))
        return nullptr;
    return &m_spans[qsizetype(spanId - 1)];
}

} // namespace sluice
