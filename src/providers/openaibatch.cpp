#include "providers/openaibatch.h"

#include "providers/dialectsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace sluice {

using namespace Qt::StringLiterals;

namespace {

BatchStatus::State stateOf(const QString &status)
{
    static const QHash<QString, BatchStatus::State> states = {
        {u"validating"_s, BatchStatus::State::Validating},
        {u"in_progress"_s, BatchStatus::State::InProgress},
        {u"finalizing"_s, BatchStatus::State::Finalizing},
        {u"completed"_s, BatchStatus::State::Completed},
        {u"failed"_s, BatchStatus::State::Failed},
        {u"expired"_s, BatchStatus::State::Expired},
        {u"cancelling"_s, BatchStatus::State::Cancelling},
        {u"cancelled"_s, BatchStatus::State::Cancelled},
    };
    return states.value(status, BatchStatus::State::InProgress);
}

QString optionalString(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toString();
}

} // namespace

QString OpenAiBatchApi::endpointFor(QStringView providerId)
{
    if (providerId == u"openai-responses")
        return u"/v1/responses"_s;
    if (providerId == u"openai-chat")
        return u"/v1/chat/completions"_s;
    return {};
}

OpenAiBatchApi::OpenAiBatchApi(std::shared_ptr<const Provider> dialect)
    : m_dialect(std::move(dialect)), m_endpoint(endpointFor(m_dialect->id()))
{
    const BatchEndpoint endpoint = BatchEndpoint::of(*m_dialect, QStringView(m_endpoint).mid(3));
    m_baseUrl = endpoint.baseUrl;
    m_auth = endpoint.auth;
}

QByteArray OpenAiBatchApi::inputLine(const QString &customId, GenerationRequest request) const
{
    request.stream = false;
    const QJsonObject body = QJsonDocument::fromJson(m_dialect->encode(request).body).object();
    const QJsonObject line {{u"custom_id"_s, customId}, {u"method"_s, u"POST"_s},
        {u"url"_s, m_endpoint}, {u"body"_s, body}};
    return QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
}

BatchCall OpenAiBatchApi::call(BatchCall::Method method, const QString &path) const
{
    return BatchEndpoint {m_baseUrl, m_auth}.call(method, path);
}

BatchCall OpenAiBatchApi::uploadFile(const QByteArray &jsonl, const QString &filename) const
{
    BatchCall upload = call(BatchCall::Method::Post, u"files"_s);
    const QByteArray boundary
        = "sluice-" + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    QByteArray body;
    body += "--" + boundary
        + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
        + filename.toUtf8() + "\"\r\nContent-Type: application/jsonl\r\n\r\n";
    body += jsonl + "\r\n--" + boundary + "--\r\n";
    for (auto &header : upload.headers) {
        if (header.first == "Content-Type")
            header.second = "multipart/form-data; boundary=" + boundary;
    }
    upload.body = body;
    return upload;
}

BatchCall OpenAiBatchApi::createBatch(const QString &inputFileId, const QJsonObject &metadata) const
{
    QJsonObject body {{u"input_file_id"_s, inputFileId}, {u"endpoint"_s, m_endpoint},
        {u"completion_window"_s, u"24h"_s}};
    if (!metadata.isEmpty())
        body.insert(u"metadata"_s, metadata);
    return BatchEndpoint {m_baseUrl, m_auth}.call(
        BatchCall::Method::Post, u"batches"_s, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

BatchCall OpenAiBatchApi::retrieveBatch(const QString &batchId) const
{
    return call(BatchCall::Method::Get, u"batches/"_s + batchId);
}

BatchCall OpenAiBatchApi::cancelBatch(const QString &batchId) const
{
    return call(BatchCall::Method::Post, u"batches/%1/cancel"_s.arg(batchId));
}

BatchCall OpenAiBatchApi::fileContent(const QString &fileId) const
{
    return call(BatchCall::Method::Get, u"files/%1/content"_s.arg(fileId));
}

BatchReply<QString> OpenAiBatchApi::decodeFile(const HttpResponse &response) const
{
    BatchReply<QString> reply;
    const auto object = batchJson(*m_dialect, response, reply.failure);
    if (!object)
        return reply;
    const QString id = optionalString(*object, "id"_L1);
    if (id.isEmpty()) {
        failOutcome(reply.failure, ErrorClass::MalformedResponse,
            u"the file upload answered without an 'id'"_s);
        return reply;
    }
    reply.value = id;
    return reply;
}

BatchReply<BatchStatus> OpenAiBatchApi::decodeBatch(const HttpResponse &response) const
{
    BatchReply<BatchStatus> reply;
    const auto object = batchJson(*m_dialect, response, reply.failure);
    if (!object)
        return reply;
    BatchStatus status;
    status.id = optionalString(*object, "id"_L1);
    status.providerStatus = optionalString(*object, "status"_L1);
    if (status.id.isEmpty() || status.providerStatus.isEmpty()) {
        failOutcome(reply.failure, ErrorClass::MalformedResponse,
            u"the batch object has no 'id' or 'status'"_s);
        return reply;
    }
    status.state = stateOf(status.providerStatus);
    const QJsonObject counts = object->value("request_counts"_L1).toObject();
    status.total = counts.value("total"_L1).toInteger();
    status.succeeded = counts.value("completed"_L1).toInteger();
    status.failed = counts.value("failed"_L1).toInteger();
    status.outputFileId = optionalString(*object, "output_file_id"_L1);
    status.errorFileId = optionalString(*object, "error_file_id"_L1);
    const QJsonArray errors = object->value("errors"_L1)["data"_L1].toArray();
    for (const QJsonValue &error : errors) {
        status.errors << u"line %1: %2 (%3)"_s.arg(error["line"_L1].toInteger())
                             .arg(error["message"_L1].toString(), error["code"_L1].toString());
    }
    reply.value = status;
    return reply;
}

BatchReply<QByteArray> OpenAiBatchApi::decodeContent(const HttpResponse &response) const
{
    return batchContent(*m_dialect, response);
}

QList<BatchLineResult> OpenAiBatchApi::decodeResults(
    const QByteArray &jsonl, QStringList *problems) const
{
    QList<BatchLineResult> results;
    forEachJsonLine(jsonl, [&](qsizetype lineNumber, const QJsonObject &line) {
        BatchLineResult result;
        result.customId = line.value("custom_id"_L1).toString();
        if (result.customId.isEmpty()) {
            if (problems)
                *problems << u"line %1: not a result line with a custom_id"_s.arg(lineNumber);
            return;
        }
        const QJsonValue response = line.value("response"_L1);
        if (response.isObject()) {
            HttpResponse http;
            http.status = int(response["status_code"_L1].toInteger());
            http.body
                = QJsonDocument(response["body"_L1].toObject()).toJson(QJsonDocument::Compact);
            const QString requestId = response["request_id"_L1].toString();
            if (!requestId.isEmpty())
                http.headers.append({"x-request-id", requestId.toUtf8()});
            result.outcome = m_dialect->decode(http);
        } else {
            const QJsonObject error = line.value("error"_L1).toObject();
            const QString code = error.value("code"_L1).toString();
            ErrorClass errorClass = ErrorClass::Server;
            if (code == u"batch_expired") {
                result.kind = BatchLineResult::Kind::Expired;
                errorClass = ErrorClass::Timeout;
            } else if (code == u"batch_cancelled") {
                result.kind = BatchLineResult::Kind::Cancelled;
                errorClass = ErrorClass::None;
            }
            result.outcome.errorCode = code;
            failOutcome(result.outcome, errorClass, error.value("message"_L1).toString());
        }
        results.append(result);
    });
    return results;
}

} // namespace sluice
