#include "providers/anthropicbatch.h"

#include "providers/dialectsupport.h"

#include <QJsonDocument>

namespace sluice {

using namespace Qt::StringLiterals;

namespace {

// The HTTP status a live call answers with for an Anthropic error type: an
// errored result carries only the type.
int statusOfErrorType(QStringView type)
{
    if (type == u"invalid_request_error")
        return 400;
    if (type == u"authentication_error")
        return 401;
    if (type == u"billing_error")
        return 402;
    if (type == u"permission_error")
        return 403;
    if (type == u"not_found_error")
        return 404;
    if (type == u"request_too_large")
        return 413;
    if (type == u"rate_limit_error")
        return 429;
    if (type == u"overloaded_error")
        return 529;
    return 500;
}

} // namespace

AnthropicBatchApi::AnthropicBatchApi(std::shared_ptr<const Provider> dialect)
    : m_dialect(std::move(dialect)), m_endpoint(BatchEndpoint::of(*m_dialect, u"/messages"))
{ }

QByteArray AnthropicBatchApi::requestEntry(const QString &customId, GenerationRequest request) const
{
    request.stream = false;
    const QJsonObject params = QJsonDocument::fromJson(m_dialect->encode(request).body).object();
    return QJsonDocument(QJsonObject {{u"custom_id"_s, customId}, {u"params"_s, params}})
        .toJson(QJsonDocument::Compact);
}

BatchCall AnthropicBatchApi::createBatch(const QList<QByteArray> &entries) const
{
    // Joined as bytes: a batch of 100,000 entries is not rebuilt as one QJsonArray.
    QByteArray body = "{\"requests\":[";
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (i > 0)
            body += ',';
        body += entries.at(i);
    }
    body += "]}";
    return m_endpoint.call(BatchCall::Method::Post, u"messages/batches"_s, body);
}

BatchCall AnthropicBatchApi::retrieveBatch(const QString &batchId) const
{
    return m_endpoint.call(BatchCall::Method::Get, u"messages/batches/"_s + batchId);
}

BatchCall AnthropicBatchApi::cancelBatch(const QString &batchId) const
{
    return m_endpoint.call(BatchCall::Method::Post, u"messages/batches/%1/cancel"_s.arg(batchId));
}

BatchCall AnthropicBatchApi::results(const BatchStatus &status) const
{
    BatchCall call
        = m_endpoint.call(BatchCall::Method::Get, u"messages/batches/%1/results"_s.arg(status.id));
    if (status.resultsUrl.isValid() && !status.resultsUrl.isEmpty())
        call.url = status.resultsUrl;
    return call;
}

BatchReply<BatchStatus> AnthropicBatchApi::decodeBatch(const HttpResponse &response) const
{
    BatchReply<BatchStatus> reply;
    const auto object = batchJson(*m_dialect, response, reply.failure);
    if (!object)
        return reply;
    BatchStatus status;
    status.id = object->value("id"_L1).toString();
    status.providerStatus = object->value("processing_status"_L1).toString();
    if (status.id.isEmpty() || status.providerStatus.isEmpty()) {
        failOutcome(reply.failure, ErrorClass::MalformedResponse,
            u"the message batch has no 'id' or 'processing_status'"_s);
        return reply;
    }
    if (status.providerStatus == u"ended") {
        status.state = object->value("cancel_initiated_at"_L1).isString()
            ? BatchStatus::State::Cancelled
            : BatchStatus::State::Completed;
    } else if (status.providerStatus == u"canceling") {
        status.state = BatchStatus::State::Cancelling;
    } else {
        status.state = BatchStatus::State::InProgress;
    }
    const QJsonObject counts = object->value("request_counts"_L1).toObject();
    status.succeeded = counts.value("succeeded"_L1).toInteger();
    status.failed = counts.value("errored"_L1).toInteger();
    status.cancelled = counts.value("canceled"_L1).toInteger();
    status.expired = counts.value("expired"_L1).toInteger();
    status.total = counts.value("processing"_L1).toInteger() + status.succeeded + status.failed
        + status.cancelled + status.expired;
    status.resultsUrl = QUrl(object->value("results_url"_L1).toString());
    reply.value = status;
    return reply;
}

BatchReply<QByteArray> AnthropicBatchApi::decodeContent(const HttpResponse &response) const
{
    return batchContent(*m_dialect, response);
}

QList<BatchLineResult> AnthropicBatchApi::decodeResults(
    const QByteArray &jsonl, QStringList *problems) const
{
    QList<BatchLineResult> results;
    forEachJsonLine(jsonl, [&](qsizetype lineNumber, const QJsonObject &line) {
        const QJsonObject result = line.value("result"_L1).toObject();
        const QString type = result.value("type"_L1).toString();
        BatchLineResult decoded;
        decoded.customId = line.value("custom_id"_L1).toString();
        if (decoded.customId.isEmpty() || type.isEmpty()) {
            if (problems) {
                *problems << u"line %1: not a result line with a custom_id and a type"_s.arg(
                    lineNumber);
            }
            return;
        }
        if (type == u"succeeded" || type == u"errored") {
            const bool succeeded = type == u"succeeded";
            const QJsonObject body = result.value(succeeded ? "message"_L1 : "error"_L1).toObject();
            HttpResponse http;
            http.status
                = succeeded ? 200 : statusOfErrorType(body.value("error"_L1)["type"_L1].toString());
            http.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
            decoded.outcome = m_dialect->decode(http);
        } else if (type == u"canceled") {
            decoded.kind = BatchLineResult::Kind::Cancelled;
            decoded.outcome.errorCode = type;
            failOutcome(decoded.outcome, ErrorClass::None,
                u"not run: the message batch was canceled first"_s);
        } else if (type == u"expired") {
            decoded.kind = BatchLineResult::Kind::Expired;
            decoded.outcome.errorCode = type;
            failOutcome(decoded.outcome, ErrorClass::Timeout,
                u"not run: the message batch expired (24 hours) first"_s);
        } else {
            if (problems)
                *problems << u"line %1: unknown result type '%2'"_s.arg(lineNumber).arg(type);
            return;
        }
        results.append(decoded);
    });
    return results;
}

} // namespace sluice
