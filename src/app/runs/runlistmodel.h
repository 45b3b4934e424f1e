#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QQmlEngine>
#include <QUrl>

namespace sluice {

/// The runs in the run store, newest first, each with its status and its
/// rows by status, for the Traces page. reload() reads the store again.
class RunListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(QString storePath READ storePath WRITE setStorePath NOTIFY storePathChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)

public:
    enum Role {
        RunIdRole = Qt::UserRole + 1,
        CreatedAtRole,
        StatusRole,
        StopReasonRole,
        ModelRole,    ///< the config's `model`, if it has one
        RowCountRole, ///< rows journalled
        SummaryRole,  ///< rows by status, e.g. "18 ok, 2 failed"
    };

    explicit RunListModel(QObject *parent = nullptr);

    [[nodiscard]] QString storePath() const { return m_storePath; }
    void setStorePath(const QString &path);
    [[nodiscard]] int count() const { return int(m_runs.size()); }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }

    Q_INVOKABLE void reload();
    /// The run id at `row` ("" out of range).
    Q_INVOKABLE QString runIdAt(int row) const;
    /// Writes run `runId` to `file` as `jsonl`, `csv`, `trace` (sluice-trace
    /// JSON) or `otlp` (engine/batch/exports.h). False with errorMessage set.
    Q_INVOKABLE bool exportRun(const QString &runId, const QUrl &file, const QString &format);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void storePathChanged();
    void countChanged();
    void errorMessageChanged();

private:
    struct Run
    {
        QString runId;
        QDateTime createdAt;
        QString status;
        QString stopReason;
        QString model;
        qint64 rowCount = 0;
        QString summary;
    };

    void setErrorMessage(const QString &message);

    QString m_storePath;
    QList<Run> m_runs;
    QString m_errorMessage;
};

} // namespace sluice
