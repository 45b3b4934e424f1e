#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace sluice {

/// One run as the store knows it.
struct RunInfo
{
    QString runId;             ///< e.g. `run_20261130T041800Z_3f9a` (sortable, unique)
    QDateTime createdAt;       ///< UTC
    QJsonObject config;        ///< what the run was started with; keys masked (redactor)
    QString configFingerprint; ///< SHA-256 of what shapes the answers (resume must match)
    QString status;            ///< `running`, `paused`, `stopped`, `finished`, `cancelled`
    QString stopReason;        ///< for `stopped`: e.g. "quota exhausted"
    QString priceTableVersion;
    qint64 rowCount = 0; ///< rows journalled so far
};

/// A row's place in the journal.
enum class RowState {
    Pending,  ///< known, not sent
    InFlight, ///< committed as sending; a crash leaves it here
    Done,     ///< its result line is committed
};

/// One journalled row.
struct StoredRow
{
    QString rowId;
    qint64 rowIndex = 0;
    RowState state = RowState::Pending;
    QString fingerprint;
    int sends = 0;       ///< how many times it was committed as sending
    bool resent = false; ///< sent again after a crash left it in flight
    QJsonObject line;    ///< the output line (rowrecord.h) once Done
    QJsonObject trace;   ///< the request's trace (core/tracejson.h) once Done
};

/// A provider batch that a run created (ProviderBatchJob::batchCreated): a
/// resume follows it by id instead of submitting its rows again.
struct StoredProviderBatch
{
    QString batchId;
    QString provider;    ///< the dialect that created it, e.g. `openai-responses`
    QStringList rowIds;  ///< the rows it holds
    QDateTime createdAt; ///< UTC, when the store learnt of it
};

/// The run store: SQLite through Qt SQL, in WAL mode, one file holding many
/// runs. Every row is committed before it is sent (InFlight) and again when
/// it finishes (Done, with its line and trace), each in its own transaction,
/// so a kill -9 loses nothing: a resume skips Done rows and sends InFlight
/// ones again, marked `resent`. Prompts and outputs are kept only when the
/// run's privacy setting allows (the caller passes lines accordingly).
/// One connection per instance; usable from one thread.
///
/// Durability: `synchronous=NORMAL` in WAL mode syncs the log at checkpoints,
/// not at every commit. A commit is in the operating system's hands when the
/// call returns, so a killed process (kill -9, a crash) loses nothing; a power
/// loss may lose the last commits, which a resume then sends again. An fsync
/// per row would cost far more than the request it journals.
class RunStore
{
public:
    /// PRAGMA user_version of the tables this build writes; a newer file is
    /// refused, an older one is brought up to it when opened (version 2 added
    /// the provider batches).
    static constexpr int kSchemaVersion = 2;

    RunStore();
    ~RunStore();

    /// Opens or creates the database at `path` (its folder is created).
    /// False with a one-line `error` (unwritable folder, not a Sluice store,
    /// a newer schema version).
    bool open(const QString &path, QString *error);
    [[nodiscard]] QString path() const;

    /// A new run; `configFingerprint` is what a resume must match.
    std::optional<RunInfo> createRun(const QJsonObject &config, const QString &configFingerprint,
        const QString &priceTableVersion, QString *error);
    [[nodiscard]] std::optional<RunInfo> run(const QString &runId) const;
    /// Newest first.
    [[nodiscard]] QList<RunInfo> runs() const;
    /// The newest run with this fingerprint that is not `finished` or `cancelled`.
    [[nodiscard]] std::optional<RunInfo> latestUnfinished(const QString &configFingerprint) const;
    bool setRunStatus(
        const QString &runId, const QString &status, const QString &stopReason, QString *error);

    /// The row's journal entry, if it has one.
    [[nodiscard]] std::optional<StoredRow> row(const QString &runId, const QString &rowId) const;
    /// Commits the row as sending (creating it if new). A row found InFlight
    /// is marked resent; a Done row sent again (a retry of failures) is not,
    /// and keeps its previous line until markDone replaces it.
    bool markSending(const QString &runId, const QString &rowId, qint64 rowIndex,
        const QString &fingerprint, QString *error);
    /// Commits the row as Done with its output line and trace (creating it
    /// if new: a skipped row is never sent). An empty trace is stored as none.
    bool markDone(const QString &runId, const QString &rowId, qint64 rowIndex,
        const QJsonObject &line, const QJsonObject &trace, QString *error);

    /// Commits a provider batch of the run and the rows it holds, as soon as
    /// it exists: a process killed after this call never submits them again.
    bool addProviderBatch(const QString &runId, const QString &batchId, const QString &provider,
        const QStringList &rowIds, QString *error);
    /// The run's provider batches, oldest first; nullopt with `error` when
    /// they cannot be read.
    [[nodiscard]] std::optional<QList<StoredProviderBatch>> providerBatches(
        const QString &runId, QString *error) const;

    /// Visits the run's rows in row index order until `visit` returns false.
    /// Reads in pages, so memory stays flat for any run size.
    bool forEachRow(const QString &runId, const std::function<bool(const StoredRow &)> &visit,
        QString *error) const;
    /// Counts by state and by status, for progress and summaries.
    struct Counts
    {
        qint64 done = 0;
        qint64 inFlight = 0;
        QHash<QString, qint64> byStatus; ///< output line status -> rows
    };
    [[nodiscard]] Counts counts(const QString &runId) const;

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace sluice
