#pragma once

#include "app/runs/datasetpreview.h"
#include "app/runs/runrowsmodel.h"
#include "engine/batch/runplan.h"

#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <optional>

namespace sluice {

class BatchRun;
class LlmService;
class RunStore;

/// The Batch page's controller: opens a CSV or JSONL dataset, previews its
/// first rows against the prompt's `{{variables}}` (missing columns named),
/// plans the run (rows, tokens, cost, ETA; engine/batch/runplan.h), runs it
/// through the service as a BatchRun journalled in the run store, and keeps
/// the results in a bounded RunRowsModel. The request comes from the
/// properties (bound to the Compose page's prompt and model in the app).
class BatchController : public QObject
{
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(QObject *service READ service WRITE setService NOTIFY serviceChanged)
    Q_PROPERTY(QString storePath READ storePath WRITE setStorePath NOTIFY storePathChanged)
    // What every row asks for.
    Q_PROPERTY(QString providerId MEMBER m_providerId NOTIFY requestChanged)
    Q_PROPERTY(QString baseUrl MEMBER m_baseUrl NOTIFY requestChanged)
    Q_PROPERTY(QString model MEMBER m_model NOTIFY requestChanged)
    Q_PROPERTY(QString prompt MEMBER m_prompt NOTIFY requestChanged)
    Q_PROPERTY(QString instructions MEMBER m_instructions NOTIFY requestChanged)
    Q_PROPERTY(int maxOutputTokens MEMBER m_maxOutputTokens NOTIFY requestChanged)
    Q_PROPERTY(bool stream MEMBER m_stream NOTIFY requestChanged)
    /// The JSON schema every answer must follow (structured output), as
    /// text; used only with useSchema and when it parses as an object.
    Q_PROPERTY(QString schemaText MEMBER m_schemaText NOTIFY requestChanged)
    Q_PROPERTY(bool useSchema MEMBER m_useSchema NOTIFY requestChanged)
    // The gates, for the plan's ETA (0: none).
    Q_PROPERTY(int requestsPerMinute MEMBER m_requestsPerMinute NOTIFY requestChanged)
    Q_PROPERTY(int tokensPerMinute MEMBER m_tokensPerMinute NOTIFY requestChanged)
    Q_PROPERTY(int windowSeconds MEMBER m_windowSeconds NOTIFY requestChanged)
    Q_PROPERTY(int concurrency MEMBER m_concurrency NOTIFY requestChanged)

    // The dataset.
    Q_PROPERTY(QString datasetPath READ datasetPath NOTIFY datasetChanged)
    Q_PROPERTY(QString datasetError READ datasetError NOTIFY datasetChanged)
    Q_PROPERTY(sluice::DatasetPreview *preview READ preview CONSTANT)
    /// The templates' variables, and those no column provides.
    Q_PROPERTY(QStringList variables READ variables NOTIFY planChanged)
    Q_PROPERTY(QStringList missingVariables READ missingVariables NOTIFY planChanged)
    /// The same as `{{a}}, {{b}}`, for a sentence.
    Q_PROPERTY(QString missingVariablesText READ missingVariablesText NOTIFY planChanged)
    Q_PROPERTY(QString templateError READ templateError NOTIFY planChanged)

    // The plan (valid once a dataset is open and the prompt parses).
    Q_PROPERTY(bool hasPlan READ hasPlan NOTIFY planChanged)
    Q_PROPERTY(double planRows READ planRows NOTIFY planChanged)
    Q_PROPERTY(double planBadRows READ planBadRows NOTIFY planChanged)
    Q_PROPERTY(double planRenderFailures READ planRenderFailures NOTIFY planChanged)
    Q_PROPERTY(double planInputTokens READ planInputTokens NOTIFY planChanged)
    Q_PROPERTY(double planOutputTokens READ planOutputTokens NOTIFY planChanged)
    Q_PROPERTY(QString planCost READ planCost NOTIFY planChanged)
    Q_PROPERTY(QString planCostMax READ planCostMax NOTIFY planChanged)
    Q_PROPERTY(double planEtaSeconds READ planEtaSeconds NOTIFY planChanged)
    Q_PROPERTY(QString planBoundBy READ planBoundBy NOTIFY planChanged)
    /// Unreadable records and rows missing a variable, a few, for people.
    Q_PROPERTY(QStringList planProblems READ planProblems NOTIFY planChanged)
    Q_PROPERTY(QString planProblemsText READ planProblemsText NOTIFY planChanged)

    // The run.
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString runId READ runId NOTIFY stateChanged)
    /// The unfinished run that openRun() opened and start() continues ("":
    /// start() makes a new run). Its dataset and request come from the
    /// run's stored config; the provider and endpoint are the page's.
    Q_PROPERTY(QString continuingRunId READ continuingRunId NOTIFY stateChanged)
    /// What the page should know about the run it continues (e.g. the run
    /// kept no prompt, so the Compose page's is sent); "" when nothing.
    Q_PROPERTY(QString continueNote READ continueNote NOTIFY stateChanged)
    Q_PROPERTY(QString stateReason READ stateReason NOTIFY stateChanged)
    Q_PROPERTY(bool canStart READ canStart NOTIFY stateChanged)
    Q_PROPERTY(double finishedRows READ finishedRows NOTIFY progressChanged)
    Q_PROPERTY(double okRows READ okRows NOTIFY progressChanged)
    Q_PROPERTY(double notOkRows READ notOkRows NOTIFY progressChanged)
    Q_PROPERTY(double skippedRows READ skippedRows NOTIFY progressChanged)
    Q_PROPERTY(int inFlight READ inFlight NOTIFY progressChanged)
    /// finished / planned rows, 0..1. Counts are doubles for QML.
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(sluice::RunRowsModel *results READ results CONSTANT)
    /// The run's money cap in the price table's currency (0: none). At the
    /// cap the run pauses; raiseBudget() with a higher cap goes on.
    Q_PROPERTY(double budget READ budget WRITE setBudget NOTIFY budgetChanged)
    Q_PROPERTY(bool pausedAtBudget READ pausedAtBudget NOTIFY stateChanged)
    /// What this run's rows have cost so far.
    Q_PROPERTY(QString spentText READ spentText NOTIFY progressChanged)
    /// The last thing that went wrong, saying what to do (empty: nothing).
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)

public:
    enum State {
        Idle,
        Running,
        Paused,
        Stopped,
        Finished,
        Cancelled,
    };
    Q_ENUM(State)

    explicit BatchController(QObject *parent = nullptr);
    ~BatchController() override;

    [[nodiscard]] QObject *service() const;
    void setService(QObject *service);
    [[nodiscard]] QString storePath() const { return m_storePath; }
    void setStorePath(const QString &path);

    [[nodiscard]] QString datasetPath() const { return m_datasetPath; }
    [[nodiscard]] QString datasetError() const { return m_datasetError; }
    [[nodiscard]] DatasetPreview *preview() { return &m_preview; }
    [[nodiscard]] QStringList variables() const { return m_variables; }
    [[nodiscard]] QStringList missingVariables() const { return m_missingVariables; }
    [[nodiscard]] QString missingVariablesText() const;
    [[nodiscard]] QString templateError() const { return m_templateError; }

    [[nodiscard]] bool hasPlan() const { return m_hasPlan; }
    [[nodiscard]] double planRows() const { return double(m_planRows); }
    [[nodiscard]] double planBadRows() const { return double(m_planBadRows); }
    [[nodiscard]] double planRenderFailures() const { return double(m_planRenderFailures); }
    [[nodiscard]] double planInputTokens() const { return double(m_planInputTokens); }
    [[nodiscard]] double planOutputTokens() const { return double(m_planOutputTokens); }
    [[nodiscard]] QString planCost() const { return m_planCost; }
    [[nodiscard]] QString planCostMax() const { return m_planCostMax; }
    [[nodiscard]] double planEtaSeconds() const { return m_planEtaSeconds; }
    [[nodiscard]] QString planBoundBy() const { return m_planBoundBy; }
    [[nodiscard]] QStringList planProblems() const { return m_planProblems; }
    [[nodiscard]] QString planProblemsText() const
    {
        return m_planProblems.join(QLatin1Char('\n'));
    }

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QString runId() const { return m_runId; }
    [[nodiscard]] QString continuingRunId() const { return m_continueRunId; }
    [[nodiscard]] QString continueNote() const { return m_continueNote; }
    [[nodiscard]] QString stateReason() const { return m_stateReason; }
    [[nodiscard]] bool canStart() const;
    [[nodiscard]] double finishedRows() const;
    [[nodiscard]] double okRows() const;
    [[nodiscard]] double notOkRows() const;
    [[nodiscard]] double skippedRows() const;
    [[nodiscard]] int inFlight() const;
    [[nodiscard]] double progress() const;
    [[nodiscard]] RunRowsModel *results() { return &m_results; }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }
    [[nodiscard]] double budget() const { return m_budget; }
    void setBudget(double budget);
    [[nodiscard]] bool pausedAtBudget() const;
    [[nodiscard]] QString spentText() const;

    /// Opens a `.csv`, `.jsonl` or `.ndjson` file (a local file URL, a path,
    /// or a resource as `:/...` or `qrc:/...`).
    Q_INVOKABLE bool openDataset(const QString &location);
    /// Reads the dataset again with the current prompt and limits.
    Q_INVOKABLE void refreshPlan();
    /// Opens the unfinished run `runId` of the store (`running`, `paused`
    /// or `stopped`) to be continued by start(): its dataset, its request
    /// and the rows it has finished (in results). False with errorMessage
    /// set (no such run, finished, a provider batch run).
    Q_INVOKABLE bool openRun(const QString &runId);
    /// Starts a new run, or continues the run openRun() opened (the engine
    /// refuses one whose configuration differs: errorMessage says so).
    Q_INVOKABLE bool start();
    /// Leaves the run openRun() opened: start() makes a new run again.
    Q_INVOKABLE void newRun();
    Q_INVOKABLE void pause();
    Q_INVOKABLE void resume();
    Q_INVOKABLE void cancel();
    /// Sets the cap of the run going (0: none); a run paused at its cap goes on.
    Q_INVOKABLE void raiseBudget(double budget);
    /// Writes the run's results to `url` as `jsonl` or `csv`.
    Q_INVOKABLE bool exportResults(const QUrl &url, const QString &format);

Q_SIGNALS:
    void serviceChanged();
    void storePathChanged();
    void requestChanged();
    void datasetChanged();
    void planChanged();
    void stateChanged();
    void progressChanged();
    void errorMessageChanged();
    void budgetChanged();

private:
    void setErrorMessage(const QString &message);
    void setDatasetError(const QString &message);
    void clearPlan();
    /// What every row asks for: the page's request, or the continued run's
    /// (on the page's provider and endpoint).
    [[nodiscard]] RunTemplate runTemplate() const;
    /// The store at storePath, opened on first use; null with errorMessage set.
    RunStore *openStore();
    /// A finished row, into the results: a continued run's row sent again
    /// replaces its stored `skipped` line.
    void showLine(const QJsonObject &line);
    /// The continued run's rows from the store into results, and which are `skipped`.
    void loadStoredRows();
    /// A continued run's counts cover its earlier sessions: the results' counts.
    [[nodiscard]] bool countsFromResults() const { return m_continueRequest || m_runContinues; }
    void onRunStateChanged();
    /// Ends and deletes the run (its service is about to go away).
    void dropRun(const QString &why);

    QPointer<LlmService> m_service;
    QString m_storePath;
    QString m_providerId;
    QString m_baseUrl;
    QString m_model;
    QString m_prompt;
    QString m_instructions;
    int m_maxOutputTokens = 0;
    bool m_stream = false;
    QString m_schemaText;
    bool m_useSchema = false;
    int m_requestsPerMinute = 0;
    int m_tokensPerMinute = 0;
    int m_windowSeconds = 60;
    int m_concurrency = 16;

    QString m_datasetPath;
    QString m_datasetError;
    DatasetPreview m_preview;
    QStringList m_variables;
    QStringList m_missingVariables;
    QString m_templateError;

    bool m_hasPlan = false;
    qint64 m_planRows = 0;
    qint64 m_planBadRows = 0;
    qint64 m_planRenderFailures = 0;
    qint64 m_planInputTokens = 0;
    qint64 m_planOutputTokens = 0;
    QString m_planCost;
    QString m_planCostMax;
    double m_planEtaSeconds = 0;
    QString m_planBoundBy;
    QStringList m_planProblems;
    QTimer m_planTimer;
    QTimer m_progressTimer;

    std::unique_ptr<RunStore> m_store;
    std::unique_ptr<BatchRun> m_run;
    State m_state = Idle;
    QString m_runId;
    QString m_stateReason;
    RunRowsModel m_results;
    QString m_errorMessage;
    double m_budget = 0;
    bool m_userPaused = false; ///< Paused by pause(), not at the budget cap

    QString m_continueRunId;
    QString m_continueNote;
    std::optional<RunTemplate> m_continueRequest; ///< the continued run's request
    QString m_continueIdField;
    /// Rows the continued run wrote as `skipped`: sent again, they replace that line.
    QSet<QString> m_skippedRows;
    bool m_runContinues = false; ///< m_run continues a stored run
};

} // namespace sluice
