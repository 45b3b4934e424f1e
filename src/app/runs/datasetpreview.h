#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QStringList>

namespace sluice {

class DatasetReader;

/// The first rows of a dataset, as text cells in the order of `columns`,
/// for the Batch page's preview. Each column says whether the prompt uses it.
class DatasetPreview : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("BatchController.preview holds the preview")

    Q_PROPERTY(QStringList columns READ columns NOTIFY previewChanged)
    /// One flag per column: true when a template variable reads it.
    Q_PROPERTY(QVariantList columnUsed READ columnUsed NOTIFY previewChanged)
    /// One {name, used} per column, for a header row.
    Q_PROPERTY(QVariantList headers READ headers NOTIFY previewChanged)
    Q_PROPERTY(int count READ count NOTIFY previewChanged)

public:
    enum Role {
        RecordIndexRole = Qt::UserRole + 1, ///< 0-based record index in the file
        CellsRole,                          ///< QStringList, one per column
    };

    static constexpr int kRows = 10;
    static constexpr int kCellChars = 200;

    explicit DatasetPreview(QObject *parent = nullptr);

    [[nodiscard]] QStringList columns() const { return m_columns; }
    [[nodiscard]] QVariantList columnUsed() const;
    [[nodiscard]] QVariantList headers() const;
    [[nodiscard]] int count() const { return int(m_rows.size()); }

    /// Reads the first kRows good rows of `reader` (open, at its start).
    void load(DatasetReader &reader);
    /// Marks the columns the templates' variables read.
    void setVariables(const QStringList &variables);
    void clear();

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void previewChanged();

private:
    struct Row
    {
        qint64 index = 0;
        QStringList cells;
    };

    QStringList m_columns;
    QStringList m_variables;
    QList<Row> m_rows;
};

} // namespace sluice
