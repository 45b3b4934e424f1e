#include "app/runs/batchcontroller.h"

#include "core/prompttemplate.h"
#include "engine/batch/batchrun.h"
#include "engine/batch/dataset.h"
#include "engine/batch/exports.h"
#include "engine/batch/runplan.h"
#include "engine/batch/runstore.h"
#include "engine/llmservice.h"

#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>

namespace sluice {

namespace {

QString costText(const Cost &cost)
{
    return cost.known() ? formatMoney(*cost.pico, cost.currency)
                        : BatchController::tr("unknown (%1)").arg(cost.unknownReason);
}

BatchController::State stateFrom(BatchRun::State state)
{
    switch (state) {
    case BatchRun::State::Idle:
        return BatchController::Idle;
    case BatchRun::State::Running:
        return BatchController::Running;
    case BatchRun::State::Paused:
        return BatchController::Paused;
    case BatchRun::State::Stopped:
        return BatchController::Stopped;
    case BatchRun::State::Finished:
        return BatchController::Finished;
    case BatchRun::State::Cancelled:
        return BatchController::Cancelled;
    }
    return BatchController::Idle;
}

// A file dialog gives a file URL; a test or a drop may give a plain path;
// the built-in sample is a resource (`:/...`).
QString pathFromUrl(const QUrl &url)
{
    if (url.isLocalFile())
        return url.toLocalFile();
    if (url.scheme() == QLatin1String("qrc"))
        return QLatin1Char(':') + url.path();
    return url.toString();
}

QString pathFromLocation(const QString &location)
{
    return location.startsWith(QLatin1String("file:")) || location.startsWith(QLatin1String("qrc:"))
        ? pathFromUrl(QUrl(location))
        : location;
}

} // namespace

BatchController::BatchController(QObject *parent) : QObject(parent)
{
    // The plan reads the whole file: wait until the user stops typing.
    m_planTimer.setSingleShot(true);
    m_planTimer.setInterval(300);
    connect(&m_planTimer, &QTimer::timeout, this, &BatchController::refreshPlan);
    m_progressTimer.setSingleShot(true);
    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &BatchController::progressChanged);
    connect(this, &BatchController::requestChanged, this, [this] {
        if (!m_datasetPath.isEmpty())
            m_planTimer.start();
    });
}

BatchController::~BatchController()
{
    if (!m_run)
        return;
    // A run whose service is already gone must not reach it again, not even
    // from its destructor: it is left to the end of the process.
    if (!m_service) {
        (void)m_run.release();
        return;
    }
    m_run->disconnect(this);
    m_run->disconnect(&m_results);
    m_run->disconnect(&m_progressTimer);
    // Closing the page or quitting leaves the run paused in the store, to be
    // continued later (the Traces page's Continue); the run withdraws the
    // rows in flight as it goes, and a continue sends them again.
    m_run->pause();
}

QObject *BatchController::service() const
{
    return m_service.data();
}

void BatchController::setService(QObject *service)
{
    auto *llm = qobject_cast<LlmService *>(service);
    if (m_service == llm)
        return;
    if (m_run)
        dropRun(tr("The provider changed, so the run was cancelled. Start it again to run it "
                   "on the new provider."));
    m_service = llm;
    Q_EMIT serviceChanged();
    Q_EMIT stateChanged();
}

void BatchController::setStorePath(const QString &path)
{
    if (m_storePath == path)
        return;
    m_storePath = path;
    Q_EMIT storePathChanged();
}

void BatchController::setErrorMessage(const QString &message)
{
    if (m_errorMessage == message)
        return;
    m_errorMessage = message;
    Q_EMIT errorMessageChanged();
}

void BatchController::setDatasetError(const QString &message)
{
    m_datasetError = message;
    Q_EMIT datasetChanged();
}

bool BatchController::openDataset(const QString &location)
{
    const QString path = pathFromLocation(location);
    if (!DatasetReader::formatForPath(path)) {
        setDatasetError(
            tr("%1 is not a dataset Sluice reads: open a .csv, .jsonl or .ndjson file.").arg(path));
        return false;
    }
    DatasetReader reader;
    QString error;
    if (!reader.open(path, &error)) {
        setDatasetError(tr("%1 Check the file, then open it again.").arg(error));
        return false;
    }
    m_datasetPath = path;
    m_preview.load(reader);
    setDatasetError({});
    refreshPlan();
    Q_EMIT stateChanged();
    return true;
}

void BatchController::clearPlan()
{
    m_hasPlan = false;
    m_planRows = m_planBadRows = m_planRenderFailures = 0;
    m_planInputTokens = m_planOutputTokens = 0;
    m_planCost.clear();
    m_planCostMax.clear();
    m_planEtaSeconds = 0;
    m_planBoundBy.clear();
    m_planProblems.clear();
}

RunTemplate BatchController::runTemplate() const
{
    RunTemplate request = m_continueRequest.value_or(RunTemplate {});
    request.providerId
        = m_providerId.isEmpty() && m_service ? m_service->provider().id() : m_providerId;
    request.baseUrl = QUrl(m_baseUrl);
    if (m_continueRequest)
        return request;
    request.model = m_model.trimmed();
    request.promptTemplate = m_prompt;
    request.instructionsTemplate = m_instructions;
    if (m_maxOutputTokens > 0)
        request.maxOutputTokens = m_maxOutputTokens;
    request.stream = m_stream;
    if (m_useSchema) {
        const QJsonDocument schema = QJsonDocument::fromJson(m_schemaText.toUtf8());
        if (schema.isObject())
            request.outputSchema = schema.object();
    }
    return request;
}

void BatchController::refreshPlan()
{
    m_planTimer.stop();
    clearPlan();
    m_variables.clear();
    m_missingVariables.clear();
    m_templateError.clear();

    const RunTemplate request = runTemplate();
    const PromptTemplate prompt(request.promptTemplate, QStringLiteral("prompt"));
    const PromptTemplate instructions(request.instructionsTemplate, QStringLiteral("instructions"));
    for (const PromptTemplate *t : {&instructions, &prompt}) {
        if (t->error())
            m_templateError
                = tr("%1 Fix the template on the Compose page.").arg(t->error()->message);
        for (const QString &name : t->variables()) {
            if (!m_variables.contains(name))
                m_variables.append(name);
        }
    }
    m_preview.setVariables(m_variables);
    for (const QString &name : std::as_const(m_variables)) {
        if (!m_preview.columns().contains(name))
            m_missingVariables.append(name);
    }

    if (!m_datasetPath.isEmpty() && m_templateError.isEmpty()) {
        DatasetReader reader;
        QString error;
        if (!reader.open(m_datasetPath, &error)) {
            setDatasetError(tr("%1 Check the file, then open it again.").arg(error));
        } else {
            PlanLimits limits;
            if (m_requestsPerMinute > 0)
                limits.requestsPerMinute = m_requestsPerMinute;
            if (m_tokensPerMinute > 0)
                limits.tokensPerMinute = m_tokensPerMinute;
            limits.windowSeconds = std::max(1, m_windowSeconds);
            limits.concurrency = std::max(1, m_concurrency);
            const RunPlan plan
                = planRun(reader, request, m_service ? m_service->priceBook() : nullptr, limits);
            m_hasPlan = true;
            m_planRows = plan.rows;
            m_planBadRows = plan.badRows;
            m_planRenderFailures = plan.renderFailures;
            m_planInputTokens = plan.inputTokens;
            m_planOutputTokens = plan.outputTokensTypical;
            m_planCost = costText(plan.costEstimate);
            m_planCostMax = costText(plan.costUpperBound);
            m_planEtaSeconds = plan.etaSeconds;
            m_planBoundBy = plan.boundBy;
            for (const DatasetProblem &problem : plan.problems)
                m_planProblems.append(problem.describe());
            m_planProblems.append(plan.renderErrors);
        }
    }
    Q_EMIT planChanged();
    Q_EMIT stateChanged();
}

QString BatchController::missingVariablesText() const
{
    QStringList names;
    for (const QString &name : m_missingVariables)
        names.append(QStringLiteral("{{%1}}").arg(name));
    return names.join(QStringLiteral(", "));
}

bool BatchController::canStart() const
{
    return m_service && !m_datasetPath.isEmpty() && m_templateError.isEmpty()
        && (!m_run || (m_state != Running && m_state != Paused));
}

RunStore *BatchController::openStore()
{
    if (m_store && m_store->path() == m_storePath)
        return m_store.get();
    if (m_storePath.isEmpty()) {
        setErrorMessage(tr("No run store is set, so the run could not be journalled."));
        return nullptr;
    }
    auto store = std::make_unique<RunStore>();
    QString error;
    if (!store->open(m_storePath, &error)) {
        setErrorMessage(tr("%1 Check that the folder is writable, then start again.").arg(error));
        return nullptr;
    }
    m_run.reset(); // holds the old store
    m_store = std::move(store);
    return m_store.get();
}

bool BatchController::openRun(const QString &runId)
{
    if (m_run && (m_state == Running || m_state == Paused)) {
        setErrorMessage(
            tr("A run is going: cancel it or wait for it to end, then continue %1.").arg(runId));
        return false;
    }
    RunStore *store = openStore();
    if (!store)
        return false;
    const std::optional<RunInfo> run = store->run(runId);
    QString problem;
    if (!run)
        problem = tr("There is no run %1 in %2: reload the runs list.").arg(runId, m_storePath);
    else if (run->status == u"finished" || run->status == u"cancelled")
        problem = tr("Run %1 is %2, so there is nothing to continue: start a new run instead.")
                      .arg(runId, run->status);
    else if (run->config.value(QLatin1String("batch_api")).toBool())
        problem = tr("Run %1 went through the provider's batch API, which the workbench does not "
                     "follow: continue it with sluice-cli run --batch-api --resume and the options "
                     "it was started with.")
                      .arg(runId);
    if (!problem.isEmpty()) {
        setErrorMessage(problem);
        return false;
    }

    // What the run was made with (BatchRun::start writes it); the provider
    // and endpoint stay the page's, which the engine checks against it.
    const QJsonObject &config = run->config;
    RunTemplate request;
    request.model = config.value(QLatin1String("model")).toString();
    const QJsonValue schema = config.value(QLatin1String("schema"));
    if (schema.isObject())
        request.outputSchema = schema.toObject();
    const QJsonValue maxOutputTokens = config.value(QLatin1String("max_output_tokens"));
    if (maxOutputTokens.isDouble())
        request.maxOutputTokens = maxOutputTokens.toInt();
    request.stream = config.value(QLatin1String("stream")).toBool();
    request.maxAttempts = config.value(QLatin1String("max_attempts")).toInt(request.maxAttempts);
    m_continueNote.clear();
    if (config.contains(QLatin1String("prompt"))) {
        request.promptTemplate = config.value(QLatin1String("prompt")).toString();
        request.instructionsTemplate = config.value(QLatin1String("instructions")).toString();
    } else {
        request.promptTemplate = m_prompt;
        request.instructionsTemplate = m_instructions;
        m_continueNote = tr("The run kept no prompts, so the Compose page's prompt and "
                            "instructions are sent: they must be the ones it was started with.");
    }
    m_continueRunId = runId;
    m_continueRequest = request;
    m_continueIdField = config.value(QLatin1String("id_field")).toString(QStringLiteral("id"));
    m_run.reset();
    m_runContinues = false;
    m_state = Idle;
    m_runId = runId;
    m_stateReason.clear();
    setErrorMessage({});
    loadStoredRows();

    const QString input = config.value(QLatin1String("input")).toString();
    if (input.isEmpty() || !QFileInfo::exists(input)) {
        m_datasetPath.clear();
        m_preview.clear();
        setDatasetError(tr("The run's dataset %1 is not there any more: open the same file from "
                           "where it is now, then continue.")
                            .arg(input));
        refreshPlan();
    } else {
        openDataset(input);
    }
    Q_EMIT stateChanged();
    Q_EMIT progressChanged();
    return true;
}

void BatchController::newRun()
{
    if (m_continueRunId.isEmpty())
        return;
    m_continueRunId.clear();
    m_continueNote.clear();
    m_continueRequest.reset();
    m_skippedRows.clear();
    refreshPlan();
    Q_EMIT stateChanged();
}

void BatchController::loadStoredRows()
{
    // Rows written as `skipped` are sent again: their lines are replaced.
    m_skippedRows.clear();
    QString error;
    if (m_store
        && !m_store->forEachRow(
            m_continueRunId,
            [this](const StoredRow &row) {
                if (row.state == RowState::Done
                    && row.line.value(QLatin1String("status")).toString() == u"skipped")
                    m_skippedRows.insert(row.rowId);
                return true;
            },
            &error)) {
        setErrorMessage(tr("The run's rows could not be read: %1").arg(error));
    }
    m_results.reset();
    m_results.setStorePath(m_storePath);
    m_results.setRunId(m_continueRunId);
    m_results.reload();
}

void BatchController::showLine(const QJsonObject &line)
{
    if (m_skippedRows.remove(line.value(QLatin1String("id")).toString()))
        m_results.replaceLine(line, QStringLiteral("skipped"));
    else
        m_results.appendLine(line);
}

bool BatchController::start()
{
    const bool continuing = !m_continueRunId.isEmpty();
    const RunTemplate request = runTemplate();
    QString problem;
    if (!m_service)
        problem = tr("No provider is ready: check Settings, then start again.");
    else if (m_datasetPath.isEmpty())
        problem = continuing ? m_datasetError : tr("Open a CSV or JSONL dataset first.");
    else if (request.model.isEmpty())
        problem = tr("Enter a model on the Compose page, then start.");
    else if (request.promptTemplate.trimmed().isEmpty())
        problem = tr("Write a prompt on the Compose page, then start.");
    else if (!m_templateError.isEmpty())
        problem = m_templateError;
    else if (m_storePath.isEmpty())
        problem = tr("No run store is set, so the run could not be journalled.");
    else if (m_run && (m_state == Running || m_state == Paused))
        problem = tr("A run is going: cancel it or wait for it to end.");
    if (!problem.isEmpty()) {
        setErrorMessage(problem);
        return false;
    }

    if (!openStore())
        return false;

    BatchRunConfig config;
    config.request = request;
    config.inputPath = m_datasetPath;
    if (continuing)
        config.idField = m_continueIdField;
    config.settings = QJsonObject {{QStringLiteral("source"), QStringLiteral("gui")}};
    if (m_budget > 0)
        config.budgetCap = picoFromUnits(m_budget);
    m_run.reset();
    m_run = std::make_unique<BatchRun>(*m_service, *m_store, config);
    connect(m_run.get(), &BatchRun::rowFinished, this, &BatchController::showLine);
    // The page hears of progress at most 10 times a second, however fast rows finish.
    connect(m_run.get(), &BatchRun::progressChanged, &m_progressTimer, [this] {
        if (!m_progressTimer.isActive())
            m_progressTimer.start();
    });
    connect(m_run.get(), &BatchRun::stateChanged, this, &BatchController::onRunStateChanged);
    connect(m_run.get(), &BatchRun::ended, &m_results, &RunRowsModel::flush);
    connect(m_run.get(), &BatchRun::ended, this, &BatchController::progressChanged);

    QString error;
    if (continuing) {
        loadStoredRows();
        if (!m_run->continueRun(m_continueRunId, &error)) {
            m_run.reset();
            const std::optional<RunInfo> run = m_store->run(m_continueRunId);
            const QJsonObject stored = run ? run->config : QJsonObject();
            setErrorMessage(tr("The run was not continued: %1. It was made with %2 at %3; select "
                               "them in Settings to continue it.")
                                .arg(error, stored.value(QLatin1String("provider")).toString(),
                                    stored.value(QLatin1String("base_url")).toString()));
            return false;
        }
    } else {
        m_results.reset();
        m_results.setRunId({});
        m_results.setStorePath(m_storePath);
        if (!m_run->start(&error)) {
            m_run.reset();
            setErrorMessage(tr("The run did not start: %1").arg(error));
            return false;
        }
    }
    m_results.setRunId(m_run->runId());
    m_runId = m_run->runId();
    m_runContinues = continuing;
    m_userPaused = false;
    setErrorMessage({});
    onRunStateChanged();
    Q_EMIT progressChanged();
    return true;
}

void BatchController::pause()
{
    if (!m_run)
        return;
    m_userPaused = m_state == Running;
    m_run->pause();
}

void BatchController::resume()
{
    if (!m_run)
        return;
    m_userPaused = false;
    m_run->resume();
}

void BatchController::cancel()
{
    if (m_run)
        m_run->cancel();
}

void BatchController::setBudget(double budget)
{
    budget = std::max(0.0, budget);
    if (m_budget == budget)
        return;
    m_budget = budget;
    Q_EMIT budgetChanged();
}

void BatchController::raiseBudget(double budget)
{
    setBudget(budget);
    if (m_run)
        m_run->setBudgetCap(m_budget > 0 ? std::optional(picoFromUnits(m_budget)) : std::nullopt);
}

bool BatchController::pausedAtBudget() const
{
    // The run pauses by itself only at its cap.
    return m_state == Paused && !m_userPaused;
}

QString BatchController::spentText() const
{
    const PriceBook *prices = m_service ? m_service->priceBook() : nullptr;
    return formatMoney(
        m_run ? m_run->spent() : 0, prices ? prices->currency() : QStringLiteral("USD"));
}

void BatchController::onRunStateChanged()
{
    if (!m_run)
        return;
    m_state = stateFrom(m_run->state());
    m_stateReason = m_state == Paused ? m_run->pauseReason()
        : m_state == Stopped          ? m_run->stopReason()
                                      : QString();
    if (m_state == Stopped)
        setErrorMessage(tr("The run stopped: %1").arg(m_run->stopReason()));
    // A continued run that ended for good leaves nothing to continue.
    if (m_state == Finished || m_state == Cancelled) {
        m_continueRunId.clear();
        m_continueNote.clear();
        m_continueRequest.reset();
    }
    Q_EMIT stateChanged();
}

void BatchController::dropRun(const QString &why)
{
    const bool going = m_state == Running || m_state == Paused;
    if (going)
        m_run->cancel();
    m_run.reset();
    m_results.flush();
    if (going) {
        m_state = Cancelled;
        m_stateReason = why;
        setErrorMessage(why);
    }
}

// A continued run counts the rows its earlier sessions finished too: the
// results hold them all (from the store, then live).
double BatchController::finishedRows() const
{
    if (!m_run)
        return countsFromResults() ? m_results.totalRows() : 0.0;
    return double(m_run->progress().alreadyDone + m_run->progress().finished);
}

double BatchController::okRows() const
{
    if (countsFromResults())
        return m_results.countsByStatus().value(QStringLiteral("ok")).toDouble();
    return m_run ? double(m_run->progress().ok) : 0.0;
}

double BatchController::notOkRows() const
{
    if (countsFromResults())
        return m_results.totalRows() - okRows() - skippedRows();
    return m_run ? double(m_run->progress().notOk) : 0.0;
}

double BatchController::skippedRows() const
{
    if (countsFromResults())
        return m_results.countsByStatus().value(QStringLiteral("skipped")).toDouble();
    return m_run ? double(m_run->progress().skipped) : 0.0;
}

int BatchController::inFlight() const
{
    return m_run ? m_run->progress().inFlight : 0;
}

double BatchController::progress() const
{
    if (!m_run)
        return 0;
    if (m_state == Finished)
        return 1;
    const qint64 total = m_hasPlan ? m_planRows : m_run->progress().rowsRead;
    return total > 0 ? std::clamp(finishedRows() / double(total), 0.0, 1.0) : 0.0;
}

bool BatchController::exportResults(const QUrl &url, const QString &format)
{
    const std::optional<ExportFormat> f = exportFormatFromName(format);
    if (m_runId.isEmpty() || !m_store) {
        setErrorMessage(tr("Run a batch first: there are no results to export yet."));
        return false;
    }
    if (!f || (*f != ExportFormat::Jsonl && *f != ExportFormat::Csv)) {
        setErrorMessage(tr("Results export as jsonl or csv, not %1.").arg(format));
        return false;
    }
    QString error;
    if (!exportRun(*m_store, m_runId, *f, pathFromUrl(url), &error)) {
        setErrorMessage(tr("The results were not exported: %1").arg(error));
        return false;
    }
    setErrorMessage({});
    return true;
}

} // namespace sluice
