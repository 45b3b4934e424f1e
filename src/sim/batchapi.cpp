#include "sim/batchapi.h"

#include "sim/messagesapi.h"
#include "sim/responsesapi.h"
#include "sim/simserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <optional>
#include <variant>

namespace sluice::sim {

using namespace Qt::StringLiterals;

namespace {

const QString kFilesPath = u"/v1/files"_s;
const QString kBatchesPath = u"/v1/batches"_s;
const QString kMessageBatchesPath = u"/v1/messages/batches"_s;
const QStringList kOpenAiEndpoints = {u"/v1/responses"_s, u"/v1/chat/completions"_s};

// The lifecycle of one batch; Anthropic's processing_status is derived.
enum class Phase {
    Validating,
    InProgress,
    Finalizing,
    Completed,
    Failed,
    Expired,
    Cancelling,
    Cancelled
};

QString openAiStatus(Phase phase)
{
    switch (phase) {
    case Phase::Validating:
        return u"validating"_s;
    case Phase::InProgress:
        return u"in_progress"_s;
    case Phase::Finalizing:
        return u"finalizing"_s;
    case Phase::Completed:
        return u"completed"_s;
    case Phase::Failed:
        return u"failed"_s;
    case Phase::Expired:
        return u"expired"_s;
    case Phase::Cancelling:
        return u"cancelling"_s;
    case Phase::Cancelled:
        return u"cancelled"_s;
    }
    return {};
}

bool isTerminal(Phase phase)
{
    return phase == Phase::Completed || phase == Phase::Failed || phase == Phase::Expired
        || phase == Phase::Cancelled;
}

struct File
{
    QString id;
    QString filename;
    QString purpose;
    QByteArray content;
    qint64 createdAt = 0;
};

struct Line
{
    QString customId;
    QString path;
    QByteArray body;
};

struct Batch
{
    bool anthropic = false;
    QString id;
    QString endpoint; ///< OpenAI: the batch's endpoint
    QString inputFileId;
    QJsonValue metadata;
    QList<Line> lines;
    Phase phase = Phase::Validating;
    double phaseSeconds = 0; ///< time spent in the current phase (work credit)
    BatchApi::Clock::time_point lastAdvance;
    qsizetype next = 0;         ///< the next line to answer
    QList<QJsonObject> outputs; ///< OpenAI: 2xx lines; Anthropic: every result
    QList<QJsonObject> errors;  ///< OpenAI: the other lines
    qint64 succeeded = 0;
    qint64 failed = 0; ///< OpenAI failed; Anthropic errored
    qint64 canceled = 0;
    qint64 expired = 0;
    QJsonValue validationErrors; ///< OpenAI `errors` of a failed batch
    QString outputFileId;
    QString errorFileId;
    QHash<QString, QDateTime> times; ///< "created_at", "in_progress_at", ... as they happen
};

QString newId(const char *prefix)
{
    return QString::fromLatin1(prefix + randomHex(12));
}

BatchReply jsonReply(int status, const QJsonObject &body)
{
    BatchReply reply;
    reply.status = status;
    reply.body = body;
    return reply;
}

BatchReply openAiError(
    int status, const QString &message, const QJsonValue &param = {}, const QJsonValue &code = {})
{
    return jsonReply(
        status, ApiError {status, message, u"invalid_request_error"_s, param, code}.body());
}

BatchReply anthropicError(int status, const QString &message)
{
    return jsonReply(status,
        anthropicErrorBody(ApiError {status, message, QString(), QJsonValue(), QJsonValue()}));
}

QByteArray jsonl(const QList<QJsonObject> &lines)
{
    QByteArray bytes;
    for (const QJsonObject &line : lines)
        bytes += QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    return bytes;
}

QJsonValue unixTime(const QHash<QString, QDateTime> &times, const QString &name)
{
    const auto it = times.constFind(name);
    return it == times.cend() ? QJsonValue() : QJsonValue(it->toSecsSinceEpoch());
}

QJsonValue rfc3339(const QHash<QString, QDateTime> &times, const QString &name)
{
    const auto it = times.constFind(name);
    return it == times.cend() ? QJsonValue() : QJsonValue(it->toString(Qt::ISODateWithMs));
}

struct Part
{
    QByteArray name;
    QByteArray filename;
    QByteArray content;
};

// The parts of a multipart/form-data body (RFC 7578), or nullopt when the
// body is not one.
std::optional<QList<Part>> parseMultipart(const QByteArray &contentType, const QByteArray &body)
{
    static const QRegularExpression boundaryPattern(
        u"^multipart/form-data\\s*;.*boundary=\"?([^\";]+)\"?"_s,
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = boundaryPattern.match(QString::fromLatin1(contentType));
    if (!match.hasMatch())
        return std::nullopt;
    const QByteArray delimiter = "--" + match.captured(1).toLatin1();
    QList<Part> parts;
    qsizetype at = body.indexOf(delimiter);
    if (at < 0)
        return std::nullopt;
    while (true) {
        at += delimiter.size();
        if (body.mid(at, 2) == "--")
            return parts;
        if (body.mid(at, 2) != "\r\n")
            return std::nullopt;
        at += 2;
        const qsizetype headersEnd = body.indexOf("\r\n\r\n", at);
        if (headersEnd < 0)
            return std::nullopt;
        const qsizetype next = body.indexOf("\r\n" + delimiter, headersEnd + 4);
        if (next < 0)
            return std::nullopt;
        Part part;
        for (const QByteArray &header : body.mid(at, headersEnd - at).split('\n')) {
            if (!header.trimmed().toLower().startsWith("content-disposition:"))
                continue;
            static const QRegularExpression field(u"\\b(name|filename)=\"([^\"]*)\""_s);
            auto fields = field.globalMatch(QString::fromUtf8(header));
            while (fields.hasNext()) {
                const QRegularExpressionMatch f = fields.next();
                (f.captured(1) == u"name" ? part.name : part.filename) = f.captured(2).toUtf8();
            }
        }
        part.content = body.mid(headersEnd + 4, next - headersEnd - 4);
        parts.append(part);
        at = next + 2;
    }
}

// The lines of an OpenAI batch input file, or the error that rejects it.
std::variant<QList<Line>, BatchReply> parseInputFile(const QByteArray &content)
{
    if (content.size() > BatchApi::kOpenAiMaxBytes) {
        return openAiError(400,
            u"The batch input file is %1 bytes; the limit is 200 MB. Split it into smaller "
            "files."_s.arg(content.size()),
            u"file"_s, u"file_too_large"_s);
    }
    QList<Line> lines;
    QSet<QString> ids;
    qsizetype lineNumber = 0;
    for (const QByteArray &raw : content.split('\n')) {
        ++lineNumber;
        if (raw.trimmed().isEmpty())
            continue;
        auto bad = [lineNumber](const QString &what) {
            return openAiError(400,
                u"Invalid batch input file, line %1: %2."_s.arg(lineNumber).arg(what), u"file"_s,
                u"invalid_file_format"_s);
        };
        QJsonParseError parseError {};
        const QJsonDocument document = QJsonDocument::fromJson(raw, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject())
            return bad(u"not a JSON object"_s);
        const QJsonObject object = document.object();
        const QString customId = object.value(u"custom_id"_s).toString();
        if (customId.isEmpty())
            return bad(u"'custom_id' must be a non-empty string"_s);
        if (ids.contains(customId))
            return bad(u"duplicate custom_id '%1'; each line needs its own"_s.arg(customId));
        if (object.value(u"method"_s).toString() != u"POST")
            return bad(u"'method' must be \"POST\""_s);
        const QString url = object.value(u"url"_s).toString();
        if (!kOpenAiEndpoints.contains(url))
            return bad(u"'url' must be one of %1"_s.arg(kOpenAiEndpoints.join(u", "_s)));
        if (!object.value(u"body"_s).isObject())
            return bad(u"'body' must be a JSON object"_s);
        ids.insert(customId);
        lines.append(Line {customId, url,
            QJsonDocument(object.value(u"body"_s).toObject()).toJson(QJsonDocument::Compact)});
        if (lines.size() > BatchApi::kOpenAiMaxLines) {
            return openAiError(400,
                u"The batch input file has more than 50,000 requests. Split it into smaller "
                "files."_s,
                u"file"_s, u"too_many_requests"_s);
        }
    }
    if (lines.isEmpty())
        return openAiError(
            400, u"The batch input file has no requests."_s, u"file"_s, u"invalid_file_format"_s);
    return lines;
}

} // namespace

struct BatchApi::State
{
    Answerer answer;
    BatchSpeed speed;
    QHash<QString, File> files;
    QHash<QString, Batch> batches;
    QStringList order; ///< batch ids, oldest first (lines are answered in this order)

    QJsonObject fileObject(const File &file) const
    {
        return QJsonObject {{u"id"_s, file.id}, {u"object"_s, u"file"_s},
            {u"bytes"_s, qint64(file.content.size())}, {u"created_at"_s, file.createdAt},
            {u"filename"_s, file.filename}, {u"purpose"_s, file.purpose},
            {u"status"_s, u"processed"_s}};
    }

    QString storeFile(const QString &filename, const QString &purpose, const QByteArray &content)
    {
        File file {newId("file-"), filename, purpose, content, QDateTime::currentSecsSinceEpoch()};
        files.insert(file.id, file);
        return file.id;
    }

    QJsonObject batchObject(const Batch &batch, const QUrl &baseUrl) const
    {
        if (batch.anthropic) {
            QString status = u"in_progress"_s;
            if (batch.phase == Phase::Cancelling)
                status = u"canceling"_s;
            else if (isTerminal(batch.phase))
                status = u"ended"_s;
            QUrl results = baseUrl;
            results.setPath(kMessageBatchesPath + u'/' + batch.id + u"/results"_s);
            return QJsonObject {{u"id"_s, batch.id}, {u"type"_s, u"message_batch"_s},
                {u"processing_status"_s, status},
                {u"request_counts"_s,
                    QJsonObject {{u"processing"_s,
                                     qint64(batch.lines.size()) - batch.succeeded - batch.failed
                                         - batch.canceled - batch.expired},
                        {u"succeeded"_s, batch.succeeded}, {u"errored"_s, batch.failed},
                        {u"canceled"_s, batch.canceled}, {u"expired"_s, batch.expired}}},
                {u"created_at"_s, rfc3339(batch.times, u"created_at"_s)},
                {u"expires_at"_s, rfc3339(batch.times, u"expires_at"_s)},
                {u"ended_at"_s, rfc3339(batch.times, u"ended_at"_s)},
                {u"cancel_initiated_at"_s, rfc3339(batch.times, u"cancel_initiated_at"_s)},
                {u"archived_at"_s, QJsonValue()},
                {u"results_url"_s,
                    status == u"ended" ? QJsonValue(results.toString()) : QJsonValue()}};
        }
        QJsonObject object {{u"id"_s, batch.id}, {u"object"_s, u"batch"_s},
            {u"endpoint"_s, batch.endpoint}, {u"errors"_s, batch.validationErrors},
            {u"input_file_id"_s, batch.inputFileId}, {u"completion_window"_s, u"24h"_s},
            {u"status"_s, openAiStatus(batch.phase)},
            {u"output_file_id"_s,
                batch.outputFileId.isEmpty() ? QJsonValue() : QJsonValue(batch.outputFileId)},
            {u"error_file_id"_s,
                batch.errorFileId.isEmpty() ? QJsonValue() : QJsonValue(batch.errorFileId)},
            {u"request_counts"_s,
                QJsonObject {{u"total"_s, qint64(batch.lines.size())},
                    {u"completed"_s, batch.succeeded}, {u"failed"_s, batch.failed}}},
            {u"metadata"_s, batch.metadata}};
        for (const QString &name : {u"created_at"_s, u"in_progress_at"_s, u"expires_at"_s,
                 u"finalizing_at"_s, u"completed_at"_s, u"failed_at"_s, u"expired_at"_s,
                 u"cancelling_at"_s, u"cancelled_at"_s})
            object.insert(name, unixTime(batch.times, name));
        return object;
    }

    void runLine(Batch &batch)
    {
        const Line &line = batch.lines.at(batch.next++);
        const BatchLineAnswer answer
            = this->answer({batch.id, line.customId, line.path, line.body});
        const bool ok = answer.status >= 200 && answer.status < 300;
        if (batch.anthropic) {
            const QJsonObject result = ok
                ? QJsonObject {{u"type"_s, u"succeeded"_s}, {u"message"_s, answer.body}}
                : QJsonObject {{u"type"_s, u"errored"_s}, {u"error"_s, answer.body}};
            batch.outputs.append({{u"custom_id"_s, line.customId}, {u"result"_s, result}});
        } else {
            const QJsonObject record {{u"id"_s, newId("batch_req_")},
                {u"custom_id"_s, line.customId},
                {u"response"_s,
                    QJsonObject {{u"status_code"_s, answer.status},
                        {u"request_id"_s, answer.requestId}, {u"body"_s, answer.body}}},
                {u"error"_s, QJsonValue()}};
            (ok ? batch.outputs : batch.errors).append(record);
        }
        (ok ? batch.succeeded : batch.failed) += 1;
    }

    // Lines never run: `canceled` / `expired` results, or OpenAI error lines.
    void endUnrun(Batch &batch, bool expired)
    {
        for (; batch.next < batch.lines.size(); ++batch.next) {
            const QString customId = batch.lines.at(batch.next).customId;
            if (batch.anthropic) {
                batch.outputs.append({{u"custom_id"_s, customId},
                    {u"result"_s,
                        QJsonObject {{u"type"_s, expired ? u"expired"_s : u"canceled"_s}}}});
            } else {
                const QJsonObject error = expired
                    ? QJsonObject {{u"code"_s, u"batch_expired"_s},
                        {u"message"_s,
                            u"This request could not be executed before the completion window "
                            "expired."_s}}
                    : QJsonObject {{u"code"_s, u"batch_cancelled"_s},
                        {u"message"_s,
                            u"This request was not executed: the batch was cancelled."_s}};
                batch.errors.append({{u"id"_s, newId("batch_req_")}, {u"custom_id"_s, customId},
                    {u"response"_s, QJsonValue()}, {u"error"_s, error}});
            }
            (expired ? batch.expired : batch.canceled) += 1;
        }
    }

    void end(Batch &batch, Phase phase, const QString &timeName)
    {
        batch.phase = phase;
        batch.times.insert(timeName, QDateTime::currentDateTimeUtc());
        if (batch.anthropic) {
            batch.times.insert(u"ended_at"_s, QDateTime::currentDateTimeUtc());
            return;
        }
        if (!batch.outputs.isEmpty()) {
            batch.outputFileId
                = storeFile(batch.id + u"_output.jsonl"_s, u"batch_output"_s, jsonl(batch.outputs));
        }
        if (!batch.errors.isEmpty()) {
            batch.errorFileId
                = storeFile(batch.id + u"_error.jsonl"_s, u"batch_output"_s, jsonl(batch.errors));
        }
    }

    // Why an OpenAI batch fails validation: lines whose url is not its endpoint.
    QJsonValue validate(const Batch &batch) const
    {
        QJsonArray data;
        for (qsizetype i = 0; i < batch.lines.size(); ++i) {
            if (batch.lines.at(i).path == batch.endpoint)
                continue;
            data.append(QJsonObject {{u"code"_s, u"invalid_url"_s},
                {u"message"_s,
                    u"The line's url %1 is not the batch's endpoint %2."_s.arg(
                        batch.lines.at(i).path, batch.endpoint)},
                {u"param"_s, u"url"_s}, {u"line"_s, qint64(i + 1)}});
        }
        if (data.isEmpty())
            return QJsonValue();
        return QJsonObject {{u"object"_s, u"list"_s}, {u"data"_s, data}};
    }

    void advance(Batch &batch, Clock::time_point now)
    {
        batch.phaseSeconds += std::chrono::duration<double>(now - batch.lastAdvance).count();
        batch.lastAdvance = now;
        while (!isTerminal(batch.phase)) {
            switch (batch.phase) {
            case Phase::Validating:
                if (batch.phaseSeconds < speed.validatingSeconds)
                    return;
                batch.phaseSeconds -= speed.validatingSeconds;
                batch.validationErrors = validate(batch);
                if (!batch.validationErrors.isNull()) {
                    end(batch, Phase::Failed, u"failed_at"_s);
                    return;
                }
                batch.phase = Phase::InProgress;
                batch.times.insert(u"in_progress_at"_s, QDateTime::currentDateTimeUtc());
                break;
            case Phase::InProgress:
                while (batch.next < batch.lines.size()
                    && (speed.secondsPerRequest <= 0
                        || batch.phaseSeconds >= speed.secondsPerRequest)) {
                    runLine(batch);
                    if (speed.secondsPerRequest > 0)
                        batch.phaseSeconds -= speed.secondsPerRequest;
                }
                if (batch.next < batch.lines.size())
                    return;
                if (batch.anthropic) {
                    end(batch, Phase::Completed, u"completed_at"_s);
                    return;
                }
                batch.phase = Phase::Finalizing;
                batch.times.insert(u"finalizing_at"_s, QDateTime::currentDateTimeUtc());
                break;
            case Phase::Finalizing:
                if (batch.phaseSeconds < speed.finalizingSeconds)
                    return;
                end(batch, Phase::Completed, u"completed_at"_s);
                return;
            case Phase::Cancelling:
                if (!batch.anthropic && batch.phaseSeconds < speed.finalizingSeconds)
                    return;
                endUnrun(batch, false);
                end(batch, Phase::Cancelled, u"cancelled_at"_s);
                return;
            case Phase::Completed:
            case Phase::Failed:
            case Phase::Expired:
            case Phase::Cancelled:
                return;
            }
        }
    }

    BatchReply createOpenAi(const QByteArray &body, const QUrl &baseUrl)
    {
        const QJsonObject request = QJsonDocument::fromJson(body).object();
        const QString fileId = request.value(u"input_file_id"_s).toString();
        if (fileId.isEmpty())
            return openAiError(400, u"Missing required parameter: 'input_file_id'."_s,
                u"input_file_id"_s, u"missing_required_parameter"_s);
        const auto file = files.constFind(fileId);
        if (file == files.cend() || file->purpose != u"batch") {
            return openAiError(400,
                u"No batch input file with id '%1'; upload one with POST /v1/files "
                "(purpose=batch)."_s.arg(fileId),
                u"input_file_id"_s, u"invalid_value"_s);
        }
        const QString endpoint = request.value(u"endpoint"_s).toString();
        if (!kOpenAiEndpoints.contains(endpoint)) {
            return openAiError(400,
                u"Invalid 'endpoint': '%1'. sluice-sim supports %2."_s.arg(
                    endpoint, kOpenAiEndpoints.join(u", "_s)),
                u"endpoint"_s, u"invalid_value"_s);
        }
        if (request.value(u"completion_window"_s).toString() != u"24h") {
            return openAiError(400, u"Invalid 'completion_window': only '24h' is supported."_s,
                u"completion_window"_s, u"invalid_value"_s);
        }
        const auto parsed = parseInputFile(file->content);
        if (const auto *error = std::get_if<BatchReply>(&parsed))
            return *error;
        Batch batch;
        batch.id = newId("batch_");
        batch.endpoint = endpoint;
        batch.inputFileId = fileId;
        batch.metadata
            = request.value(u"metadata"_s).isObject() ? request.value(u"metadata"_s) : QJsonValue();
        batch.lines = std::get<QList<Line>>(parsed);
        return add(std::move(batch), baseUrl);
    }

    BatchReply createAnthropic(const QByteArray &body, const QUrl &baseUrl)
    {
        if (body.size() > kAnthropicMaxBytes)
            return anthropicError(
                413, u"The batch is over 256 MB; split it into smaller batches."_s);
        const QJsonObject request = QJsonDocument::fromJson(body).object();
        const QJsonArray requests = request.value(u"requests"_s).toArray();
        if (requests.isEmpty())
            return anthropicError(400, u"requests: Field required (a non-empty list)"_s);
        if (requests.size() > kAnthropicMaxRequests) {
            return anthropicError(
                400, u"requests: at most 100,000 requests per batch; split it."_s);
        }
        static const QRegularExpression idPattern(u"^[a-zA-Z0-9_-]{1,64}$"_s);
        Batch batch;
        batch.anthropic = true;
        batch.id = newId("msgbatch_");
        QSet<QString> ids;
        for (qsizetype i = 0; i < requests.size(); ++i) {
            const QJsonObject item = requests.at(i).toObject();
            const QString customId = item.value(u"custom_id"_s).toString();
            if (!idPattern.match(customId).hasMatch()) {
                return anthropicError(400,
                    u"requests.%1.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"_s
                        .arg(i));
            }
            if (ids.contains(customId)) {
                return anthropicError(
                    400, u"requests.%1.custom_id: duplicate custom_id '%2'"_s.arg(i).arg(customId));
            }
            if (!item.value(u"params"_s).isObject())
                return anthropicError(400, u"requests.%1.params: Field required"_s.arg(i));
            ids.insert(customId);
            batch.lines.append(Line {customId, u"/v1/messages"_s,
                QJsonDocument(item.value(u"params"_s).toObject()).toJson(QJsonDocument::Compact)});
        }
        batch.phase = Phase::InProgress;
        return add(std::move(batch), baseUrl);
    }

    BatchReply add(Batch batch, const QUrl &baseUrl)
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        batch.times.insert(u"created_at"_s, now);
        batch.times.insert(u"expires_at"_s, now.addSecs(24 * 3600));
        batch.lastAdvance = Clock::now();
        BatchReply reply = jsonReply(200, batchObject(batch, baseUrl));
        reply.log = QJsonObject {
            {u"batch_id"_s, batch.id}, {u"batch_requests"_s, qint64(batch.lines.size())}};
        order.append(batch.id);
        batches.insert(batch.id, std::move(batch));
        return reply;
    }

    BatchReply cancel(Batch &batch, const QUrl &baseUrl)
    {
        if (!isTerminal(batch.phase) && batch.phase != Phase::Cancelling) {
            batch.phase = Phase::Cancelling;
            batch.phaseSeconds = 0;
            batch.times.insert(batch.anthropic ? u"cancel_initiated_at"_s : u"cancelling_at"_s,
                QDateTime::currentDateTimeUtc());
        } else if (!batch.anthropic && isTerminal(batch.phase)) {
            return openAiError(
                400, u"Cannot cancel a batch with status '%1'."_s.arg(openAiStatus(batch.phase)));
        }
        return jsonReply(200, batchObject(batch, baseUrl));
    }

    BatchReply handleOpenAi(const QByteArray &method, const QStringList &segments,
        const QByteArray &contentType, const QByteArray &body, const QUrl &baseUrl)
    {
        // segments: ["files"] / ["files", id] / ["files", id, "content"] / ["batches", ...]
        auto notAllowed = [&method](const QString &path, const char *allowed) {
            return openAiError(405,
                u"Method %1 is not allowed on %2; use %3."_s.arg(
                    QString::fromLatin1(method), path, QString::fromLatin1(allowed)),
                QJsonValue(), u"method_not_allowed"_s);
        };
        const QString path = u"/v1/"_s + segments.join(u'/');
        if (segments.at(0) == u"files") {
            if (segments.size() == 1) {
                if (method != "POST")
                    return notAllowed(path, "POST");
                return upload(contentType, body);
            }
            const auto file = files.constFind(segments.at(1));
            if (segments.size() > 3 || (segments.size() == 3 && segments.at(2) != u"content"))
                return openAiError(
                    404, u"Invalid URL (%1 %2)."_s.arg(QString::fromLatin1(method), path));
            if (method != "GET")
                return notAllowed(path, "GET");
            if (file == files.cend())
                return openAiError(404, u"No such File object: %1"_s.arg(segments.at(1)), u"id"_s);
            if (segments.size() == 2)
                return jsonReply(200, fileObject(*file));
            BatchReply reply;
            reply.raw = file->content;
            reply.contentType = "application/octet-stream";
            return reply;
        }
        if (segments.size() == 1) {
            if (method != "POST")
                return notAllowed(path, "POST");
            return createOpenAi(body, baseUrl);
        }
        const bool cancelPath = segments.size() == 3 && segments.at(2) == u"cancel";
        if (segments.size() > 3 || (segments.size() == 3 && !cancelPath))
            return openAiError(
                404, u"Invalid URL (%1 %2)."_s.arg(QString::fromLatin1(method), path));
        if (method != (cancelPath ? "POST" : "GET"))
            return notAllowed(path, cancelPath ? "POST" : "GET");
        const auto batch = batches.find(segments.at(1));
        if (batch == batches.end() || batch->anthropic)
            return openAiError(404, u"No batch found with id '%1'."_s.arg(segments.at(1)), u"id"_s);
        BatchReply reply
            = cancelPath ? cancel(*batch, baseUrl) : jsonReply(200, batchObject(*batch, baseUrl));
        reply.log.insert(u"batch_id"_s, batch->id);
        return reply;
    }

    BatchReply upload(const QByteArray &contentType, const QByteArray &body)
    {
        const auto parts = parseMultipart(contentType, body);
        if (!parts) {
            return openAiError(400,
                u"Upload the file as multipart/form-data with the fields 'purpose' and 'file'."_s);
        }
        QString purpose;
        std::optional<Part> file;
        for (const Part &part : *parts) {
            if (part.name == "purpose")
                purpose = QString::fromUtf8(part.content);
            else if (part.name == "file")
                file = part;
        }
        if (purpose.isEmpty())
            return openAiError(400, u"Missing required parameter: 'purpose'."_s, u"purpose"_s,
                u"missing_required_parameter"_s);
        if (!file)
            return openAiError(400, u"Missing required parameter: 'file'."_s, u"file"_s,
                u"missing_required_parameter"_s);
        if (purpose != u"batch") {
            return openAiError(400,
                u"Invalid 'purpose': '%1'. sluice-sim stores batch input files only "
                "(purpose=batch)."_s.arg(purpose),
                u"purpose"_s, u"invalid_value"_s);
        }
        const auto parsed = parseInputFile(file->content);
        if (const auto *error = std::get_if<BatchReply>(&parsed))
            return *error;
        const QString id = storeFile(QString::fromUtf8(file->filename), purpose, file->content);
        BatchReply reply = jsonReply(200, fileObject(files.value(id)));
        reply.log = QJsonObject {{u"file_id"_s, id},
            {u"batch_requests"_s, qint64(std::get<QList<Line>>(parsed).size())}};
        return reply;
    }

    BatchReply handleAnthropic(const QByteArray &method, const QStringList &segments,
        const QByteArray &body, const QUrl &baseUrl)
    {
        // segments after /v1/messages/batches: [] / [id] / [id, "results"|"cancel"]
        const QString path
            = kMessageBatchesPath + (segments.isEmpty() ? QString() : u'/' + segments.join(u'/'));
        auto notAllowed = [&method, &path](const char *allowed) {
            return anthropicError(405,
                u"Method %1 is not allowed on %2; use %3."_s.arg(
                    QString::fromLatin1(method), path, QString::fromLatin1(allowed)));
        };
        if (segments.isEmpty()) {
            if (method != "POST")
                return notAllowed("POST");
            return createAnthropic(body, baseUrl);
        }
        const QString action = segments.size() == 2 ? segments.at(1) : QString();
        if (segments.size() > 2
            || (segments.size() == 2 && action != u"results" && action != u"cancel"))
            return anthropicError(
                404, u"Not found: %1 %2"_s.arg(QString::fromLatin1(method), path));
        const char *allowed = action == u"cancel" ? "POST" : "GET";
        if (method != allowed)
            return notAllowed(allowed);
        const auto batch = batches.find(segments.at(0));
        if (batch == batches.end() || !batch->anthropic)
            return anthropicError(404, u"No message batch with id '%1'."_s.arg(segments.at(0)));
        BatchReply reply;
        if (action == u"cancel") {
            reply = cancel(*batch, baseUrl);
        } else if (action == u"results") {
            if (!isTerminal(batch->phase)) {
                return anthropicError(400,
                    u"Message batch %1 has not ended yet; poll it until processing_status is "
                    "'ended'."_s.arg(batch->id));
            }
            reply.raw = jsonl(batch->outputs);
            reply.contentType = "application/binary";
        } else {
            reply = jsonReply(200, batchObject(*batch, baseUrl));
        }
        reply.log.insert(u"batch_id"_s, batch->id);
        return reply;
    }
};

BatchApi::BatchApi(Answerer answer, BatchSpeed speed) : d(std::make_unique<State>())
{
    d->answer = std::move(answer);
    d->speed = speed;
}

BatchApi::~BatchApi() = default;

bool BatchApi::isOpenAiPath(const QString &path)
{
    return path == kFilesPath || path.startsWith(kFilesPath + u'/') || path == kBatchesPath
        || path.startsWith(kBatchesPath + u'/');
}

bool BatchApi::isAnthropicPath(const QString &path)
{
    return path == kMessageBatchesPath || path.startsWith(kMessageBatchesPath + u'/');
}

BatchReply BatchApi::handle(const QByteArray &method, const QString &path,
    const QByteArray &contentType, const QByteArray &body, const QUrl &baseUrl)
{
    advance(Clock::now());
    if (isAnthropicPath(path)) {
        QStringList segments = path.mid(kMessageBatchesPath.size()).split(u'/', Qt::SkipEmptyParts);
        return d->handleAnthropic(method, segments, body, baseUrl);
    }
    const QStringList segments = path.mid(4).split(u'/', Qt::SkipEmptyParts); // after "/v1/"
    return d->handleOpenAi(method, segments, contentType, body, baseUrl);
}

void BatchApi::advance(Clock::time_point now)
{
    for (const QString &id : std::as_const(d->order)) {
        Batch &batch = d->batches[id];
        if (!isTerminal(batch.phase))
            d->advance(batch, now);
    }
}

int BatchApi::expireAll(Clock::time_point now)
{
    advance(now);
    int count = 0;
    for (const QString &id : std::as_const(d->order)) {
        Batch &batch = d->batches[id];
        if (isTerminal(batch.phase))
            continue;
        d->endUnrun(batch, true);
        d->end(batch, Phase::Expired, u"expired_at"_s);
        ++count;
    }
    return count;
}

BatchSpeed BatchApi::speed() const
{
    return d->speed;
}

void BatchApi::setSpeed(BatchSpeed speed, Clock::time_point now)
{
    advance(now);
    d->speed = speed;
}

void BatchApi::clear()
{
    d->files.clear();
    d->batches.clear();
    d->order.clear();
}

} // namespace sluice::sim
