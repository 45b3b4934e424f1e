#include "engine/batch/runstore.h"

#include "core/redaction.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

namespace sluice {

namespace {

/// PRAGMA application_id: marks the file as a Sluice run store ("SLCE").
constexpr int kApplicationId = 0x534C4345;
constexpr int kBusyTimeoutMs = 5000;
constexpr int kWalRetryMs = 10;
constexpr int kSqliteNotADatabase = 26; ///< SQLITE_NOTADB
constexpr int kPageRows = 500;
constexpr int kCheckpointPages = 10000;
constexpr int kRunIdTries = 8;

const QStringList &runStatuses()
{
    static const QStringList statuses {QStringLiteral("running"), QStringLiteral("paused"),
        QStringLiteral("stopped"), QStringLiteral("finished"), QStringLiteral("cancelled")};
    return statuses;
}

RowState stateFromName(const QString &name)
{
    if (name == u"in_flight")
        return RowState::InFlight;
    if (name == u"done")
        return RowState::Done;
    return RowState::Pending;
}

/// Qt binds a null QString as SQL NULL; the text columns hold '' instead.
QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString jsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject jsonObject(const QVariant &text)
{
    return text.isNull() ? QJsonObject()
                         : QJsonDocument::fromJson(text.toString().toUtf8()).object();
}

QString newRunId()
{
    return QStringLiteral("run_%1_%2")
        .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")))
        .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
}

// The schema: the statements that bring a store from version N - 1 to N,
// at index N - 1. `rows.status` repeats the line's status so that counts
// need no JSON; the index carries row_id to page on a unique key. Version 2
// adds the provider batches a `--batch-api` run created, so that a resume
// follows them instead of paying for their rows twice.
const QList<QList<const char *>> &migrations()
{
    static const QList<QList<const char *>> steps {
        {
            "CREATE TABLE runs ("
            " run_id TEXT PRIMARY KEY,"
            " created_at TEXT NOT NULL,"
            " config_json TEXT NOT NULL,"
            " config_fingerprint TEXT NOT NULL,"
            " status TEXT NOT NULL,"
            " stop_reason TEXT NOT NULL DEFAULT '',"
            " price_table_version TEXT NOT NULL DEFAULT '')",
            "CREATE INDEX runs_by_fingerprint ON runs (config_fingerprint, created_at)",
            "CREATE TABLE rows ("
            " run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,"
            " row_id TEXT NOT NULL,"
            " row_index INTEGER NOT NULL,"
            " state TEXT NOT NULL,"
            " fingerprint TEXT NOT NULL DEFAULT '',"
            " sends INTEGER NOT NULL DEFAULT 0,"
            " resent INTEGER NOT NULL DEFAULT 0,"
            " status TEXT,"
            " line_json TEXT,"
            " trace_json TEXT,"
            " updated_at TEXT NOT NULL,"
            " PRIMARY KEY (run_id, row_id))",
            "CREATE INDEX rows_by_index ON rows (run_id, row_index, row_id)",
        },
        {
            "CREATE TABLE provider_batches ("
            " run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,"
            " batch_id TEXT NOT NULL,"
            " provider TEXT NOT NULL,"
            " row_ids_json TEXT NOT NULL,"
            " created_at TEXT NOT NULL,"
            " PRIMARY KEY (run_id, batch_id))",
        },
    };
    return steps;
}

constexpr const char *kRunColumns
    = "SELECT r.run_id, r.created_at, r.config_json, r.config_fingerprint, r.status,"
      " r.stop_reason, r.price_table_version,"
      " (SELECT COUNT(*) FROM rows w WHERE w.run_id = r.run_id) FROM runs r ";

constexpr const char *kRowColumns
    = "SELECT row_id, row_index, state, fingerprint, sends, resent, line_json, trace_json "
      "FROM rows ";

RunInfo runFrom(const QSqlQuery &q)
{
    RunInfo info;
    info.runId = q.value(0).toString();
    info.createdAt = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
    info.config = jsonObject(q.value(2));
    info.configFingerprint = q.value(3).toString();
    info.status = q.value(4).toString();
    info.stopReason = q.value(5).toString();
    info.priceTableVersion = q.value(6).toString();
    info.rowCount = q.value(7).toLongLong();
    return info;
}

StoredRow rowFrom(const QSqlQuery &q)
{
    StoredRow row;
    row.rowId = q.value(0).toString();
    row.rowIndex = q.value(1).toLongLong();
    row.state = stateFromName(q.value(2).toString());
    row.fingerprint = q.value(3).toString();
    row.sends = q.value(4).toInt();
    row.resent = q.value(5).toBool();
    row.line = jsonObject(q.value(6));
    row.trace = jsonObject(q.value(7));
    return row;
}

} // namespace

/// The connection and its statements, prepared once in open() and reused.
struct RunStore::State
{
    QString connection;
    QString path;
    QSqlDatabase db;
    QSqlQuery sending;
    QSqlQuery done;
    QSqlQuery rowById;
    QSqlQuery rowPage;

    /// "run store <path>: <what> failed: <SQLite's own words>"
    QString fail(const QString &what, const QSqlError &sqlError) const
    {
        const QString why
            = sqlError.databaseText().isEmpty() ? sqlError.text() : sqlError.databaseText();
        return QStringLiteral("run store %1: %2 failed: %3").arg(path, what, why);
    }

    QString noRun(const QString &runId) const
    {
        return QStringLiteral("run store %1 has no run %2").arg(path, runId);
    }

    /// Why journalling a row failed: most often a run the store does not know.
    QString rowFailure(const QString &runId, const QString &what, const QSqlError &sqlError)
    {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT 1 FROM runs WHERE run_id = ?"));
        q.addBindValue(runId);
        if (q.exec() && !q.next())
            return noRun(runId);
        return fail(what, sqlError);
    }

    /// Runs one statement; false with `error` set.
    bool exec(const QString &sql, QString *error, QSqlQuery *out = nullptr)
    {
        QSqlQuery q(db);
        if (!q.exec(sql)) {
            *error = fail(sql.section(u' ', 0, 1), q.lastError()); // e.g. "CREATE TABLE"
            return false;
        }
        if (out)
            *out = std::move(q);
        return true;
    }

    std::optional<QVariant> pragma(const QString &sql, QString *error)
    {
        QSqlQuery q;
        if (!exec(sql, error, &q))
            return std::nullopt;
        return q.next() ? q.value(0) : QVariant();
    }

    bool prepare(QSqlQuery &q, const QString &sql, QString *error)
    {
        q = QSqlQuery(db);
        if (!q.prepare(sql)) {
            *error = fail(QStringLiteral("preparing a statement"), q.lastError());
            return false;
        }
        return true;
    }

    /// Creates the tables, or brings an older store up to this version,
    /// unless another process just did: IMMEDIATE takes the write lock
    /// first, so two first opens cannot both run the same step.
    bool migrate(QString *error)
    {
        if (!exec(QStringLiteral("BEGIN IMMEDIATE"), error))
            return false;
        const std::optional<QVariant> version
            = pragma(QStringLiteral("PRAGMA user_version"), error);
        bool ok = version.has_value();
        const int from = ok ? version->toInt() : RunStore::kSchemaVersion;
        for (int step = from; ok && step < RunStore::kSchemaVersion; ++step) {
            for (const char *statement : migrations().at(step))
                ok = ok && exec(QString::fromLatin1(statement), error);
        }
        if (ok && from == 0)
            ok = exec(QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId), error);
        if (ok && from < RunStore::kSchemaVersion) {
            ok = exec(
                QStringLiteral("PRAGMA user_version = %1").arg(RunStore::kSchemaVersion), error);
        }
        if (!ok) {
            QString ignored;
            exec(QStringLiteral("ROLLBACK"), &ignored);
            return false;
        }
        return exec(QStringLiteral("COMMIT"), error);
    }

    /// The file's first opener switches it to WAL, which needs it alone:
    /// SQLite answers "locked" at once to the others, so they try again
    /// for as long as busy_timeout would wait.
    bool switchToWal(QString *error)
    {
        QElapsedTimer waited;
        waited.start();
        for (;;) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("PRAGMA journal_mode = WAL")) && q.next()) {
                const QString mode = q.value(0).toString();
                if (mode == u"wal")
                    return true;
                *error = QStringLiteral("run store %1: cannot use write-ahead logging (journal "
                                        "mode stays %2); put the store on a local disk")
                             .arg(path, mode);
                return false;
            }
            if (waited.elapsed() > kBusyTimeoutMs) {
                *error = fail(QStringLiteral("switching to write-ahead logging"), q.lastError());
                return false;
            }
            QThread::msleep(kWalRetryMs);
        }
    }

    /// Settings first (the journal mode cannot change inside a transaction),
    /// then the schema: created when the file is new, else checked.
    bool setUp(QString *error)
    {
        if (!exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs), error))
            return false;
        // One statement, so one snapshot: another process may be creating
        // the tables meanwhile. The first read, too: where a non-database shows.
        QSqlQuery probe(db);
        if (!probe.exec(
                QStringLiteral("SELECT (SELECT user_version FROM pragma_user_version),"
                               " (SELECT application_id FROM pragma_application_id),"
                               " (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table')"))
            || !probe.next()) {
            const QSqlError sqlError = probe.lastError();
            *error = sqlError.nativeErrorCode() == QString::number(kSqliteNotADatabase)
                ? QStringLiteral("%1 is not a Sluice run store (%2); choose another path")
                      .arg(path, sqlError.databaseText())
                : fail(QStringLiteral("reading"), sqlError);
            return false;
        }
        const int version = probe.value(0).toInt();
        const int applicationId = probe.value(1).toInt();
        const bool fresh = version == 0 && probe.value(2).toInt() == 0;
        probe.finish();
        if (!fresh && applicationId != kApplicationId) {
            *error = QStringLiteral("%1 is an SQLite database but not a Sluice run store; "
                                    "choose another path")
                         .arg(path);
            return false;
        }
        if (version > RunStore::kSchemaVersion) {
            *error = QStringLiteral("run store %1 has schema version %2, newer than this Sluice "
                                    "reads (%3); upgrade Sluice or choose another path")
                         .arg(path)
                         .arg(version)
                         .arg(RunStore::kSchemaVersion);
            return false;
        }
        if (!switchToWal(error))
            return false;
        if (!exec(QStringLiteral("PRAGMA synchronous = NORMAL"), error)
            || !exec(QStringLiteral("PRAGMA wal_autocheckpoint = %1").arg(kCheckpointPages), error)
            || !exec(QStringLiteral("PRAGMA foreign_keys = ON"), error))
            return false;
        if (version < RunStore::kSchemaVersion && !migrate(error))
            return false;
        return prepareStatements(error);
    }

    bool prepareStatements(QString *error)
    {
        // One statement each, so one implicit transaction per call. On
        // conflict, the right-hand sides read the row as it was: a row found
        // in flight is being sent again after a crash.
        return prepare(sending,
                   QStringLiteral(
                       "INSERT INTO rows (run_id, row_id, row_index, state, fingerprint, sends,"
                       " resent, updated_at) VALUES (?, ?, ?, 'in_flight', ?, 1, 0, ?)"
                       " ON CONFLICT (run_id, row_id) DO UPDATE SET"
                       " row_index = excluded.row_index, fingerprint = excluded.fingerprint,"
                       " sends = sends + 1, resent = (resent OR state = 'in_flight'),"
                       " state = 'in_flight', updated_at = excluded.updated_at"),
                   error)
            && prepare(done,
                QStringLiteral(
                    "INSERT INTO rows (run_id, row_id, row_index, state, status, line_json,"
                    " trace_json, updated_at) VALUES (?, ?, ?, 'done', ?, ?, ?, ?)"
                    " ON CONFLICT (run_id, row_id) DO UPDATE SET"
                    " row_index = excluded.row_index, state = 'done', status = excluded.status,"
                    " line_json = excluded.line_json, trace_json = excluded.trace_json,"
                    " updated_at = excluded.updated_at"),
                error)
            && prepare(rowById,
                QString::fromLatin1(kRowColumns)
                    + QStringLiteral("WHERE run_id = ? AND row_id = ?"),
                error)
            && prepare(rowPage,
                QString::fromLatin1(kRowColumns)
                    + QStringLiteral("WHERE run_id = ? AND (row_index > ? OR (row_index = ? AND "
                                     "row_id > ?)) ORDER BY row_index, row_id LIMIT %1")
                          .arg(kPageRows),
                error);
    }

    void close()
    {
        sending = QSqlQuery();
        done = QSqlQuery();
        rowById = QSqlQuery();
        rowPage = QSqlQuery();
        db.close();
        db = QSqlDatabase();
        if (!connection.isEmpty())
            QSqlDatabase::removeDatabase(connection);
        connection.clear();
    }

    bool isOpen(QString *error) const
    {
        if (db.isOpen())
            return true;
        if (error)
            *error = QStringLiteral("the run store is not open");
        return false;
    }
};

RunStore::RunStore() : d(std::make_unique<State>()) { }

RunStore::~RunStore()
{
    d->close();
}

bool RunStore::open(const QString &path, QString *error)
{
    d->close();
    d->path = path;
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder)) {
        *error = QStringLiteral("cannot create the folder %1 for the run store; choose a "
                                "writable path")
                     .arg(folder);
        return false;
    }
    d->connection = QStringLiteral("sluice-runstore-") + QUuid::createUuid().toString(QUuid::Id128);
    d->db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connection);
    if (!d->db.isValid()) {
        *error = QStringLiteral("the SQLite driver of Qt SQL (QSQLITE) is missing; install "
                                "libqt6sql6-sqlite");
        d->close();
        return false;
    }
    d->db.setDatabaseName(path);
    if (!d->db.open()) {
        *error = QStringLiteral("cannot open the run store %1: %2; choose a writable path")
                     .arg(path, d->db.lastError().text());
        d->close();
        return false;
    }
    if (!d->setUp(error)) {
        d->close();
        return false;
    }
    return true;
}

QString RunStore::path() const
{
    return d->path;
}

std::optional<RunInfo> RunStore::createRun(const QJsonObject &config,
    const QString &configFingerprint, const QString &priceTableVersion, QString *error)
{
    if (!d->isOpen(error))
        return std::nullopt;
    QSqlQuery q(d->db);
    q.prepare(QStringLiteral(
        "INSERT INTO runs (run_id, created_at, config_json, config_fingerprint, status,"
        " price_table_version) VALUES (?, ?, ?, ?, 'running', ?)"));
    RunInfo info;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.config = config;
    info.configFingerprint = configFingerprint;
    info.status = QStringLiteral("running");
    info.priceTableVersion = priceTableVersion;
    // Two runs started in the same second differ by their random suffix; a
    // clash is taken again.
    for (int attempt = 0; attempt < kRunIdTries; ++attempt) {
        info.runId = newRunId();
        q.bindValue(0, info.runId);
        q.bindValue(1, info.createdAt.toString(Qt::ISODateWithMs));
        q.bindValue(2, redactSecrets(jsonText(config))); // a key put there by mistake stays out
        q.bindValue(3, notNull(configFingerprint));
        q.bindValue(4, notNull(priceTableVersion));
        if (q.exec())
            return info;
        if (run(info.runId))
            continue;
        *error = d->fail(QStringLiteral("creating a run"), q.lastError());
        return std::nullopt;
    }
    *error = d->fail(QStringLiteral("creating a run"), q.lastError());
    return std::nullopt;
}

std::optional<RunInfo> RunStore::run(const QString &runId) const
{
    if (!d->isOpen(nullptr))
        return std::nullopt;
    QSqlQuery q(d->db);
    q.prepare(QString::fromLatin1(kRunColumns) + QStringLiteral("WHERE r.run_id = ?"));
    q.addBindValue(runId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return runFrom(q);
}

QList<RunInfo> RunStore::runs() const
{
    QList<RunInfo> list;
    if (!d->isOpen(nullptr))
        return list;
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (q.exec(QString::fromLatin1(kRunColumns)
            + QStringLiteral("ORDER BY r.created_at DESC, r.rowid DESC"))) {
        while (q.next())
            list.append(runFrom(q));
    }
    return list;
}

std::optional<RunInfo> RunStore::latestUnfinished(const QString &configFingerprint) const
{
    if (!d->isOpen(nullptr))
        return std::nullopt;
    QSqlQuery q(d->db);
    q.prepare(QString::fromLatin1(kRunColumns)
        + QStringLiteral("WHERE r.config_fingerprint = ? AND r.status NOT IN ('finished', "
                         "'cancelled') ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1"));
    q.addBindValue(configFingerprint);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return runFrom(q);
}

bool RunStore::setRunStatus(
    const QString &runId, const QString &status, const QString &stopReason, QString *error)
{
    if (!d->isOpen(error))
        return false;
    if (!runStatuses().contains(status)) {
        *error = QStringLiteral("unknown run status \"%1\"; use one of %2")
                     .arg(status, runStatuses().join(QStringLiteral(", ")));
        return false;
    }
    QSqlQuery q(d->db);
    q.prepare(QStringLiteral("UPDATE runs SET status = ?, stop_reason = ? WHERE run_id = ?"));
    q.addBindValue(status);
    q.addBindValue(notNull(stopReason));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = d->fail(QStringLiteral("setting the status of %1").arg(runId), q.lastError());
        return false;
    }
    if (q.numRowsAffected() == 0) {
        *error = d->noRun(runId);
        return false;
    }
    return true;
}

std::optional<StoredRow> RunStore::row(const QString &runId, const QString &rowId) const
{
    if (!d->isOpen(nullptr))
        return std::nullopt;
    QSqlQuery &q = d->rowById;
    q.bindValue(0, runId);
    q.bindValue(1, rowId);
    std::optional<StoredRow> found;
    if (q.exec() && q.next())
        found = rowFrom(q);
    q.finish();
    return found;
}

bool RunStore::markSending(const QString &runId, const QString &rowId, qint64 rowIndex,
    const QString &fingerprint, QString *error)
{
    if (!d->isOpen(error))
        return false;
    QSqlQuery &q = d->sending;
    q.bindValue(0, runId);
    q.bindValue(1, rowId);
    q.bindValue(2, rowIndex);
    q.bindValue(3, notNull(fingerprint));
    q.bindValue(4, nowText());
    if (!q.exec()) {
        *error = d->rowFailure(runId,
            QStringLiteral("journalling row %1 of %2 as sending").arg(rowId, runId), q.lastError());
        return false;
    }
    return true;
}

bool RunStore::markDone(const QString &runId, const QString &rowId, qint64 rowIndex,
    const QJsonObject &line, const QJsonObject &trace, QString *error)
{
    if (!d->isOpen(error))
        return false;
    QSqlQuery &q = d->done;
    q.bindValue(0, runId);
    q.bindValue(1, rowId);
    q.bindValue(2, rowIndex);
    q.bindValue(3, line.value(QLatin1String("status")).toString());
    q.bindValue(4, jsonText(line));
    q.bindValue(5, trace.isEmpty() ? QVariant() : QVariant(jsonText(trace)));
    q.bindValue(6, nowText());
    if (!q.exec()) {
        *error = d->rowFailure(runId,
            QStringLiteral("journalling row %1 of %2 as done").arg(rowId, runId), q.lastError());
        return false;
    }
    return true;
}

bool RunStore::addProviderBatch(const QString &runId, const QString &batchId,
    const QString &provider, const QStringList &rowIds, QString *error)
{
    if (!d->isOpen(error))
        return false;
    QSqlQuery q(d->db);
    q.prepare(QStringLiteral("INSERT INTO provider_batches (run_id, batch_id, provider,"
                             " row_ids_json, created_at) VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(runId);
    q.addBindValue(notNull(batchId));
    q.addBindValue(notNull(provider));
    q.addBindValue(QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(rowIds)).toJson(QJsonDocument::Compact)));
    q.addBindValue(nowText());
    if (!q.exec()) {
        *error = d->rowFailure(runId,
            QStringLiteral("recording provider batch %1 of %2").arg(batchId, runId), q.lastError());
        return false;
    }
    return true;
}

std::optional<QList<StoredProviderBatch>> RunStore::providerBatches(
    const QString &runId, QString *error) const
{
    if (!d->isOpen(error))
        return std::nullopt;
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT batch_id, provider, row_ids_json, created_at FROM"
                             " provider_batches WHERE run_id = ? ORDER BY created_at, rowid"));
    q.addBindValue(runId);
    if (!q.exec()) {
        *error = d->fail(
            QStringLiteral("reading the provider batches of %1").arg(runId), q.lastError());
        return std::nullopt;
    }
    QList<StoredProviderBatch> batches;
    while (q.next()) {
        StoredProviderBatch batch;
        batch.batchId = q.value(0).toString();
        batch.provider = q.value(1).toString();
        for (const QJsonValue &id : QJsonDocument::fromJson(q.value(2).toString().toUtf8()).array())
            batch.rowIds << id.toString();
        batch.createdAt = QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs);
        batches.append(batch);
    }
    return batches;
}

bool RunStore::forEachRow(
    const QString &runId, const std::function<bool(const StoredRow &)> &visit, QString *error) const
{
    if (!d->isOpen(error))
        return false;
    qint64 afterIndex = -1;
    QString afterId;
    QList<StoredRow> page;
    page.reserve(kPageRows);
    for (;;) {
        // A page is read whole before it is visited, so `visit` may use the store.
        QSqlQuery &q = d->rowPage;
        q.bindValue(0, runId);
        q.bindValue(1, afterIndex);
        q.bindValue(2, afterIndex);
        q.bindValue(3, afterId);
        if (!q.exec()) {
            *error = d->fail(QStringLiteral("reading the rows of %1").arg(runId), q.lastError());
            return false;
        }
        page.clear();
        while (q.next())
            page.append(rowFrom(q));
        q.finish();
        for (const StoredRow &row : std::as_const(page)) {
            if (!visit(row))
                return true;
        }
        if (page.size() < kPageRows)
            return true;
        afterIndex = page.constLast().rowIndex;
        afterId = page.constLast().rowId;
    }
}

RunStore::Counts RunStore::counts(const QString &runId) const
{
    Counts counts;
    if (!d->isOpen(nullptr))
        return counts;
    QSqlQuery q(d->db);
    q.prepare(QStringLiteral("SELECT state, status, COUNT(*) FROM rows WHERE run_id = ?"
                             " GROUP BY state, status"));
    q.addBindValue(runId);
    if (!q.exec())
        return counts;
    while (q.next()) {
        const RowState state = stateFromName(q.value(0).toString());
        const qint64 n = q.value(2).toLongLong();
        if (state == RowState::InFlight)
            counts.inFlight += n;
        if (state == RowState::Done) {
            counts.done += n;
            counts.byStatus[q.value(1).toString()] += n;
        }
    }
    return counts;
}

} // namespace sluice
