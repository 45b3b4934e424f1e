#include "providers/batchcall.h"

#include "providers/dialectsupport.h"
#include "providers/provider.h"

#include <QJsonDocument>

namespace sluice {

BatchEndpoint BatchEndpoint::of(const Provider &dialect, QStringView modelPath)
{
    GenerationRequest probe;
    probe.model = QStringLiteral("probe");
    const HttpRequest live = dialect.encode(probe);
    BatchEndpoint endpoint;
    endpoint.baseUrl = live.url;
    QString path = live.url.path();
    if (path.endsWith(modelPath))
        path.chop(modelPath.size());
    endpoint.baseUrl.setPath(path);
    for (const auto &header : live.headers) {
        if (header.first.compare("content-type", Qt::CaseInsensitive) != 0
            && header.first.compare("accept", Qt::CaseInsensitive) != 0)
            endpoint.auth.append(header);
    }
    return endpoint;
}

BatchCall BatchEndpoint::call(
    BatchCall::Method method, const QString &path, const QByteArray &jsonBody) const
{
    BatchCall call;
    call.method = method;
    call.url = endpointUrl(baseUrl, path);
    call.headers = auth;
    call.headers.emplaceBack("Accept", "application/json");
    if (method == BatchCall::Method::Post) {
        call.headers.emplaceBack("Content-Type", "application/json");
        call.body = jsonBody.isEmpty() ? QByteArray("{}") : jsonBody;
    }
    return call;
}

std::optional<QJsonObject> batchJson(
    const Provider &dialect, const HttpResponse &response, GenerationOutcome &failure)
{
    if (response.status < 200 || response.status > 299) {
        failure = dialect.decode(response);
        return std::nullopt;
    }
    QString error;
    std::optional<QJsonObject> object = parseJsonObject(response.body, &error);
    if (!object) {
        failure = GenerationOutcome {};
        failure.httpStatus = response.status;
        failOutcome(failure, ErrorClass::MalformedResponse,
            QStringLiteral("the batch API answered with ") + error);
    }
    return object;
}

BatchReply<QByteArray> batchContent(const Provider &dialect, const HttpResponse &response)
{
    BatchReply<QByteArray> reply;
    if (response.status < 200 || response.status > 299)
        reply.failure = dialect.decode(response);
    else
        reply.value = response.body;
    return reply;
}

void forEachJsonLine(
    const QByteArray &jsonl, const std::function<void(qsizetype, const QJsonObject &)> &visit)
{
    qsizetype lineNumber = 0;
    for (const QByteArray &raw : jsonl.split('\n')) {
        ++lineNumber;
        if (!raw.trimmed().isEmpty())
            visit(lineNumber, QJsonDocument::fromJson(raw).object());
    }
}

} // namespace sluice
