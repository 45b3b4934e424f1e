#include "app/runs/runlistmodel.h"

#include "engine/batch/exports.h"
#include "engine/batch/runstore.h"

#include <QFileInfo>

namespace sluice {

RunListModel::RunListModel(QObject *parent) : QAbstractListModel(parent) { }

void RunListModel::setStorePath(const QString &path)
{
    if (m_storePath == path)
        return;
    m_storePath = path;
    Q_EMIT storePathChanged();
    reload();
}

void RunListModel::setErrorMessage(const QString &message)
{
    if (m_errorMessage == message)
        return;
    m_errorMessage = message;
    Q_EMIT errorMessageChanged();
}

void RunListModel::reload()
{
    beginResetModel();
    m_runs.clear();
    // No store yet is not an error: nothing has run.
    if (!m_storePath.isEmpty() && QFileInfo::exists(m_storePath)) {
        RunStore store;
        QString error;
        if (store.open(m_storePath, &error)) {
            setErrorMessage({});
            const QList<RunInfo> runs = store.runs();
            for (const RunInfo &info : runs) {
                Run run;
                run.runId = info.runId;
                run.createdAt = info.createdAt;
                run.status = info.status;
                run.stopReason = info.stopReason;
                run.model = info.config.value(QLatin1String("model")).toString();
                run.rowCount = info.rowCount;
                const RunStore::Counts counts = store.counts(info.runId);
                QStringList statuses = counts.byStatus.keys();
                statuses.sort();
                QStringList parts;
                for (const QString &status : statuses)
                    parts.append(tr("%1 %2").arg(counts.byStatus.value(status)).arg(status));
                run.summary = parts.join(QStringLiteral(", "));
                m_runs.append(run);
            }
        } else {
            setErrorMessage(tr("The run store could not be read: %1").arg(error));
        }
    } else {
        setErrorMessage({});
    }
    endResetModel();
    Q_EMIT countChanged();
}

QString RunListModel::runIdAt(int row) const
{
    return row >= 0 && row < m_runs.size() ? m_runs.at(row).runId : QString();
}

bool RunListModel::exportRun(const QString &runId, const QUrl &file, const QString &format)
{
    const std::optional<ExportFormat> exportFormat = exportFormatFromName(format);
    if (!exportFormat) {
        setErrorMessage(
            tr("Choose jsonl, csv, trace or otlp to export; %1 is none of them.").arg(format));
        return false;
    }
    RunStore store;
    QString error;
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    if (!store.open(m_storePath, &error)
        || !sluice::exportRun(store, runId, *exportFormat, path, &error)) {
        setErrorMessage(tr("The run was not exported: %1").arg(error));
        return false;
    }
    setErrorMessage({});
    return true;
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Run &run = m_runs.at(index.row());
    switch (role) {
    case RunIdRole:
        return run.runId;
    case CreatedAtRole:
        return run.createdAt;
    case StatusRole:
        return run.status;
    case StopReasonRole:
        return run.stopReason;
    case ModelRole:
        return run.model;
    case RowCountRole:
        return run.rowCount;
    case SummaryRole:
        return run.summary;
    default:
        return {};
    }
}

QHash<int, QByteArray> RunListModel::roleNames() const
{
    return {
        {RunIdRole, "runId"},
        {CreatedAtRole, "createdAt"},
        {StatusRole, "status"},
        {StopReasonRole, "stopReason"},
        {ModelRole, "model"},
        {RowCountRole, "rowCount"},
        {SummaryRole, "summary"},
    };
}

} // namespace sluice
