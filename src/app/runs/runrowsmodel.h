#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QQmlEngine>
#include <QTimer>
#include <QVariantMap>

#include <memory>
#include <optional>

namespace sluice {

class RunStore;

/// The rows of one run, as output lines (engine/batch/rowrecord.h): status,
/// output, cost, latency, error. Memory stays bounded for any run size: the
/// model keeps at most `capacity` rows matching `statusFilter`, while the
/// counts by status cover every row. Rows come from the run store
/// (reload()) or live from a batch (appendLine()); changing the filter
/// reads the matching rows from the store again.
class RunRowsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(QString storePath READ storePath WRITE setStorePath NOTIFY sourceChanged)
    Q_PROPERTY(QString runId READ runId WRITE setRunId NOTIFY sourceChanged)
    /// An output line status (`ok`, `failed`, ...), or "" for every row.
    Q_PROPERTY(
        QString statusFilter READ statusFilter WRITE setStatusFilter NOTIFY statusFilterChanged)
    Q_PROPERTY(int capacity READ capacity WRITE setCapacity NOTIFY capacityChanged)
    Q_PROPERTY(int count READ count NOTIFY countsChanged)
    Q_PROPERTY(double totalRows READ totalRows NOTIFY countsChanged)
    Q_PROPERTY(double matchingRows READ matchingRows NOTIFY countsChanged)
    /// Status -> rows, over the whole run.
    Q_PROPERTY(QVariantMap countsByStatus READ countsByStatus NOTIFY countsChanged)
    /// Statuses seen, in a fixed order; filterChoices puts "" (every row) first.
    Q_PROPERTY(QStringList statuses READ statuses NOTIFY countsChanged)
    Q_PROPERTY(QStringList filterChoices READ filterChoices NOTIFY countsChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)

public:
    enum Role {
        RowIdRole = Qt::UserRole + 1,
        RowIndexRole,
        StatusRole,
        OutputRole,  ///< text or compact JSON, cut at kOutputChars
        CostUsdRole, ///< a number, or undefined when the price is unknown
        LatencyMsRole,
        QueueMsRole,
        AttemptsRole,
        ErrorClassRole,
        ErrorMessageRole,
        TraceIdRole,
    };

    static constexpr int kOutputChars = 500;

    explicit RunRowsModel(QObject *parent = nullptr);
    ~RunRowsModel() override;

    [[nodiscard]] QString storePath() const { return m_storePath; }
    void setStorePath(const QString &path);
    [[nodiscard]] QString runId() const { return m_runId; }
    void setRunId(const QString &runId);
    [[nodiscard]] QString statusFilter() const { return m_statusFilter; }
    void setStatusFilter(const QString &status);
    [[nodiscard]] int capacity() const { return m_capacity; }
    void setCapacity(int capacity);
    [[nodiscard]] int count() const { return int(m_rows.size()); }
    /// Counts are doubles for QML (exact far beyond any run).
    [[nodiscard]] double totalRows() const { return double(m_totalRows); }
    [[nodiscard]] double matchingRows() const;
    [[nodiscard]] QVariantMap countsByStatus() const;
    [[nodiscard]] QStringList statuses() const;
    [[nodiscard]] QStringList filterChoices() const { return QStringList {QString()} + statuses(); }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }

    /// Reads the run's rows from the store (the first `capacity` that match).
    Q_INVOKABLE void reload();
    /// Forgets every row (a new run starts).
    Q_INVOKABLE void reset();
    /// A finished row, live: counted at once, and kept if it matches and
    /// fits. Views hear of new rows in batches (flush(), at most 10 a second).
    void appendLine(const QJsonObject &line);
    /// A finished row that replaces the line counted for it with
    /// `previousStatus` (a continued run sends its skipped rows again): the
    /// counts move, and a row shown shows the new line in its place.
    void replaceLine(const QJsonObject &line, const QString &previousStatus);
    /// Shows the rows appended since the last flush.
    void flush();
    /// The stored trace of the row at `row` (empty when not in the store).
    Q_INVOKABLE QVariantMap traceAt(int row);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void sourceChanged();
    void statusFilterChanged();
    void capacityChanged();
    void countsChanged();
    void errorMessageChanged();

private:
    struct Row
    {
        QString rowId;
        qint64 rowIndex = 0;
        QString status;
        QString output;
        std::optional<double> costUsd;
        double latencyMs = 0;
        double queueMs = 0;
        int attempts = 0;
        QString errorClass;
        QString errorMessage;
        QString traceId;
    };

    [[nodiscard]] static Row rowFromLine(const QJsonObject &line, qint64 rowIndex);
    [[nodiscard]] bool matches(const QString &status) const;
    /// The store at storePath, opened on first use; null with errorMessage set.
    RunStore *store();
    void setErrorMessage(const QString &message);
    /// Reads the matching rows again, keeping the counts.
    void reloadRows();

    QString m_storePath;
    QString m_runId;
    QString m_statusFilter;
    int m_capacity = 2000;
    QList<Row> m_rows;
    QList<Row> m_incoming; ///< appended, not shown yet
    QTimer m_flushTimer;
    qint64 m_totalRows = 0;
    QHash<QString, qint64> m_counts;
    std::unique_ptr<RunStore> m_store;
    QString m_errorMessage;
};

} // namespace sluice
