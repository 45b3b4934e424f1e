#include "cli/runcommand.h"

#include "cli/cli.h"
#include "cli/keyscommand.h"
#include "cli/output.h"
#include "cli/progressbar.h"
#include "cli/runoptions.h"
#include "core/fingerprint.h"
#include "core/prompttemplate.h"
#include "core/redaction.h"
#include "core/strictschemalinter.h"
#include "core/tracejson.h"
#include "engine/batch/batchrun.h"
#include "engine/batch/exports.h"
#include "engine/batch/providerbatch.h"
#include "engine/batch/rowrecord.h"
#include "engine/batch/runstore.h"
#include "engine/llmservice.h"
#include "providers/endpointpolicy.h"
#include "providers/providerregistry.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QSet>

#include <cstdio>
#include <optional>

namespace sluice::cli {

namespace {

bool isLoopback(const QUrl &url)
{
    const QString host = url.host();
    if (host == u"localhost")
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// What to do about each failure class, in the user's words.
QString adviceFor(ErrorClass errorClass, const RunOptions &options)
{
    switch (errorClass) {
    case ErrorClass::Network:
        return QStringLiteral("check --base-url and that the server is running");
    case ErrorClass::Timeout:
        return QStringLiteral("raise --timeout or check the server");
    case ErrorClass::Tls:
        return QStringLiteral("the server's certificate was not accepted; check the URL, or "
                              "trust a private CA with --ca-bundle FILE");
    case ErrorClass::Auth:
        return QStringLiteral("check the key in $%1 or `sluice-cli keys`").arg(options.apiKeyEnv);
    case ErrorClass::NotFound:
        return QStringLiteral("check --model and --base-url");
    case ErrorClass::RateLimited:
        return QStringLiteral("wait a moment and run again");
    case ErrorClass::QuotaExhausted:
        return QStringLiteral("check the account's plan and billing");
    case ErrorClass::MalformedResponse:
        return QStringLiteral("check that --base-url points at an endpoint of --provider");
    case ErrorClass::Server:
    case ErrorClass::Overloaded:
        return QStringLiteral("the provider had a problem; try again later");
    case ErrorClass::BadRequest:
        return QStringLiteral("check the flags against `sluice-cli run --help`");
    default:
        return {};
    }
}

// The key: the environment first, else the store, for this provider and host
// only. Prints the problem and returns nullopt when a remote URL has none.
std::optional<QByteArray> readApiKey(const RunOptions &options)
{
    const QUrl &baseUrl = options.request.baseUrl;
    QByteArray apiKey = qgetenv(options.apiKeyEnv.toLocal8Bit().constData());
    if (!apiKey.isEmpty())
        return apiKey;
    const QString slotProvider = options.request.providerId == u"anthropic"
        ? QStringLiteral("anthropic")
        : QStringLiteral("openai");
    const std::unique_ptr<SecretStore> store = openSecretStore(options.keyStore);
    const SecretResult stored
        = readSecretBlocking(*store, SecretSlot::forEndpoint(slotProvider, baseUrl));
    apiKey = stored.secret;
    if (apiKey.isEmpty() && !isLoopback(baseUrl)) {
        QString line = QStringLiteral("no API key: set %1 (or name another variable with "
                                      "--api-key-env VAR), or save one with `sluice-cli keys "
                                      "set --provider %2 --base-url %3`")
                           .arg(options.apiKeyEnv, slotProvider, baseUrl.toString());
        if (stored.error != SecretError::NotFound) {
            line += QStringLiteral(" (%1: %2; %3)")
                        .arg(store->location(), secretErrorName(stored.error),
                            secretErrorAdvice(stored.error));
        }
        printError(line);
        return std::nullopt;
    }
    return apiKey;
}

// JSON lines to a file or stdout, each flushed as it is written.
class LineWriter
{
public:
    bool open(const QString &path, QString *error)
    {
        const bool opened = path.isEmpty()
            ? m_file.open(stdout, QIODevice::WriteOnly)
            : (m_file.setFileName(path), m_file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        if (!opened)
            *error = QStringLiteral("cannot write --output %1: %2").arg(path, m_file.errorString());
        return opened;
    }

    void write(const QJsonObject &line)
    {
        m_file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
        m_file.flush();
    }

private:
    QFile m_file;
};

std::shared_ptr<LlmService> makeService(
    const RunOptions &options, const QByteArray &apiKey, TimerFactory &timers)
{
    auto service = std::make_shared<LlmService>(
        createProvider(options.request.providerId, options.request.baseUrl, apiKey),
        SteadyClock::instance(), timers, options.serviceConfig());
    service->setPriceBook(options.prices);
    return service;
}

// One prompt, sent as written (no template): the answer on stdout, or one
// line to --output.
int singlePrompt(const RunOptions &options, const QByteArray &apiKey)
{
    QtTimerFactory timers;
    const std::shared_ptr<LlmService> service = makeService(options, apiKey, timers);

    GenerationRequest request;
    request.model = options.request.model;
    request.input = options.request.promptTemplate;
    request.instructions = options.request.instructionsTemplate;
    request.maxOutputTokens = options.request.maxOutputTokens;
    request.stream = options.request.stream;
    request.store = options.privacy.providerStore;
    if (options.request.outputSchema) {
        OutputSchema schema;
        schema.schema = *options.request.outputSchema;
        schema.strict = service->provider().capabilities().strictStructuredOutput
            && StrictSchemaLinter().lint(schema.schema).passes();
        request.outputSchema = schema;
    }

    GenerationResult result;
    QEventLoop loop;
    service->submit(request, [&](const GenerationResult &finished) {
        result = finished;
        loop.quit();
    });
    loop.exec();

    if (!options.outputPath.isEmpty()) {
        LineWriter out;
        QString error;
        if (!out.open(options.outputPath, &error)) {
            printError(error);
            return ExitUsage;
        }
        out.write(rowLine(QStringLiteral("0"), result));
        return result.ok() ? ExitOk : ExitFailed;
    }

    const GenerationOutcome &outcome = result.outcome;
    switch (outcome.status) {
    case GenerationOutcome::Status::Completed:
        printOut(outcome.text.endsWith(u'\n') ? outcome.text : outcome.text + u'\n');
        return ExitOk;
    case GenerationOutcome::Status::Incomplete:
        printOut(outcome.text + u'\n');
        printError(QStringLiteral("the answer is incomplete (%1); raise --max-output-tokens")
                       .arg(outcome.incompleteReason));
        return ExitFailed;
    case GenerationOutcome::Status::Refused:
        printError(redactSecrets(QStringLiteral("the model refused: %1").arg(outcome.refusal)));
        return ExitFailed;
    case GenerationOutcome::Status::Failed:
        break;
    }
    QString line = QStringLiteral("request to %1 failed (%2")
                       .arg(options.request.baseUrl.toString(), errorClassName(outcome.errorClass));
    if (outcome.httpStatus > 0)
        line += QStringLiteral(", HTTP %1").arg(outcome.httpStatus);
    line += QStringLiteral("): ") + redactSecrets(outcome.errorMessage);
    if (const QString advice = adviceFor(outcome.errorClass, options); !advice.isEmpty())
        line += QStringLiteral("; ") + advice;
    printError(redactSecrets(line));
    return ExitFailed;
}

// Rows of the dataset, for the progress bar; nullopt when it cannot be read.
std::optional<qint64> countRows(const RunOptions &options)
{
    DatasetReader reader;
    QString error;
    if (!reader.open(options.inputPath, &error, {}, options.idField))
        return std::nullopt;
    qint64 rows = 0;
    DatasetRow row;
    while (reader.next(row))
        ++rows;
    return rows;
}

// The records not sent: the first ones, one line each, then a count.
void reportProblems(const RunOptions &options, const QList<DatasetProblem> &problems, qint64 count)
{
    for (const DatasetProblem &problem : problems.mid(0, RunPlan::kKeptProblems))
        printError(QStringLiteral("%1: %2").arg(options.inputPath, problem.describe()));
    if (count > RunPlan::kKeptProblems) {
        printError(QStringLiteral("%1: %2 more records not sent")
                       .arg(options.inputPath)
                       .arg(count - RunPlan::kKeptProblems));
    }
}

// --trace F: the run's trace from the store; false after printing why not.
bool writeTrace(const RunOptions &options, const RunStore &store, const QString &runId)
{
    QString error;
    if (options.tracePath.isEmpty()
        || exportRun(store, runId, ExportFormat::Trace, options.tracePath, &error)) {
        return true;
    }
    printError(QStringLiteral("--trace: %1").arg(error));
    return false;
}

// Opens the run store of --run-dir; false after printing why not.
bool openStore(const RunOptions &options, RunStore &store)
{
    QString error;
    if (store.open(options.storePath(), &error))
        return true;
    printError(error + QStringLiteral("; choose another folder with --run-dir DIR"));
    return false;
}

// A --batch-api run's fingerprint: the live one's, marked, so that a live
// --resume never sends rows that provider batches hold (they would be paid
// twice), nor a --batch-api --resume the rows of a live run.
QString providerBatchFingerprint(const RunOptions &options, const QString &inputDigest)
{
    const QByteArray marked = "provider_batch:"
        + runConfigFingerprint(options.request, options.idField, inputDigest).toLatin1();
    return QString::fromLatin1(
        QCryptographicHash::hash(marked, QCryptographicHash::Sha256).toHex());
}

// Every row of --input through the provider's own Batch API. The rows are
// rendered up front and held (a provider batch holds them all anyway: at
// most 50,000 lines for OpenAI) and journalled as in flight; each provider
// batch is recorded in the run store with its rows as soon as it exists,
// before its id is printed; rows are journalled as done when their batch is
// downloaded. --resume writes the rows the journal has done, follows the
// recorded batches that still hold rows not done (never submitting them
// again), and submits only the rows no recorded batch holds.
int providerBatchRun(const RunOptions &options, const QByteArray &apiKey)
{
    const RunTemplate &t = options.request;
    const std::shared_ptr<const Provider> provider
        = createProvider(t.providerId, t.baseUrl, apiKey);
    if (!ProviderBatchJob::supports(*provider)) {
        printError(QStringLiteral("--batch-api: %1 has no Batch API that Sluice speaks; run "
                                  "without --batch-api")
                       .arg(t.providerId));
        return ExitUsage;
    }
    QString error;
    RunStore store;
    if (!openStore(options, store))
        return ExitUsage;
    DatasetReader reader;
    const QString digest = fileDigest(options.inputPath, &error);
    if (digest.isEmpty() || !reader.open(options.inputPath, &error, {}, options.idField)) {
        printError(error);
        return ExitUsage;
    }
    const QString fingerprint = providerBatchFingerprint(options, digest);
    std::optional<RunInfo> run;
    if (options.resume) {
        run = store.latestUnfinished(fingerprint);
        if (!run) {
            printError(QStringLiteral("--resume: no unfinished --batch-api run with this "
                                      "configuration and input in %1; run without --resume to "
                                      "start one")
                           .arg(options.storePath()));
            return ExitUsage;
        }
    }
    LineWriter out;
    if (!out.open(options.outputPath, &error)) {
        printError(error);
        return ExitUsage;
    }
    if (!run) {
        const QJsonObject config {{QStringLiteral("provider"), t.providerId},
            {QStringLiteral("base_url"), t.baseUrl.adjusted(QUrl::RemoveUserInfo).toString()},
            {QStringLiteral("model"), t.model}, {QStringLiteral("batch_api"), true},
            {QStringLiteral("input"), options.inputPath},
            {QStringLiteral("id_field"), options.idField},
            {QStringLiteral("settings"), options.settingsJson()}};
        run = store.createRun(config, fingerprint, options.prices->version(), &error);
    } else if (!store.setRunStatus(run->runId, QStringLiteral("running"), {}, &error)) {
        run.reset();
    }
    if (!run) {
        printError(error);
        return ExitFailed;
    }

    // The journal of a resumed run: its done rows are written first and not
    // sent again; its recorded batches are followed while they hold a row
    // that is not done.
    qint64 notOk = 0;
    QSet<QString> done;
    if (options.resume) {
        const bool read = store.forEachRow(
            run->runId,
            [&](const StoredRow &row) {
                if (row.state == RowState::Done) {
                    done.insert(row.rowId);
                    out.write(row.line);
                    if (row.line.value(QStringLiteral("status")).toString() != u"ok")
                        ++notOk;
                }
                return true;
            },
            &error);
        if (!read) {
            printError(error);
            return ExitFailed;
        }
    }
    const std::optional<QList<StoredProviderBatch>> recorded
        = store.providerBatches(run->runId, &error);
    if (!recorded) {
        printError(error);
        return ExitFailed;
    }
    QStringList followedIds;
    QSet<QString> held;
    for (const StoredProviderBatch &batch : *recorded) {
        bool open = false;
        for (const QString &rowId : batch.rowIds) {
            held.insert(rowId);
            open = open || !done.contains(rowId);
        }
        if (open)
            followedIds << batch.batchId;
    }

    const PromptTemplate prompt(t.promptTemplate, QStringLiteral("prompt"));
    const PromptTemplate instructions(t.instructionsTemplate, QStringLiteral("instructions"));
    QList<ProviderBatchRow> heldRows; ///< in a recorded batch: followed, not submitted
    QList<ProviderBatchRow> newRows;
    QHash<QString, qint64> rowIndex;
    QList<DatasetProblem> duplicates;
    // Journals a finished row and writes its line.
    const auto finishRow = [&](const QString &rowId, const GenerationResult &result) {
        const QJsonObject line = rowLine(rowId, result, true);
        const QJsonObject journal
            = options.privacy.keepPromptsAndOutputs ? line : rowLine(rowId, result, false);
        QString journalError;
        if (!store.markDone(run->runId, rowId, rowIndex.value(rowId), journal,
                traceToJson(result.trace), &journalError)) {
            printError(journalError);
        }
        out.write(line);
        if (!result.ok())
            ++notOk;
    };
    DatasetRow row;
    while (reader.next(row)) {
        if (rowIndex.contains(row.id)) {
            duplicates.append({row.line,
                QStringLiteral("id '%1' is already used by an earlier row; not sent").arg(row.id)});
            continue;
        }
        rowIndex.insert(row.id, row.index);
        if (done.contains(row.id))
            continue;
        const RenderResult input = prompt.render(row.values);
        const RenderResult system = instructions.render(row.values);
        if (!input.ok() || !system.ok()) {
            GenerationResult failed;
            failed.errorClass = ErrorClass::BadRequest;
            failed.errorMessage = (input.errors + system.errors).join(QStringLiteral("; "));
            finishRow(row.id, failed);
            continue;
        }
        GenerationRequest request;
        request.model = t.model;
        request.input = input.text;
        request.instructions = system.text;
        request.maxOutputTokens = t.maxOutputTokens;
        if (t.outputSchema) {
            OutputSchema schema;
            schema.schema = *t.outputSchema;
            schema.strict = provider->capabilities().strictStructuredOutput
                && StrictSchemaLinter().lint(schema.schema).passes();
            request.outputSchema = schema;
        }
        if (held.contains(row.id)) {
            heldRows.append({row.id, request});
            continue;
        }
        if (!store.markSending(run->runId, row.id, row.index,
                requestFingerprint({t.providerId, t.baseUrl.toString()}, request), &error)) {
            printError(error);
            return ExitFailed;
        }
        newRows.append({row.id, request});
    }

    // One job follows the recorded batches, another submits the other rows.
    ProviderBatchConfig batchConfig;
    batchConfig.pollInterval = std::chrono::seconds(options.pollSeconds);
    ProviderBatchJob followed(provider, batchConfig);
    ProviderBatchJob submitted(provider, batchConfig);
    QEventLoop loop;
    const auto running = [&] {
        return followed.state() == ProviderBatchJob::State::Running
            || submitted.state() == ProviderBatchJob::State::Running;
    };
    for (ProviderBatchJob *job : {&followed, &submitted}) {
        job->setPriceBook(options.prices);
        QObject::connect(job, &ProviderBatchJob::rowFinished, job, finishRow);
        const auto quitWhenSettled = [&] {
            if (!running())
                loop.quit();
        };
        QObject::connect(job, &ProviderBatchJob::finished, &loop, quitWhenSettled);
        QObject::connect(job, &ProviderBatchJob::failed, &loop, quitWhenSettled);
    }
    QObject::connect(&submitted, &ProviderBatchJob::batchCreated, &submitted,
        [&](const QString &batchId, const QStringList &rowIds) {
            QString recordError;
            if (!store.addProviderBatch(run->runId, batchId, t.providerId, rowIds, &recordError)) {
                printError(recordError
                    + QStringLiteral("; --resume cannot follow batch %1: keep its id")
                          .arg(batchId));
            }
            printError(QStringLiteral("provider batch %1 holds %2 rows of run %3")
                           .arg(batchId)
                           .arg(rowIds.size())
                           .arg(run->runId));
        });
    if (!followedIds.isEmpty()) {
        printError(QStringLiteral("following provider batches %1 of run %2")
                       .arg(followedIds.join(QStringLiteral(", ")), run->runId));
        followed.resume(followedIds, std::move(heldRows));
    }
    if (!newRows.isEmpty())
        submitted.start(std::move(newRows));
    if (running())
        loop.exec();
    reportProblems(
        options, reader.problems() + duplicates, reader.problemCount() + duplicates.size());

    QStringList failures;
    for (const ProviderBatchJob *job : {&followed, &submitted}) {
        if (job->state() == ProviderBatchJob::State::Failed)
            failures << job->errorMessage();
    }
    if (!failures.isEmpty()) {
        const QString reason = failures.join(QStringLiteral("; "));
        (void)store.setRunStatus(run->runId, QStringLiteral("stopped"), reason, &error);
        printError(redactSecrets(
            QStringLiteral("run %1: %2 (provider batches: %3); continue with --resume")
                .arg(run->runId, reason,
                    (followedIds + submitted.batchIds()).join(QStringLiteral(", ")))));
        return ExitFailed;
    }
    (void)store.setRunStatus(run->runId, QStringLiteral("finished"), {}, &error);
    const bool traced = writeTrace(options, store, run->runId);
    if (notOk > 0 || reader.problemCount() + duplicates.size() > 0) {
        printError(QStringLiteral("run %1: %2 rows not ok")
                       .arg(run->runId)
                       .arg(notOk + reader.problemCount() + duplicates.size()));
        return ExitFailed;
    }
    return traced ? ExitOk : ExitFailed;
}

// Every row of --input through a BatchRun journalled in the run store.
int batchRun(const RunOptions &options, const QByteArray &apiKey)
{
    QString error;
    RunStore store;
    if (!openStore(options, store))
        return ExitUsage;

    std::optional<RunInfo> previous;
    if (options.resume) {
        const QString digest = fileDigest(options.inputPath, &error);
        if (digest.isEmpty()) {
            printError(error);
            return ExitUsage;
        }
        previous = store.latestUnfinished(
            runConfigFingerprint(options.request, options.idField, digest));
        if (!previous) {
            printError(QStringLiteral("--resume: no unfinished run with this configuration and "
                                      "input in %1; run without --resume to start one")
                           .arg(options.storePath()));
            return ExitUsage;
        }
    }

    LineWriter out;
    if (!out.open(options.outputPath, &error)) {
        printError(error);
        return ExitUsage;
    }
    // A resumed run's output holds every row once: the journal's finished
    // rows first (their cost counts against the budget), then the new ones.
    PicoAmount spentBefore = 0;
    qint64 notOkBefore = 0;
    if (previous) {
        const bool read = store.forEachRow(
            previous->runId,
            [&](const StoredRow &row) {
                if (row.state == RowState::Done
                    && row.line.value(QStringLiteral("status")).toString() != u"skipped") {
                    out.write(row.line);
                    if (row.line.value(QStringLiteral("status")).toString() != u"ok")
                        ++notOkBefore;
                    spentBefore
                        += picoFromUnits(row.line.value(QStringLiteral("cost_usd")).toDouble());
                }
                return true;
            },
            &error);
        if (!read) {
            printError(error);
            return ExitFailed;
        }
    }

    QtTimerFactory timers;
    const std::shared_ptr<LlmService> service = makeService(options, apiKey, timers);
    BatchRunConfig config;
    config.request = options.request;
    config.inputPath = options.inputPath;
    config.idField = options.idField;
    if (options.budgetCap)
        config.budgetCap = std::max<PicoAmount>(0, *options.budgetCap - spentBefore);
    config.atBudget = BatchRunConfig::AtBudget::Stop;
    config.keepContent = options.privacy.keepPromptsAndOutputs;
    config.settings = options.settingsJson();
    BatchRun run(*service, store, config);

    std::optional<ProgressBar> bar;
    if (ProgressBar::enabled())
        bar.emplace(countRows(options));
    QObject::connect(
        &run, &BatchRun::rowFinished, &run, [&](const QJsonObject &line) { out.write(line); });
    QObject::connect(&run, &BatchRun::progressChanged, &run, [&] {
        if (bar)
            bar->update(run.progress());
    });
    QEventLoop loop;
    QObject::connect(&run, &BatchRun::ended, &loop, &QEventLoop::quit);
    const bool started = previous ? run.continueRun(previous->runId, &error) : run.start(&error);
    if (!started) {
        printError(error);
        return ExitUsage;
    }
    loop.exec();
    if (bar)
        bar->finish(run.progress());

    reportProblems(options, run.problems(), run.problemCount());
    const int exitCode = writeTrace(options, store, run.runId()) ? ExitOk : ExitFailed;
    const BatchProgress &progress = run.progress();
    if (run.state() == BatchRun::State::Stopped) {
        QString advice = QStringLiteral("continue with --resume");
        if (run.stopClass() == u"budget")
            advice = QStringLiteral("raise --budget-usd and continue with --resume");
        else if (run.stopClass() == u"auth")
            advice = adviceFor(ErrorClass::Auth, options) + QStringLiteral(", then --resume");
        else if (run.stopClass() == u"quota_exhausted")
            advice = adviceFor(ErrorClass::QuotaExhausted, options)
                + QStringLiteral(", then --resume");
        printError(
            redactSecrets(QStringLiteral("run %1 stopped: %2; %3 rows written as skipped; %4")
                              .arg(run.runId(), run.stopReason())
                              .arg(progress.skipped)
                              .arg(advice)));
        return ExitStopped;
    }
    if (notOkBefore + progress.notOk > 0 || run.problemCount() > 0) {
        printError(QStringLiteral("run %1: %2 of %3 rows not ok")
                       .arg(run.runId())
                       .arg(notOkBefore + progress.notOk + run.problemCount())
                       .arg(progress.alreadyDone + progress.finished + run.problemCount()));
        return ExitFailed;
    }
    return exitCode;
}

} // namespace

// A CSV's header is known before any row is read: a template variable that
// names no column would fail every row, so it is a usage error up front.
// (JSONL rows may each carry other fields: those are judged row by row.)
bool templateColumnsPresent(const RunOptions &options)
{
    if (DatasetReader::formatForPath(options.inputPath) != DatasetReader::Format::Csv)
        return true;
    DatasetReader reader;
    QString error;
    if (!reader.open(options.inputPath, &error, {}, options.idField))
        return true; // the run's own open reports it
    const QStringList &columns = reader.columns();
    const PromptTemplate prompt(options.request.promptTemplate, QStringLiteral("prompt"));
    const PromptTemplate instructions(
        options.request.instructionsTemplate, QStringLiteral("instructions"));
    for (const PromptTemplate *t : {&instructions, &prompt}) {
        for (const QString &name : t->variables()) {
            if (!columns.contains(name)) {
                printError(QStringLiteral("the %1 uses {{%2}}, but %3 has no column '%2' "
                                          "(columns: %4); rename the variable or the column")
                               .arg(t->role(), name, options.inputPath,
                                   columns.join(QStringLiteral(", "))));
                return false;
            }
        }
    }
    return true;
}

int runCommand(const QStringList &arguments)
{
    const std::optional<RunOptions> parsed = parseRunOptions(arguments, OptionSet::Run);
    if (!parsed)
        return ExitUsage;
    const RunOptions &options = *parsed;
    if (options.helpShown)
        return ExitOk;
    if (options.inputPath.isEmpty() && options.budgetCap) {
        printError(QStringLiteral("--budget-usd applies to a run over --input F"));
        return ExitUsage;
    }

    if (!options.caBundle.isEmpty()) {
        const CaBundle bundle = loadCaBundle(options.caBundle);
        if (!bundle.error.isEmpty()) {
            printError(QStringLiteral("--ca-bundle: %1").arg(bundle.error));
            return ExitUsage;
        }
        trustAdditionalCaCertificates(bundle.certificates);
    }
    const std::optional<QByteArray> apiKey = readApiKey(options);
    if (!apiKey)
        return ExitUsage;
    registerSecret(*apiKey);
    if (const QString warning = plainHttpWarning(options.request.baseUrl); !warning.isEmpty())
        printError(warning);

    if (options.inputPath.isEmpty())
        return singlePrompt(options, *apiKey);
    if (!templateColumnsPresent(options))
        return ExitUsage;
    return options.batchApi ? providerBatchRun(options, *apiKey) : batchRun(options, *apiKey);
}

} // namespace sluice::cli
