#include "app/runs/runrowsmodel.h"

#include "engine/batch/dataset.h"
#include "engine/batch/runstore.h"

#include <algorithm>

namespace sluice {

namespace {

// The order the filter offers statuses in (rowrecord.h); others follow.
const QStringList &knownStatuses()
{
    static const QStringList statuses {QStringLiteral("ok"), QStringLiteral("invalid_output"),
        QStringLiteral("refused"), QStringLiteral("incomplete"), QStringLiteral("failed"),
        QStringLiteral("skipped")};
    return statuses;
}

} // namespace

RunRowsModel::RunRowsModel(QObject *parent) : QAbstractListModel(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(100);
    connect(&m_flushTimer, &QTimer::timeout, this, &RunRowsModel::flush);
}

RunRowsModel::~RunRowsModel() = default;

void RunRowsModel::setStorePath(const QString &path)
{
    if (m_storePath == path)
        return;
    m_storePath = path;
    m_store.reset();
    Q_EMIT sourceChanged();
}

void RunRowsModel::setRunId(const QString &runId)
{
    if (m_runId == runId)
        return;
    m_runId = runId;
    Q_EMIT sourceChanged();
}

void RunRowsModel::setStatusFilter(const QString &status)
{
    if (m_statusFilter == status)
        return;
    m_statusFilter = status;
    Q_EMIT statusFilterChanged();
    reloadRows();
}

void RunRowsModel::setCapacity(int capacity)
{
    capacity = std::max(capacity, 1);
    if (m_capacity == capacity)
        return;
    m_capacity = capacity;
    Q_EMIT capacityChanged();
}

double RunRowsModel::matchingRows() const
{
    return double(m_statusFilter.isEmpty() ? m_totalRows : m_counts.value(m_statusFilter));
}

QVariantMap RunRowsModel::countsByStatus() const
{
    QVariantMap out;
    for (auto it = m_counts.begin(); it != m_counts.end(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

QStringList RunRowsModel::statuses() const
{
    QStringList out;
    for (const QString &s : knownStatuses()) {
        if (m_counts.contains(s))
            out.append(s);
    }
    QStringList others;
    for (auto it = m_counts.begin(); it != m_counts.end(); ++it) {
        if (!knownStatuses().contains(it.key()))
            others.append(it.key());
    }
    others.sort();
    return out + others;
}

bool RunRowsModel::matches(const QString &status) const
{
    return m_statusFilter.isEmpty() || status == m_statusFilter;
}

RunRowsModel::Row RunRowsModel::rowFromLine(const QJsonObject &line, qint64 rowIndex)
{
    Row row;
    row.rowId = line.value(QLatin1String("id")).toString();
    row.rowIndex = rowIndex;
    row.status = line.value(QLatin1String("status")).toString();
    row.output = datasetValueText(line.value(QLatin1String("output"))).left(kOutputChars);
    const QJsonValue cost = line.value(QLatin1String("cost_usd"));
    if (cost.isDouble())
        row.costUsd = cost.toDouble();
    row.latencyMs = line.value(QLatin1String("latency_ms")).toDouble();
    row.queueMs = line.value(QLatin1String("queue_ms")).toDouble();
    row.attempts = line.value(QLatin1String("attempts")).toInt();
    const QJsonObject error = line.value(QLatin1String("error")).toObject();
    row.errorClass = error.value(QLatin1String("class")).toString();
    row.errorMessage = error.value(QLatin1String("message")).toString();
    row.traceId = line.value(QLatin1String("trace_id")).toString();
    return row;
}

RunStore *RunRowsModel::store()
{
    if (m_store)
        return m_store.get();
    if (m_storePath.isEmpty())
        return nullptr;
    auto store = std::make_unique<RunStore>();
    QString error;
    if (!store->open(m_storePath, &error)) {
        setErrorMessage(tr("The run store could not be read: %1").arg(error));
        return nullptr;
    }
    m_store = std::move(store);
    return m_store.get();
}

void RunRowsModel::setErrorMessage(const QString &message)
{
    if (m_errorMessage == message)
        return;
    m_errorMessage = message;
    Q_EMIT errorMessageChanged();
}

void RunRowsModel::reset()
{
    beginResetModel();
    m_flushTimer.stop();
    m_rows.clear();
    m_incoming.clear();
    m_totalRows = 0;
    m_counts.clear();
    endResetModel();
    Q_EMIT countsChanged();
}

void RunRowsModel::reload()
{
    RunStore *runs = m_runId.isEmpty() ? nullptr : store();
    m_counts.clear();
    m_totalRows = 0;
    if (runs) {
        const RunStore::Counts counts = runs->counts(m_runId);
        for (auto it = counts.byStatus.begin(); it != counts.byStatus.end(); ++it) {
            m_counts.insert(it.key(), it.value());
            m_totalRows += it.value();
        }
    }
    reloadRows();
}

void RunRowsModel::reloadRows()
{
    RunStore *runs = m_runId.isEmpty() ? nullptr : store();
    beginResetModel();
    m_flushTimer.stop();
    m_rows.clear();
    m_incoming.clear();
    if (runs) {
        QString error;
        const bool read = runs->forEachRow(
            m_runId,
            [this](const StoredRow &stored) {
                if (stored.state != RowState::Done)
                    return true;
                const Row row = rowFromLine(stored.line, stored.rowIndex);
                if (matches(row.status))
                    m_rows.append(row);
                return m_rows.size() < m_capacity;
            },
            &error);
        setErrorMessage(read ? QString() : tr("The run's rows could not be read: %1").arg(error));
    }
    endResetModel();
    Q_EMIT countsChanged();
}

void RunRowsModel::appendLine(const QJsonObject &line)
{
    Row row = rowFromLine(line, m_totalRows);
    ++m_totalRows;
    ++m_counts[row.status];
    if (matches(row.status) && m_rows.size() + m_incoming.size() < m_capacity)
        m_incoming.append(std::move(row));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void RunRowsModel::replaceLine(const QJsonObject &line, const QString &previousStatus)
{
    if (m_counts.value(previousStatus) > 0) {
        --m_totalRows;
        if (--m_counts[previousStatus] == 0)
            m_counts.remove(previousStatus);
    }
    const QString id = line.value(QLatin1String("id")).toString();
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).rowId != id)
            continue;
        const Row row = rowFromLine(line, m_rows.at(i).rowIndex);
        ++m_totalRows;
        ++m_counts[row.status];
        if (matches(row.status)) {
            m_rows[i] = row;
            Q_EMIT dataChanged(index(int(i)), index(int(i)));
        } else {
            beginRemoveRows({}, int(i), int(i));
            m_rows.removeAt(i);
            endRemoveRows();
        }
        if (!m_flushTimer.isActive())
            m_flushTimer.start();
        return;
    }
    appendLine(line);
}

void RunRowsModel::flush()
{
    m_flushTimer.stop();
    if (!m_incoming.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + m_incoming.size() - 1));
        m_rows.append(m_incoming);
        m_incoming.clear();
        endInsertRows();
    }
    Q_EMIT countsChanged();
}

QVariantMap RunRowsModel::traceAt(int row)
{
    if (row < 0 || row >= m_rows.size() || m_runId.isEmpty())
        return {};
    RunStore *runs = store();
    if (!runs)
        return {};
    const std::optional<StoredRow> stored = runs->row(m_runId, m_rows.at(row).rowId);
    return stored ? stored->trace.toVariantMap() : QVariantMap();
}

int RunRowsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RunRowsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case RowIdRole:
        return row.rowId;
    case RowIndexRole:
        return row.rowIndex;
    case StatusRole:
        return row.status;
    case OutputRole:
        return row.output;
    case CostUsdRole:
        return row.costUsd ? QVariant(*row.costUsd) : QVariant();
    case LatencyMsRole:
        return row.latencyMs;
    case QueueMsRole:
        return row.queueMs;
    case AttemptsRole:
        return row.attempts;
    case ErrorClassRole:
        return row.errorClass;
    case ErrorMessageRole:
        return row.errorMessage;
    case TraceIdRole:
        return row.traceId;
    default:
        return {};
    }
}

QHash<int, QByteArray> RunRowsModel::roleNames() const
{
    return {
        {RowIdRole, "rowId"},
        {RowIndexRole, "rowIndex"},
        {StatusRole, "status"},
        {OutputRole, "output"},
        {CostUsdRole, "costUsd"},
        {LatencyMsRole, "latencyMs"},
        {QueueMsRole, "queueMs"},
        {AttemptsRole, "attempts"},
        {ErrorClassRole, "errorClass"},
        {ErrorMessageRole, "errorMessage"},
        {TraceIdRole, "traceId"},
    };
}

} // namespace sluice
