#include "engine/batch/batchrun.h"

#include "core/fingerprint.h"
#include "core/tracejson.h"
#include "engine/batch/rowrecord.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QPointer>

namespace sluice {

namespace {

// Rows written as skipped per turn of the event loop when a run stops, so a
// long remainder does not hold the thread.
constexpr int kSkipChunk = 1000;

QString stateStatus(BatchRun::State state)
{
    switch (state) {
    case BatchRun::State::Idle:
    case BatchRun::State::Running:
        return QStringLiteral("running");
    case BatchRun::State::Paused:
        return QStringLiteral("paused");
    case BatchRun::State::Stopped:
        return QStringLiteral("stopped");
    case BatchRun::State::Finished:
        return QStringLiteral("finished");
    case BatchRun::State::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QJsonValue optionalInt(std::optional<int> value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

} // namespace

QString fileDigest(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    return QString::fromLatin1(hash.result().toHex());
}

QString runConfigFingerprint(
    const RunTemplate &request, const QString &idField, const QString &inputDigest)
{
    const QJsonObject identity {
        {QStringLiteral("format"), 1},
        {QStringLiteral("provider"), request.providerId},
        {QStringLiteral("base_url"),
            request.baseUrl.adjusted(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash).toString()},
        {QStringLiteral("model"), request.model},
        {QStringLiteral("prompt"), request.promptTemplate},
        {QStringLiteral("instructions"), request.instructionsTemplate},
        {QStringLiteral("schema"),
            request.outputSchema ? QJsonValue(*request.outputSchema) : QJsonValue()},
        {QStringLiteral("max_output_tokens"), optionalInt(request.maxOutputTokens)},
        {QStringLiteral("id_field"), idField},
        {QStringLiteral("input_sha256"), inputDigest},
    };
    return QString::fromLatin1(
        QCryptographicHash::hash(canonicalJson(identity), QCryptographicHash::Sha256).toHex());
}

BatchRun::BatchRun(LlmService &service, RunStore &store, BatchRunConfig config, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_store(store)
    , m_config(std::move(config))
    , m_prompt(m_config.request.promptTemplate, QStringLiteral("prompt"))
    , m_instructions(m_config.request.instructionsTemplate, QStringLiteral("instructions"))
    , m_budget(std::make_shared<Budget>(m_config.budgetCap))
{ }

BatchRun::~BatchRun()
{
    // The callbacks check that the run still exists; withdraw what it sent.
    for (const Pending &pending : std::as_const(m_pending))
        m_service.cancel(pending.handle);
}

bool BatchRun::open(QString *error)
{
    if (m_state != State::Idle) {
        *error = QStringLiteral("this run has already started");
        return false;
    }
    for (const PromptTemplate *t : {&m_prompt, &m_instructions}) {
        if (!t->isValid()) {
            *error = t->error()->message;
            return false;
        }
    }
    const QString digest = fileDigest(m_config.inputPath, error);
    if (digest.isEmpty())
        return false;
    if (!m_reader.open(m_config.inputPath, error, m_config.format, m_config.idField))
        return false;
    m_configFingerprint = runConfigFingerprint(m_config.request, m_config.idField, digest);
    return true;
}

bool BatchRun::start(QString *error)
{
    if (!open(error))
        return false;
    const RunTemplate &request = m_config.request;
    QJsonObject config {
        {QStringLiteral("provider"), request.providerId},
        {QStringLiteral("base_url"), request.baseUrl.adjusted(QUrl::RemoveUserInfo).toString()},
        {QStringLiteral("model"), request.model},
        {QStringLiteral("schema"),
            request.outputSchema ? QJsonValue(*request.outputSchema) : QJsonValue()},
        {QStringLiteral("max_output_tokens"), optionalInt(request.maxOutputTokens)},
        {QStringLiteral("stream"), request.stream},
        {QStringLiteral("max_attempts"), request.maxAttempts},
        {QStringLiteral("input"), QFileInfo(m_config.inputPath).absoluteFilePath()},
        {QStringLiteral("id_field"), m_config.idField},
        {QStringLiteral("budget_usd"),
            m_config.budgetCap ? QJsonValue(unitsFromPico(*m_config.budgetCap)) : QJsonValue()},
        {QStringLiteral("keep_content"), m_config.keepContent},
        {QStringLiteral("settings"), m_config.settings},
    };
    if (m_config.keepContent) {
        config.insert(QStringLiteral("prompt"), request.promptTemplate);
        config.insert(QStringLiteral("instructions"), request.instructionsTemplate);
    }
    const PriceBook *prices = m_service.priceBook();
    const std::optional<RunInfo> run = m_store.createRun(
        config, m_configFingerprint, prices ? prices->version() : QString(), error);
    if (!run)
        return false;
    m_runId = run->runId;
    setState(State::Running);
    schedulePump();
    return true;
}

bool BatchRun::continueRun(const QString &runId, QString *error)
{
    if (!open(error))
        return false;
    const std::optional<RunInfo> run = m_store.run(runId);
    if (!run) {
        *error = QStringLiteral("no run %1 in %2").arg(runId, m_store.path());
        return false;
    }
    if (run->configFingerprint != m_configFingerprint) {
        *error = QStringLiteral("run %1 was started with another configuration or input file; "
                                "start a new run instead")
                     .arg(runId);
        return false;
    }
    if (run->status == u"finished" || run->status == u"cancelled") {
        *error = QStringLiteral("run %1 is %2 and cannot be continued").arg(runId, run->status);
        return false;
    }
    m_runId = runId;
    m_resuming = true;
    setState(State::Running);
    storeStatus(QStringLiteral("running"), {});
    schedulePump();
    return true;
}

void BatchRun::pause()
{
    if (m_state != State::Running)
        return;
    m_pauseReason = QStringLiteral("paused");
    setState(State::Paused);
    storeStatus(QStringLiteral("paused"), m_pauseReason);
}

void BatchRun::resume()
{
    if (m_state != State::Paused)
        return;
    m_pauseReason.clear();
    setState(State::Running);
    storeStatus(QStringLiteral("running"), {});
    schedulePump();
}

void BatchRun::cancel()
{
    if (m_state == State::Idle || m_state == State::Finished || m_state == State::Stopped
        || m_state == State::Cancelled) {
        return;
    }
    setState(State::Cancelled);
    storeStatus(QStringLiteral("cancelled"), {});
    // Cancelled rows call back later; the run has ended once the last one is back.
    for (const Pending &pending : std::as_const(m_pending))
        m_service.cancel(pending.handle);
    if (m_pending.isEmpty())
        Q_EMIT ended();
}

void BatchRun::setBudgetCap(std::optional<PicoAmount> cap)
{
    m_config.budgetCap = cap;
    m_budget->setCap(cap);
    if (m_state == State::Paused && m_pausedAtBudget)
        resume();
}

PicoAmount BatchRun::spent() const
{
    return m_spent;
}

QList<DatasetProblem> BatchRun::problems() const
{
    return m_reader.problems() + m_duplicates;
}

qint64 BatchRun::problemCount() const
{
    return m_reader.problemCount() + m_duplicateCount;
}

int BatchRun::window() const
{
    if (m_config.rowsInFlight > 0)
        return m_config.rowsInFlight;
    return std::max(1, 2 * m_service.concurrencyGate().limit());
}

void BatchRun::schedulePump()
{
    if (m_pumpQueued)
        return;
    m_pumpQueued = true;
    // Queued to this object: dropped if the run is gone by then.
    QMetaObject::invokeMethod(this, &BatchRun::pump, Qt::QueuedConnection);
}

void BatchRun::pump()
{
    m_pumpQueued = false;
    while (m_state == State::Running && !m_stopping && m_pending.size() < window()) {
        DatasetRow row;
        bool resent = false;
        if (!nextRow(row, resent))
            break;
        submitRow(std::move(row), resent);
    }
    if (m_state == State::Running && !m_stopping && m_pending.isEmpty() && m_readerDone
        && m_requeued.empty()) {
        endAs(State::Finished);
    }
}

bool BatchRun::nextRow(DatasetRow &row, bool &resent)
{
    if (!m_requeued.empty()) {
        row = std::move(m_requeued.front());
        m_requeued.pop_front();
        return true;
    }
    while (!m_readerDone) {
        if (!m_reader.next(row)) {
            m_readerDone = true;
            Q_EMIT progressChanged();
            return false;
        }
        ++m_progress.rowsRead;
        const std::optional<StoredRow> stored = m_store.row(m_runId, row.id);
        if (!stored)
            return true;
        if (!m_resuming) {
            ++m_duplicateCount;
            if (m_duplicates.size() < DatasetReader::kMaxKeptProblems) {
                m_duplicates.append({row.line,
                    QStringLiteral("id '%1' is already used by an earlier row; not sent")
                        .arg(row.id)});
            }
            continue;
        }
        if (stored->state == RowState::Done
            && stored->line.value(QStringLiteral("status")).toString() != u"skipped") {
            ++m_progress.alreadyDone;
            continue;
        }
        resent = stored->state == RowState::InFlight;
        return true;
    }
    return false;
}

void BatchRun::submitRow(DatasetRow row, bool resent)
{
    const RunTemplate &t = m_config.request;
    GenerationRequest rendered;
    rendered.model = t.model;
    rendered.input = m_prompt.render(row.values).text;
    rendered.instructions = m_instructions.render(row.values).text;
    if (t.outputSchema) {
        OutputSchema schema;
        schema.schema = *t.outputSchema;
        rendered.outputSchema = schema;
    }
    rendered.maxOutputTokens = t.maxOutputTokens;
    const QString fingerprint = requestFingerprint({t.providerId, t.baseUrl.toString()}, rendered);
    QString error;
    if (!m_store.markSending(m_runId, row.id, row.index, fingerprint, &error)) {
        m_requeued.push_front(std::move(row));
        failStore(error);
        return;
    }
    if (resent)
        ++m_progress.resent;

    LlmRequest request;
    request.model = t.model;
    request.promptTemplate = t.promptTemplate;
    request.instructionsTemplate = t.instructionsTemplate;
    request.variables = row.values;
    request.outputSchema = t.outputSchema;
    request.maxOutputTokens = t.maxOutputTokens;
    request.priority = Priority::Batch;
    request.operation = m_config.operation;
    request.maxAttempts = t.maxAttempts;
    request.stream = t.stream;
    request.budget = m_budget;

    const quint64 key = m_nextKey++;
    m_pending.insert(key, Pending {std::move(row), {}});
    QPointer<BatchRun> self(this);
    const RequestHandle handle = m_service.submit(request, [self, key](const GenerationResult &r) {
        if (self)
            self->onResult(key, r);
    });
    m_pending[key].handle = handle;
    m_progress.inFlight = int(m_pending.size());
    Q_EMIT progressChanged();
}

void BatchRun::onResult(quint64 key, const GenerationResult &result)
{
    const auto it = m_pending.find(key);
    if (it == m_pending.end())
        return;
    DatasetRow row = std::move(it->row);
    m_pending.erase(it);
    m_progress.inFlight = int(m_pending.size());
    if (result.cost.known())
        m_spent += *result.cost.pico;

    using Status = GenerationResult::Status;
    if (result.status == Status::Cancelled) {
        if (m_state == State::Cancelled) {
            Q_EMIT progressChanged();
            if (m_pending.isEmpty())
                Q_EMIT ended();
            return;
        }
        emitSkipped(row);
    } else if (result.status == Status::BudgetExceeded) {
        if (m_stopping || m_config.atBudget == BatchRunConfig::AtBudget::Stop) {
            beginStop(QStringLiteral("budget"), result.errorMessage, false);
            emitSkipped(row);
        } else {
            // Not sent: it goes again, first, once the cap allows.
            m_requeued.push_back(std::move(row));
            if (m_state == State::Running) {
                m_pausedAtBudget = true;
                m_pauseReason = result.errorMessage;
                setState(State::Paused);
                storeStatus(QStringLiteral("paused"), m_pauseReason);
            }
            Q_EMIT progressChanged();
        }
    } else {
        // The signal carries the output even when the journal keeps none: it is not persisted.
        const QJsonObject line = rowLine(row.id, result, true);
        emitLine(row, line, m_config.keepContent ? line : rowLine(row.id, result, false),
            traceToJson(result.trace));
        if (result.errorClass == ErrorClass::QuotaExhausted) {
            beginStop(errorClassName(result.errorClass),
                QStringLiteral("quota exhausted: %1").arg(result.errorMessage), true);
        } else if (result.errorClass == ErrorClass::Auth) {
            beginStop(errorClassName(result.errorClass),
                QStringLiteral("authentication failed: %1").arg(result.errorMessage), true);
        }
    }

    if (m_state == State::Cancelled) {
        if (m_pending.isEmpty())
            Q_EMIT ended();
    } else if (m_stopping) {
        if (m_pending.isEmpty())
            skipRemaining();
    } else {
        schedulePump();
    }
}

void BatchRun::emitLine(const DatasetRow &row, const QJsonObject &line,
    const QJsonObject &journalLine, const QJsonObject &trace)
{
    if (!m_storeFailed) {
        QString error;
        if (!m_store.markDone(m_runId, row.id, row.index, journalLine, trace, &error))
            failStore(error);
    }
    const QString status = line.value(QStringLiteral("status")).toString();
    if (status == u"ok")
        ++m_progress.ok;
    else if (status == u"skipped")
        ++m_progress.skipped;
    else
        ++m_progress.notOk;
    ++m_progress.finished;
    Q_EMIT rowFinished(line);
    Q_EMIT progressChanged();
}

void BatchRun::emitSkipped(const DatasetRow &row)
{
    const QJsonObject line = skippedRowLine(row.id, m_stopClass, m_stopReason);
    emitLine(row, line, line, {});
}

void BatchRun::beginStop(const QString &errorClass, const QString &reason, bool withdraw)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_stopClass = errorClass;
    m_stopReason = reason;
    if (withdraw) {
        for (const Pending &pending : std::as_const(m_pending))
            m_service.cancel(pending.handle);
    }
    if (m_pending.isEmpty()) {
        QMetaObject::invokeMethod(this, &BatchRun::skipRemaining, Qt::QueuedConnection);
    }
}

void BatchRun::skipRemaining()
{
    if (m_state != State::Running && m_state != State::Paused)
        return;
    for (int written = 0; written < kSkipChunk; ++written) {
        DatasetRow row;
        bool resent = false;
        if (!nextRow(row, resent)) {
            endAs(State::Stopped);
            return;
        }
        emitSkipped(row);
    }
    QMetaObject::invokeMethod(this, &BatchRun::skipRemaining, Qt::QueuedConnection);
}

void BatchRun::endAs(State state)
{
    setState(state);
    storeStatus(stateStatus(state), state == State::Stopped ? m_stopReason : QString());
    if (state == State::Stopped)
        Q_EMIT stopped(m_stopReason);
    Q_EMIT ended();
}

void BatchRun::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    if (state != State::Paused)
        m_pausedAtBudget = false;
    Q_EMIT stateChanged(state);
}

void BatchRun::storeStatus(const QString &status, const QString &reason)
{
    QString error;
    if (!m_storeFailed && !m_store.setRunStatus(m_runId, status, reason, &error))
        failStore(error);
}

void BatchRun::failStore(const QString &error)
{
    if (m_storeFailed)
        return;
    m_storeFailed = true;
    beginStop(QStringLiteral("run_store"),
        QStringLiteral("the run store failed: %1; the rows not journalled are not sent").arg(error),
        true);
}

} // namespace sluice
