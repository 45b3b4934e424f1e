#include "core/tracejson.h"

#include <QJsonArray>

namespace sluice {

namespace {

QJsonValue spanIdJson(std::uint64_t id)
{
    return QStringLiteral("%1").arg(id, 16, 16, QLatin1Char('0'));
}

} // namespace

QJsonObject traceToJson(const Trace &trace)
{
    QJsonArray spans;
    for (const Span &s : trace.spans()) {
        const std::optional<double> duration = s.durationMs();
        spans.append(QJsonObject {
            {QStringLiteral("span_id"), spanIdJson(s.id)},
            {QStringLiteral("parent_span_id"),
                s.parentId == 0 ? QJsonValue(QJsonValue::Null) : spanIdJson(s.parentId)},
            {QStringLiteral("name"), s.name},
            {QStringLiteral("start"), s.wallStart.toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("duration_ms"), duration ? QJsonValue(*duration) : QJsonValue()},
            {QStringLiteral("attributes"), s.attributes},
        });
    }
    return {{QStringLiteral("trace_id"), trace.traceId()}, {QStringLiteral("spans"), spans}};
}

} // namespace sluice
