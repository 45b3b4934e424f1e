#include "app/runs/tracetimeline.h"

#include "engine/batch/dataset.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>

namespace sluice {

namespace {

// Span ids may be written as numbers or as strings: compare them as text.
QString idText(const QJsonValue &value)
{
    return value.isString() ? value.toString() : QString::number(value.toInteger());
}

QString attributesText(const QJsonObject &attributes)
{
    QStringList parts;
    for (auto it = attributes.begin(); it != attributes.end(); ++it)
        parts.append(it.key() + QLatin1Char('=') + datasetValueText(it.value()));
    return parts.join(QStringLiteral(", "));
}

} // namespace

TraceTimeline::TraceTimeline(QObject *parent) : QAbstractListModel(parent) { }

void TraceTimeline::setTrace(const QJsonObject &trace)
{
    beginResetModel();
    m_spans.clear();
    m_traceId = trace.value(QLatin1String("trace_id")).toString();
    m_totalMs = 0;

    const QJsonArray spans = trace.value(QLatin1String("spans")).toArray();
    QHash<QString, int> depthById;
    QDateTime origin;
    for (const QJsonValue &value : spans) {
        const QDateTime start = QDateTime::fromString(
            value.toObject().value(QLatin1String("start")).toString(), Qt::ISODateWithMs);
        if (start.isValid() && (!origin.isValid() || start < origin))
            origin = start;
    }
    for (const QJsonValue &value : spans) {
        const QJsonObject span = value.toObject();
        SpanRow row;
        row.name = span.value(QLatin1String("name")).toString();
        const QString parent = idText(span.value(QLatin1String("parent_span_id")));
        row.depth = depthById.contains(parent) ? depthById.value(parent) + 1 : 0;
        depthById.insert(idText(span.value(QLatin1String("span_id"))), row.depth);
        const QDateTime start = QDateTime::fromString(
            span.value(QLatin1String("start")).toString(), Qt::ISODateWithMs);
        row.offsetMs = start.isValid() && origin.isValid() ? double(origin.msecsTo(start)) : 0.0;
        const QJsonValue duration = span.value(QLatin1String("duration_ms"));
        row.open = !duration.isDouble();
        row.durationMs = row.open ? 0.0 : std::max(0.0, duration.toDouble());
        row.details = attributesText(span.value(QLatin1String("attributes")).toObject());
        m_totalMs = std::max(m_totalMs, row.offsetMs + row.durationMs);
        m_spans.append(row);
    }
    for (SpanRow &row : m_spans) {
        if (row.open)
            row.durationMs = std::max(0.0, m_totalMs - row.offsetMs);
    }
    endResetModel();
    Q_EMIT traceChanged();
}

int TraceTimeline::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_spans.size());
}

QVariant TraceTimeline::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SpanRow &row = m_spans.at(index.row());
    switch (role) {
    case NameRole:
        return row.name;
    case DepthRole:
        return row.depth;
    case OffsetMsRole:
        return row.offsetMs;
    case DurationMsRole:
        return row.durationMs;
    case OpenRole:
        return row.open;
    case DetailsRole:
        return row.details;
    case StartFractionRole:
        return m_totalMs > 0 ? row.offsetMs / m_totalMs : 0.0;
    case DurationFractionRole:
        return m_totalMs > 0 ? row.durationMs / m_totalMs : 0.0;
    default:
        return {};
    }
}

QHash<int, QByteArray> TraceTimeline::roleNames() const
{
    return {
        {NameRole, "name"},
        {DepthRole, "depth"},
        {OffsetMsRole, "offsetMs"},
        {DurationMsRole, "durationMs"},
        {OpenRole, "open"},
        {DetailsRole, "details"},
        {StartFractionRole, "startFraction"},
        {DurationFractionRole, "durationFraction"},
    };
}

} // namespace sluice
