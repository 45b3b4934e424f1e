#include "engine/batch/providerbatch.h"

#include "core/cost.h"
#include "core/fingerprint.h"
#include "engine/outputcheck.h"
#include "providers/anthropicbatch.h"
#include "providers/openaibatch.h"

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

#include <optional>

namespace sluice {

Q_LOGGING_CATEGORY(lcProviderBatch, "sluice.batch")

using namespace Qt::StringLiterals;

namespace {

std::chrono::milliseconds toMilliseconds(Duration duration)
{
    return std::chrono::ceil<std::chrono::milliseconds>(duration);
}

} // namespace

NetworkBatchHttp::NetworkBatchHttp() : m_transport(std::make_unique<HttpTransport>()) { }

NetworkBatchHttp::~NetworkBatchHttp() = default;

void NetworkBatchHttp::send(const BatchCall &call, std::chrono::milliseconds timeout, Done done)
{
    HttpTransport::Timeouts timeouts;
    timeouts.total = timeout;
    timeouts.firstByte = timeout;
    // A large download may pause longer than a live answer would.
    if (call.method == BatchCall::Method::Get)
        timeouts.idle = timeout;
    m_transport->send(call, timeouts, std::move(done));
}

/// The dialect's Batch API: one of the two.
struct ProviderBatchJob::Apis
{
    std::optional<OpenAiBatchApi> openAi;
    std::optional<AnthropicBatchApi> anthropic;
    QHash<QByteArray, std::optional<SchemaValidator>> validators; ///< by canonical schema
    QString schemaError;

    BatchReply<BatchStatus> decodeBatch(const HttpResponse &response) const
    {
        return openAi ? openAi->decodeBatch(response) : anthropic->decodeBatch(response);
    }
    BatchCall retrieve(const QString &id) const
    {
        return openAi ? openAi->retrieveBatch(id) : anthropic->retrieveBatch(id);
    }
    BatchCall cancel(const QString &id) const
    {
        return openAi ? openAi->cancelBatch(id) : anthropic->cancelBatch(id);
    }
    BatchReply<QByteArray> decodeContent(const HttpResponse &response) const
    {
        return openAi ? openAi->decodeContent(response) : anthropic->decodeContent(response);
    }
    QList<BatchLineResult> decodeResults(const QByteArray &jsonl, QStringList *problems) const
    {
        return openAi ? openAi->decodeResults(jsonl, problems)
                      : anthropic->decodeResults(jsonl, problems);
    }
    const SchemaValidator *validator(const QJsonObject &schema)
    {
        const QByteArray key = canonicalJson(schema);
        auto it = validators.find(key);
        if (it == validators.end()) {
            SchemaCompileResult compiled = SchemaValidator::compile(schema);
            if (!compiled) {
                schemaError = u"the output schema is not usable at '%1': %2"_s.arg(
                    compiled.error.path, compiled.error.message);
            }
            it = validators.insert(key, compiled.validator);
        }
        return it->has_value() ? &**it : nullptr;
    }
};

/// One provider batch: its rows, its id and where it stands.
struct ProviderBatchJob::Part
{
    int index = 0;
    QList<qsizetype> rows; ///< indexes into m_rows; empty for a resumed batch (learnt from results)
    bool resumed = false;
    QString batchId;
    BatchStatus status;
    int polls = 0;
    bool polling = false;     ///< a look is on its way
    bool downloading = false; ///< final: no more looks
    bool done = false;
    bool cancelSent = false;
    TimePoint submittedAt {};
    std::uint64_t submitSpan = 0;
    std::uint64_t waitSpan = 0;
    std::uint64_t downloadSpan = 0;
    QTimer pollTimer;
};

ProviderBatchJob::ProviderBatchJob(std::shared_ptr<const Provider> provider,
    ProviderBatchConfig config, std::unique_ptr<BatchHttp> http, QObject *parent)
    : QObject(parent)
    , m_provider(std::move(provider))
    , m_config(config)
    , m_http(http ? std::move(http) : std::make_unique<NetworkBatchHttp>())
    , m_apis(std::make_unique<Apis>())
    , m_clock(SteadyClock::instance())
{
    if (!OpenAiBatchApi::endpointFor(m_provider->id()).isEmpty())
        m_apis->openAi.emplace(m_provider);
    else if (m_provider->id() == u"anthropic")
        m_apis->anthropic.emplace(m_provider);
    // The live endpoint, as LlmService fingerprints a request with it.
    m_endpointUrl
        = m_provider->encode(GenerationRequest {})
              .url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)
              .toString();
    PriceBookLoad load = PriceBook::builtin();
    if (load.book)
        m_prices = std::make_shared<const PriceBook>(std::move(*load.book));
}

ProviderBatchJob::~ProviderBatchJob() = default;

bool ProviderBatchJob::supports(const Provider &provider)
{
    return !OpenAiBatchApi::endpointFor(provider.id()).isEmpty() || provider.id() == u"anthropic";
}

QString ProviderBatchJob::customIdFor(const QString &rowId)
{
    static const QRegularExpression allowed(u"^[a-zA-Z0-9_-]{1,64}$"_s);
    if (allowed.match(rowId).hasMatch())
        return rowId;
    return u"h-"_s
        + QString::fromLatin1(
            QCryptographicHash::hash(rowId.toUtf8(), QCryptographicHash::Sha256).toHex().left(40));
}

QStringList ProviderBatchJob::batchIds() const
{
    QStringList ids;
    for (const auto &part : m_parts) {
        if (!part->batchId.isEmpty())
            ids << part->batchId;
    }
    return ids;
}

void ProviderBatchJob::begin(QList<ProviderBatchRow> rows)
{
    m_state = State::Running;
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_startedClock = m_clock.now();
    m_trace = Trace(m_clock);
    m_rootSpan = m_trace.begin(u"provider_batch"_s);
    m_trace.setAttribute(m_rootSpan, u"provider"_s, m_provider->id());
    m_trace.setAttribute(m_rootSpan, u"rows"_s, qint64(rows.size()));
    m_rows = std::move(rows);
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        const QString customId = customIdFor(m_rows.at(i).rowId);
        if (m_rowByCustomId.contains(customId)) {
            QMetaObject::invokeMethod(
                this,
                [this, id = m_rows.at(i).rowId] {
                    fail(u"row id '%1' appears twice; give every row its own id."_s.arg(id));
                },
                Qt::QueuedConnection);
            return;
        }
        m_rowByCustomId.insert(customId, i);
    }
    if (!supports(*m_provider)) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                fail(u"%1 has no Batch API Sluice speaks; use openai-responses, openai-chat or "
                     "anthropic."_s.arg(m_provider->id()));
            },
            Qt::QueuedConnection);
    }
}

void ProviderBatchJob::start(QList<ProviderBatchRow> rows)
{
    if (m_state != State::Idle)
        return;
    begin(std::move(rows));
    QMetaObject::invokeMethod(
        this, [this] { submitNext(); }, Qt::QueuedConnection);
}

void ProviderBatchJob::resume(const QStringList &batchIds, QList<ProviderBatchRow> rows)
{
    if (m_state != State::Idle)
        return;
    begin(std::move(rows));
    m_nextRow = m_rows.size(); // nothing is submitted
    for (const QString &id : batchIds) {
        auto part = std::make_shared<Part>();
        part->index = int(m_parts.size());
        part->resumed = true;
        part->batchId = id;
        part->submittedAt = m_clock.now();
        part->waitSpan = m_trace.begin(u"batch_wait"_s, m_rootSpan);
        m_trace.setAttribute(part->waitSpan, u"batch_id"_s, id);
        m_trace.setAttribute(part->waitSpan, u"resumed"_s, true);
        m_parts.append(part);
        schedulePoll(part->index, std::chrono::milliseconds(0));
    }
    QMetaObject::invokeMethod(
        this, [this] { checkDone(); }, Qt::QueuedConnection);
}

void ProviderBatchJob::submitNext()
{
    if (m_state != State::Running)
        return;
    if (m_nextRow >= m_rows.size()) {
        checkDone();
        return;
    }
    if (m_cancelRequested) {
        QStringList never;
        for (; m_nextRow < m_rows.size(); ++m_nextRow)
            never << m_rows.at(m_nextRow).rowId;
        finishRows(never, nullptr, {}, {});
        checkDone();
        return;
    }
    auto part = std::make_shared<Part>();
    part->index = int(m_parts.size());
    m_parts.append(part);

    // Rows until a limit: the provider's count and bytes, or the configured ones.
    const bool openAi = m_apis->openAi.has_value();
    const qsizetype maxRows = m_config.maxRowsPerBatch > 0
        ? m_config.maxRowsPerBatch
        : (openAi ? OpenAiBatchApi::kMaxLines : AnthropicBatchApi::kMaxRequests);
    qint64 maxBytes = openAi ? OpenAiBatchApi::kMaxFileBytes : AnthropicBatchApi::kMaxBytes;
    if (m_config.maxBytesPerBatch > 0)
        maxBytes = std::min(maxBytes, m_config.maxBytesPerBatch);
    constexpr qint64 kEnvelopeBytes = 1024; // the multipart or {"requests":[]} around the lines
    QByteArray jsonl;
    QList<QByteArray> entries;
    qint64 bytes = kEnvelopeBytes;
    while (m_nextRow < m_rows.size() && part->rows.size() < maxRows) {
        const ProviderBatchRow &row = m_rows.at(m_nextRow);
        const QString customId = customIdFor(row.rowId);
        const QByteArray piece = openAi ? m_apis->openAi->inputLine(customId, row.request)
                                        : m_apis->anthropic->requestEntry(customId, row.request);
        if (!part->rows.isEmpty() && bytes + piece.size() + 1 > maxBytes)
            break;
        bytes += piece.size() + 1;
        if (openAi)
            jsonl += piece;
        else
            entries.append(piece);
        part->rows.append(m_nextRow++);
    }
    part->submitSpan = m_trace.begin(u"batch_submit"_s, m_rootSpan);
    m_trace.setAttribute(part->submitSpan, u"rows"_s, qint64(part->rows.size()));
    m_trace.setAttribute(part->submitSpan, u"bytes"_s, bytes - kEnvelopeBytes);
    part->submittedAt = m_clock.now();

    if (openAi) {
        sendUpload(part->index,
            m_apis->openAi->uploadFile(jsonl,
                u"sluice-%1-part%2.jsonl"_s.arg(m_trace.traceId().left(8)).arg(part->index + 1)));
    } else {
        sendCreate(part->index, m_apis->anthropic->createBatch(entries));
    }
}

void ProviderBatchJob::sendUpload(int partIndex, const BatchCall &upload)
{
    // Safe to repeat: an uploaded file costs nothing.
    sendCall(upload, [this, partIndex, upload](const HttpResponse &response) {
        const BatchReply<QString> file = m_apis->openAi->decodeFile(response);
        std::chrono::milliseconds delay {};
        if (!file.ok() && retryable(file.failure, &delay)) {
            QTimer::singleShot(delay, this, [=, this] { sendUpload(partIndex, upload); });
            return;
        }
        if (!file.ok()) {
            fail(u"uploading the batch input file failed (%1: %2)."_s.arg(
                errorClassName(file.failure.errorClass), file.failure.errorMessage));
            return;
        }
        m_failures = 0;
        m_trace.setAttribute(m_parts.at(partIndex)->submitSpan, u"file_id"_s, *file.value);
        sendCreate(partIndex, m_apis->openAi->createBatch(*file.value));
    });
}

void ProviderBatchJob::sendCreate(int partIndex, const BatchCall &create)
{
    sendCall(create, [this, partIndex, create](const HttpResponse &response) {
        const BatchReply<BatchStatus> reply = m_apis->decodeBatch(response);
        // Only a refusal the server states is tried again: a lost answer may
        // hide a batch that exists, and a second one would be paid twice.
        const bool lost = reply.failure.errorClass == ErrorClass::Network
            || reply.failure.errorClass == ErrorClass::Timeout;
        std::chrono::milliseconds delay {};
        if (!reply.ok() && !lost && retryable(reply.failure, &delay)) {
            QTimer::singleShot(delay, this, [=, this] { sendCreate(partIndex, create); });
            return;
        }
        if (!reply.ok()) {
            fail(u"creating the batch failed (%1: %2)%3."_s.arg(
                errorClassName(reply.failure.errorClass), reply.failure.errorMessage,
                lost ? u"; check the provider's batch list before running these rows again"_s
                     : QString()));
            return;
        }
        m_failures = 0;
        Part &part = *m_parts.at(partIndex);
        part.status = *reply.value;
        onCreated(part);
    });
}

void ProviderBatchJob::onCreated(Part &part)
{
    part.batchId = part.status.id;
    m_trace.setAttribute(part.submitSpan, u"batch_id"_s, part.batchId);
    m_trace.end(part.submitSpan);
    part.waitSpan = m_trace.begin(u"batch_wait"_s, m_rootSpan);
    m_trace.setAttribute(part.waitSpan, u"batch_id"_s, part.batchId);
    QStringList rowIds;
    for (const qsizetype row : std::as_const(part.rows))
        rowIds << m_rows.at(row).rowId;
    qCInfo(lcProviderBatch, "created batch %ls with %lld rows", qUtf16Printable(part.batchId),
        qint64(rowIds.size()));
    Q_EMIT batchCreated(part.batchId, rowIds);
    if (m_cancelRequested && !part.cancelSent) {
        part.cancelSent = true;
        sendCall(m_apis->cancel(part.batchId), [](const HttpResponse &) {});
    }
    schedulePoll(part.index, m_config.pollInterval);
    submitNext();
}

void ProviderBatchJob::schedulePoll(int partIndex, std::chrono::milliseconds delay)
{
    Part &part = *m_parts.at(partIndex);
    part.pollTimer.setSingleShot(true);
    part.pollTimer.disconnect(this);
    connect(&part.pollTimer, &QTimer::timeout, this, [this, partIndex] { poll(partIndex); });
    part.pollTimer.start(delay);
}

void ProviderBatchJob::poll(int partIndex)
{
    Part &part = *m_parts.at(partIndex);
    if (m_state != State::Running || part.polling || part.downloading)
        return;
    part.polling = true;
    sendCall(m_apis->retrieve(part.batchId), [this, partIndex](const HttpResponse &response) {
        Part &part = *m_parts.at(partIndex);
        part.polling = false;
        if (m_state != State::Running)
            return;
        const BatchReply<BatchStatus> reply = m_apis->decodeBatch(response);
        if (!reply.ok()) {
            std::chrono::milliseconds delay {};
            if (retryable(reply.failure, &delay)) {
                schedulePoll(partIndex, delay);
                return;
            }
            const QString way = reply.failure.errorClass == ErrorClass::NotFound
                ? u"check the batch id and the provider's base URL"_s
                : u"resume it by id later"_s;
            fail(u"looking at batch %1 failed (%2: %3); %4."_s.arg(part.batchId,
                errorClassName(reply.failure.errorClass), reply.failure.errorMessage, way));
            return;
        }
        m_failures = 0;
        part.status = *reply.value;
        ++part.polls;
        const BatchStatus &status = part.status;
        Q_EMIT batchProgress(part.batchId, status.providerStatus,
            status.succeeded + status.failed + status.cancelled + status.expired, status.total);
        if (!status.isFinal()) {
            schedulePoll(partIndex, m_config.pollInterval);
            return;
        }
        m_trace.setAttribute(part.waitSpan, u"polls"_s, part.polls);
        m_trace.setAttribute(part.waitSpan, u"status"_s, status.providerStatus);
        m_trace.end(part.waitSpan);
        part.downloading = true;
        download(partIndex);
    });
}

void ProviderBatchJob::download(int partIndex)
{
    Part &part = *m_parts.at(partIndex);
    part.downloadSpan = m_trace.begin(u"batch_download"_s, m_rootSpan);
    m_trace.setAttribute(part.downloadSpan, u"batch_id"_s, part.batchId);
    if (!part.status.hasResults()) {
        settle(partIndex, {});
        return;
    }
    if (m_apis->openAi) {
        QStringList files;
        for (const QString &id : {part.status.outputFileId, part.status.errorFileId}) {
            if (!id.isEmpty())
                files << id;
        }
        downloadFile(partIndex, files, {});
        return;
    }
    fetchResults(partIndex, m_apis->anthropic->results(part.status));
}

void ProviderBatchJob::fetchResults(int partIndex, const BatchCall &results)
{
    sendCall(results, [this, partIndex, results](const HttpResponse &response) {
        const BatchReply<QByteArray> content = m_apis->decodeContent(response);
        std::chrono::milliseconds delay {};
        if (!content.ok() && retryable(content.failure, &delay)) {
            QTimer::singleShot(delay, this, [=, this] { fetchResults(partIndex, results); });
            return;
        }
        if (!content.ok()) {
            fail(u"downloading the results of %1 failed (%2: %3); resume it by id later."_s.arg(
                m_parts.at(partIndex)->batchId, errorClassName(content.failure.errorClass),
                content.failure.errorMessage));
            return;
        }
        m_failures = 0;
        settle(partIndex, *content.value);
    });
}

void ProviderBatchJob::downloadFile(int partIndex, const QStringList &fileIds, QByteArray collected)
{
    if (fileIds.isEmpty()) {
        settle(partIndex, collected);
        return;
    }
    sendCall(m_apis->openAi->fileContent(fileIds.first()),
        [this, partIndex, fileIds, collected](const HttpResponse &response) mutable {
            const BatchReply<QByteArray> content = m_apis->decodeContent(response);
            std::chrono::milliseconds delay {};
            if (!content.ok() && retryable(content.failure, &delay)) {
                QTimer::singleShot(delay, this, [this, partIndex, fileIds, collected] {
                    downloadFile(partIndex, fileIds, collected);
                });
                return;
            }
            if (!content.ok()) {
                fail(u"downloading file %1 of batch %2 failed (%3: %4); resume it by id later."_s
                         .arg(fileIds.first(), m_parts.at(partIndex)->batchId,
                             errorClassName(content.failure.errorClass),
                             content.failure.errorMessage));
                return;
            }
            m_failures = 0;
            collected += *content.value;
            if (!collected.endsWith('\n'))
                collected += '\n';
            downloadFile(partIndex, fileIds.mid(1), collected);
        });
}

void ProviderBatchJob::settle(int partIndex, const QByteArray &jsonl)
{
    Part &part = *m_parts.at(partIndex);
    QStringList problems;
    QHash<QString, BatchLineResult> lines;
    for (BatchLineResult &line : m_apis->decodeResults(jsonl, &problems))
        lines.insert(line.customId, std::move(line));
    m_trace.setAttribute(part.downloadSpan, u"lines"_s, qint64(lines.size()));
    for (const QString &problem : std::as_const(problems))
        qCWarning(lcProviderBatch, "batch %ls: %ls", qUtf16Printable(part.batchId),
            qUtf16Printable(problem));
    if (!problems.isEmpty())
        m_trace.setAttribute(part.downloadSpan, u"unreadable_lines"_s, qint64(problems.size()));

    QStringList rowIds;
    if (part.resumed) {
        for (auto it = lines.cbegin(); it != lines.cend(); ++it) {
            if (const auto row = m_rowByCustomId.constFind(it.key()); row != m_rowByCustomId.cend())
                rowIds << m_rows.at(*row).rowId;
        }
    } else {
        for (const qsizetype row : std::as_const(part.rows))
            rowIds << m_rows.at(row).rowId;
    }
    QString missing = u"the batch's results have no line for this row"_s;
    if (part.status.state == BatchStatus::State::Failed) {
        missing = u"the provider rejected the batch: %1"_s.arg(
            part.status.errors.isEmpty() ? u"no reason given"_s : part.status.errors.join(u"; "_s));
    }
    finishRows(rowIds, &part, lines, missing);
    m_trace.end(part.downloadSpan);
    part.done = true;
    checkDone();
}

void ProviderBatchJob::finishRows(const QStringList &rowIds, const Part *part,
    const QHash<QString, BatchLineResult> &lines, const QString &missing)
{
    for (const QString &rowId : rowIds) {
        if (m_rowsDone.contains(rowId))
            continue;
        const ProviderBatchRow &row = m_rows.at(m_rowByCustomId.value(customIdFor(rowId)));
        const auto line = lines.constFind(customIdFor(rowId));
        GenerationResult result;
        if (!part) {
            // Never submitted: the job was cancelled first.
            result.status = GenerationResult::Status::Cancelled;
            result.errorMessage = u"cancelled before it was submitted"_s;
            result.startedAt = m_startedAt;
            result.trace = Trace(m_clock);
            const std::uint64_t span = result.trace.begin(u"request"_s);
            result.trace.setAttribute(span, u"status"_s, resultStatusName(result.status));
            result.trace.end(span);
        } else {
            result = resultFor(row, *part, line == lines.cend() ? nullptr : &*line, missing);
        }
        m_rowsDone.insert(rowId);
        Q_EMIT rowFinished(rowId, result);
    }
}

GenerationResult ProviderBatchJob::resultFor(const ProviderBatchRow &row, const Part &part,
    const BatchLineResult *line, const QString &missing)
{
    const TimePoint now = m_clock.now();
    GenerationResult result;
    result.startedAt = m_startedAt;
    result.priceTableVersion = m_prices ? m_prices->version() : QString();
    result.fingerprint = requestFingerprint({m_provider->id(), m_endpointUrl}, row.request);
    result.trace = Trace(m_clock);
    Trace &trace = result.trace;
    const std::uint64_t span = trace.begin(u"request"_s);
    trace.setAttribute(span, u"model"_s, row.request.model);
    trace.setAttribute(span, u"batch_id"_s, part.batchId);
    trace.setAttribute(span, u"custom_id"_s, customIdFor(row.rowId));
    trace.setAttribute(span, u"batch_trace_id"_s, m_trace.traceId());
    trace.setAttribute(span, u"fingerprint"_s, result.fingerprint);
    if (!result.priceTableVersion.isEmpty())
        trace.setAttribute(span, u"price_table_version"_s, result.priceTableVersion);

    auto close = [&](GenerationResult::Status status) {
        result.status = status;
        result.totalMs = millisecondsBetween(m_startedClock, now);
        trace.setAttribute(span, u"status"_s, resultStatusName(status));
        trace.end(span);
        return result;
    };
    if (!line) {
        result.errorClass = part.status.state == BatchStatus::State::Failed
            ? ErrorClass::BadRequest
            : ErrorClass::MalformedResponse;
        result.errorMessage = missing;
        return close(GenerationResult::Status::Failed);
    }
    const GenerationOutcome &outcome = line->outcome;
    result.outcome = outcome;
    if (line->kind == BatchLineResult::Kind::Cancelled) {
        result.errorMessage = outcome.errorMessage;
        return close(GenerationResult::Status::Cancelled);
    }
    if (line->kind == BatchLineResult::Kind::Expired) {
        result.errorClass = ErrorClass::Timeout;
        result.errorMessage = outcome.errorMessage;
        return close(GenerationResult::Status::Failed);
    }

    // The provider ran it: one attempt, priced at the batch price.
    AttemptRecord attempt;
    attempt.reachedServer = true;
    attempt.latencyMs = millisecondsBetween(part.submittedAt, now);
    attempt.status = outcome.status;
    attempt.errorClass = outcome.errorClass;
    attempt.httpStatus = outcome.httpStatus;
    attempt.errorMessage = outcome.errorMessage;
    attempt.usage = outcome.usage;
    attempt.requestId = outcome.requestId;
    if (m_prices) {
        const QString model = outcome.model.isEmpty() ? row.request.model : outcome.model;
        attempt.cost = computeCost(*m_prices, model, outcome.usage, CostOptions {true});
    } else {
        attempt.cost.unknownReason = u"no price table is loaded"_s;
    }
    result.attempts = {attempt};
    result.usage = attempt.usage;
    result.cost = attempt.cost;
    result.latencyMs = attempt.latencyMs;
    result.requestId = attempt.requestId;
    trace.setAttribute(span, u"http_status"_s, outcome.httpStatus);
    if (!outcome.model.isEmpty())
        trace.setAttribute(span, u"response_model"_s, outcome.model);
    if (!outcome.responseId.isEmpty())
        trace.setAttribute(span, u"response_id"_s, outcome.responseId);

    switch (outcome.status) {
    case GenerationOutcome::Status::Failed:
        result.errorClass = outcome.errorClass;
        result.errorMessage = outcome.errorMessage;
        return close(GenerationResult::Status::Failed);
    case GenerationOutcome::Status::Refused:
        result.text = outcome.text;
        result.errorClass = ErrorClass::Refused;
        result.errorMessage = outcome.refusal;
        return close(GenerationResult::Status::Refused);
    case GenerationOutcome::Status::Incomplete:
        result.text = outcome.text;
        result.errorClass = ErrorClass::Incomplete;
        result.errorMessage = outcome.incompleteReason;
        return close(GenerationResult::Status::Incomplete);
    case GenerationOutcome::Status::Completed:
        break;
    }
    result.text = outcome.text;
    if (!row.request.outputSchema)
        return close(GenerationResult::Status::Ok);
    const SchemaValidator *validator = m_apis->validator(row.request.outputSchema->schema);
    if (!validator) {
        result.errorClass = ErrorClass::BadRequest;
        result.errorMessage = m_apis->schemaError;
        return close(GenerationResult::Status::Failed);
    }
    const OutputCheck check = checkOutput(outcome.text, *validator, trace, span);
    if (check.valid()) {
        result.output = check.output;
        result.repairStep = check.repairStep;
        return close(GenerationResult::Status::Ok);
    }
    result.validationErrors = check.validationErrors;
    result.errorMessage = u"the answer does not match the output schema"_s;
    return close(GenerationResult::Status::InvalidOutput);
}

void ProviderBatchJob::cancel()
{
    if (m_state != State::Running || m_cancelRequested)
        return;
    m_cancelRequested = true;
    m_trace.setAttribute(m_rootSpan, u"cancel_requested"_s, true);
    for (const auto &part : std::as_const(m_parts)) {
        if (part->batchId.isEmpty() || part->status.isFinal() || part->cancelSent)
            continue;
        part->cancelSent = true;
        sendCall(m_apis->cancel(part->batchId), [](const HttpResponse &) {});
        schedulePoll(part->index, std::chrono::milliseconds(0)); // the cancel moves it on
    }
}

void ProviderBatchJob::sendCall(
    const BatchCall &call, std::function<void(const HttpResponse &)> done)
{
    QPointer<ProviderBatchJob> self(this);
    m_http->send(call, m_config.callTimeout, [self, done = std::move(done)](HttpResponse response) {
        if (self)
            done(response);
    });
}

bool ProviderBatchJob::retryable(const GenerationOutcome &failure, std::chrono::milliseconds *delay)
{
    switch (failure.errorClass) {
    case ErrorClass::Network:
    case ErrorClass::Timeout:
    case ErrorClass::Server:
    case ErrorClass::Overloaded:
    case ErrorClass::RateLimited:
        break;
    default:
        return false;
    }
    if (++m_failures > m_config.maxConsecutiveFailures)
        return false;
    *delay = failure.hints.retryAfter ? toMilliseconds(*failure.hints.retryAfter)
                                      : m_config.pollInterval;
    qCInfo(lcProviderBatch, "batch call failed (%ls), trying again in %lld ms",
        qUtf16Printable(errorClassName(failure.errorClass)), qint64(delay->count()));
    return true;
}

void ProviderBatchJob::fail(const QString &message)
{
    if (m_state != State::Running)
        return;
    m_state = State::Failed;
    m_error = message;
    for (const auto &part : std::as_const(m_parts))
        part->pollTimer.stop();
    m_trace.setAttribute(m_rootSpan, u"error"_s, message);
    m_trace.end(m_rootSpan);
    qCWarning(lcProviderBatch, "provider batch stopped: %ls", qUtf16Printable(message));
    Q_EMIT failed(message);
}

void ProviderBatchJob::checkDone()
{
    if (m_state != State::Running || m_nextRow < m_rows.size())
        return;
    for (const auto &part : std::as_const(m_parts)) {
        if (!part->done)
            return;
    }
    // Resumed rows that no batch answered.
    for (const ProviderBatchRow &row : std::as_const(m_rows)) {
        if (m_rowsDone.contains(row.rowId))
            continue;
        GenerationResult result;
        result.status = GenerationResult::Status::Failed;
        result.errorClass = ErrorClass::MalformedResponse;
        result.errorMessage = u"none of the resumed batches has a result for this row"_s;
        result.startedAt = m_startedAt;
        result.trace = Trace(m_clock);
        const std::uint64_t span = result.trace.begin(u"request"_s);
        result.trace.setAttribute(span, u"status"_s, resultStatusName(result.status));
        result.trace.end(span);
        m_rowsDone.insert(row.rowId);
        Q_EMIT rowFinished(row.rowId, result);
    }
    m_state = State::Finished;
    m_trace.setAttribute(m_rootSpan, u"batches"_s, qint64(m_parts.size()));
    m_trace.end(m_rootSpan);
    Q_EMIT finished();
}

} // namespace sluice
