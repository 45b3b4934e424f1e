#pragma once

#include "core/budget.h"
#include "core/prompttemplate.h"
#include "engine/batch/dataset.h"
#include "engine/batch/runplan.h"
#include "engine/batch/runstore.h"
#include "engine/llmservice.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <deque>
#include <memory>
#include <optional>

namespace sluice {

/// How a batch run is set up; fixed once it starts (the budget cap aside).
struct BatchRunConfig
{
    RunTemplate request;
    QString inputPath;
    QString idField = QStringLiteral("id");
    std::optional<DatasetReader::Format> format; ///< empty: from the file's extension
    /// Rows submitted to the service at once (in its gates or on the wire);
    /// 0: twice the concurrency. The dataset is read only this far ahead.
    int rowsInFlight = 0;
    std::optional<PicoAmount> budgetCap; ///< the run's money cap (none: no cap)
    /// At the cap: Pause (the GUI: raise the cap with setBudgetCap() to go
    /// on) or Stop (the CLI: the rows not sent are written as `skipped`).
    enum class AtBudget {
        Pause,
        Stop,
    };
    AtBudget atBudget = AtBudget::Pause;
    bool keepContent = true; ///< false: no prompts or outputs in lines, journal or config
    QString operation = QStringLiteral("batch"); ///< metrics and traces keep rows under it
    QJsonObject
        settings; ///< kept with the run's config for people (limits, ...); not fingerprinted
};

/// SHA-256 (hex) of a file's bytes, read in chunks; empty with a one-line
/// `error` when it cannot be read. A run's input is identified by it.
[[nodiscard]] QString fileDigest(const QString &path, QString *error);

/// What `--resume` must match: SHA-256 of the canonical JSON of the provider,
/// base URL, model, prompt and instructions templates, schema, max output
/// tokens, id field and the input file's digest. Not the limits, the budget
/// or the key: they change how fast and how much, not the answers.
[[nodiscard]] QString runConfigFingerprint(
    const RunTemplate &request, const QString &idField, const QString &inputDigest);

/// Counts for progress displays; `finished` counts the lines this session emitted.
struct BatchProgress
{
    qint64 rowsRead = 0;    ///< good rows read from the dataset so far
    qint64 alreadyDone = 0; ///< rows a resume found finished in the journal (not sent again)
    qint64 finished = 0;    ///< lines emitted: ok + notOk + skipped
    qint64 ok = 0;
    qint64 notOk = 0; ///< invalid_output, refused, incomplete, failed
    qint64 skipped = 0;
    qint64 resent = 0; ///< rows a crash had left in flight, sent again
    int inFlight = 0;  ///< submitted and not yet back
};

/// A run of one request template over a dataset, through an LlmService at
/// `Priority::Batch` (so a user's interactive requests on the same service go
/// ahead of its rows) and journalled in a RunStore:
///
/// - rows are read from the file as they are needed: at most `rowsInFlight`
///   are held at once, so memory stays flat for any dataset size;
/// - each row is committed as sending before it is submitted and as done,
///   with its output line (rowrecord.h) and trace, when it finishes; so a
///   kill -9 loses nothing, and continueRun() skips done rows and sends the
///   ones left in flight again (the journal marks them `resent`); rows a
///   stopped run wrote as `skipped` are sent again too;
/// - pause() stops taking rows (those in flight finish), resume() goes on,
///   cancel() withdraws the rows in flight and ends the run (no lines for
///   them; the run is `cancelled` and cannot be continued);
/// - an answer of class `quota_exhausted` or `auth` stops the run: the rows
///   in flight are withdrawn and every row not sent is emitted (and
///   journalled) as `skipped` with that class; the state becomes Stopped;
/// - at the budget cap the run pauses (AtBudget::Pause; setBudgetCap() with a
///   higher cap goes on) or stops like above with class `budget`, letting the
///   rows already admitted finish.
///
/// Single-threaded: lives on the service's thread. Signals come from there.
class BatchRun : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle,      ///< not started
        Running,   ///< taking rows
        Paused,    ///< not taking rows; pauseReason() says why
        Stopped,   ///< ended early; stopReason() and stopClass() say why
        Finished,  ///< every row has its line
        Cancelled, ///< cancel() was called
    };
    Q_ENUM(State)

    /// `service` and `store` (open) must outlive the run.
    BatchRun(
        LlmService &service, RunStore &store, BatchRunConfig config, QObject *parent = nullptr);
    ~BatchRun() override;

    /// Opens the dataset, creates a run in the store and starts taking rows
    /// (from the event loop). False with a one-line `error`.
    bool start(QString *error);
    /// Continues the run `runId` of the store (its config fingerprint must be
    /// this config's). False with a one-line `error`.
    bool continueRun(const QString &runId, QString *error);

    void pause();
    void resume();
    void cancel();
    /// Replaces the cap (nullopt: none). What the run spent and reserved so
    /// far counts against the new cap. Resumes a run paused at the cap.
    void setBudgetCap(std::optional<PicoAmount> cap);

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] const QString &runId() const { return m_runId; }
    [[nodiscard]] const QString &configFingerprint() const { return m_configFingerprint; }
    [[nodiscard]] const BatchProgress &progress() const { return m_progress; }
    [[nodiscard]] const QString &pauseReason() const { return m_pauseReason; }
    [[nodiscard]] const QString &stopReason() const { return m_stopReason; }
    /// `quota_exhausted`, `auth`, `budget` or `run_store`.
    [[nodiscard]] const QString &stopClass() const { return m_stopClass; }
    /// Money spent by this session's rows, in pico-units of the price table's currency.
    [[nodiscard]] PicoAmount spent() const;
    /// Records that were not sent: unreadable ones (the dataset's problems)
    /// and rows whose id an earlier row already had; the first ones, and all counted.
    [[nodiscard]] QList<DatasetProblem> problems() const;
    [[nodiscard]] qint64 problemCount() const;

Q_SIGNALS:
    /// One finished row's output line, as it finishes (skipped rows included).
    void rowFinished(const QJsonObject &line);
    void progressChanged();
    void stateChanged(sluice::BatchRun::State state);
    /// The run stopped early; every row has its line by now.
    void stopped(const QString &reason);
    /// No more rows will finish: Finished, Stopped or Cancelled.
    void ended();

private:
    struct Pending
    {
        DatasetRow row;
        RequestHandle handle;
    };

    bool open(QString *error);
    void schedulePump();
    void pump();
    /// The next row to send: turned back by the budget, else read (a resume
    /// skips what the journal has done; `resent`: the journal had it in flight).
    bool nextRow(DatasetRow &row, bool &resent);
    void submitRow(DatasetRow row, bool resent);
    void onResult(quint64 key, const GenerationResult &result);
    /// Journals `journalLine` (without content unless kept) and emits `line`.
    void emitLine(const DatasetRow &row, const QJsonObject &line, const QJsonObject &journalLine,
        const QJsonObject &trace);
    /// The row's line as never sent, with the stop's class and reason.
    void emitSkipped(const DatasetRow &row);
    void beginStop(const QString &errorClass, const QString &reason, bool withdraw);
    void skipRemaining();
    void endAs(State state);
    void setState(State state);
    void storeStatus(const QString &status, const QString &reason);
    void failStore(const QString &error);
    [[nodiscard]] int window() const;

    LlmService &m_service;
    RunStore &m_store;
    BatchRunConfig m_config;
    PromptTemplate m_prompt;
    PromptTemplate m_instructions;
    DatasetReader m_reader;
    bool m_readerDone = false;
    bool m_resuming = false;
    std::deque<DatasetRow> m_requeued; ///< rows the budget turned back, sent first
    QHash<quint64, Pending> m_pending; ///< by key, while submitted
    quint64 m_nextKey = 1;
    std::shared_ptr<Budget> m_budget;
    PicoAmount m_spent = 0;
    State m_state = State::Idle;
    bool m_pumpQueued = false;
    bool m_stopping = false;
    bool m_pausedAtBudget = false;
    bool m_storeFailed = false;
    QString m_runId;
    QString m_configFingerprint;
    QString m_pauseReason;
    QString m_stopReason;
    QString m_stopClass;
    BatchProgress m_progress;
    QList<DatasetProblem> m_duplicates; ///< the first ones
    qint64 m_duplicateCount = 0;
};

} // namespace sluice
