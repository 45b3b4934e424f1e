#include "app/runs/datasetpreview.h"

#include "engine/batch/dataset.h"

namespace sluice {

DatasetPreview::DatasetPreview(QObject *parent) : QAbstractListModel(parent) { }

QVariantList DatasetPreview::columnUsed() const
{
    QVariantList used;
    for (const QString &column : m_columns)
        used.append(m_variables.contains(column));
    return used;
}

QVariantList DatasetPreview::headers() const
{
    QVariantList out;
    for (const QString &column : m_columns) {
        out.append(QVariantMap {{QStringLiteral("name"), column},
            {QStringLiteral("used"), m_variables.contains(column)}});
    }
    return out;
}

void DatasetPreview::load(DatasetReader &reader)
{
    beginResetModel();
    m_rows.clear();
    DatasetRow row;
    QList<QHash<QString, QString>> values;
    while (m_rows.size() < kRows && reader.next(row)) {
        m_rows.append(Row {row.index, {}});
        values.append(row.values);
    }
    // JSONL columns are known only once the rows are read.
    m_columns = reader.columns();
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        for (const QString &column : std::as_const(m_columns))
            m_rows[i].cells.append(values.at(i).value(column).left(kCellChars));
    }
    endResetModel();
    Q_EMIT previewChanged();
}

void DatasetPreview::setVariables(const QStringList &variables)
{
    if (m_variables == variables)
        return;
    m_variables = variables;
    Q_EMIT previewChanged();
}

void DatasetPreview::clear()
{
    beginResetModel();
    m_rows.clear();
    m_columns.clear();
    endResetModel();
    Q_EMIT previewChanged();
}

int DatasetPreview::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DatasetPreview::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case RecordIndexRole:
        return row.index;
    case CellsRole:
        return row.cells;
    default:
        return {};
    }
}

QHash<int, QByteArray> DatasetPreview::roleNames() const
{
    return {
        {RecordIndexRole, "recordIndex"},
        {CellsRole, "cells"},
    };
}

} // namespace sluice
