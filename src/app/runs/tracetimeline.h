#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QQmlEngine>

namespace sluice {

/// One request's timeline, from its stored trace JSON (core/tracejson.h):
/// one row per span (request, queued, gate_wait, attempt, backoff,
/// validation, repair) with its offset from the trace's start and its
/// duration, for horizontal bars on a time axis. Spans without a duration
/// (still running when the trace was written) end at the trace's end.
class TraceTimeline : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(QString traceId READ traceId NOTIFY traceChanged)
    /// From the first span's start to the last span's end, in milliseconds.
    Q_PROPERTY(double totalMs READ totalMs NOTIFY traceChanged)
    Q_PROPERTY(int count READ count NOTIFY traceChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        DepthRole,
        OffsetMsRole,
        DurationMsRole,
        OpenRole, ///< no duration was recorded
        DetailsRole,
        StartFractionRole,    ///< offset / totalMs, 0..1, for drawing
        DurationFractionRole, ///< duration / totalMs

    };

    explicit TraceTimeline(QObject *parent = nullptr);

    [[nodiscard]] QString traceId() const { return m_traceId; }
    [[nodiscard]] double totalMs() const { return m_totalMs; }
    [[nodiscard]] int count() const { return int(m_spans.size()); }

    /// Shows `trace` (empty: nothing).
    void setTrace(const QJsonObject &trace);
    Q_INVOKABLE void setTraceMap(const QVariantMap &trace)
    {
        setTrace(QJsonObject::fromVariantMap(trace));
    }
    Q_INVOKABLE void clear() { setTrace({}); }

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void traceChanged();

private:
    struct SpanRow
    {
        QString name;
        int depth = 0;
        double offsetMs = 0;
        double durationMs = 0;
        bool open = false;
        QString details;
    };

    QString m_traceId;
    double m_totalMs = 0;
    QList<SpanRow> m_spans;
};

} // namespace sluice
