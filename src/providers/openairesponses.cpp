#include "providers/openairesponses.h"

#include "providers/ratelimitheaders.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace sluice {

namespace {

std::int64_t tokenCount(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toInteger();
}

TokenUsage decodeUsage(const QJsonObject &usage)
{
    TokenUsage tokens;
    tokens.input = tokenCount(usage, QLatin1StringView("input_tokens"));
    tokens.output = tokenCount(usage, QLatin1StringView("output_tokens"));
    const QJsonObject inputDetails
        = usage.value(QLatin1StringView("input_tokens_details")).toObject();
    tokens.cached = tokenCount(inputDetails, QLatin1StringView("cached_tokens"));
    tokens.cacheWrite = tokenCount(inputDetails, QLatin1StringView("cache_write_tokens"));
    const QJsonObject outputDetails
        = usage.value(QLatin1StringView("output_tokens_details")).toObject();
    tokens.reasoning = tokenCount(outputDetails, QLatin1StringView("reasoning_tokens"));
    return tokens;
}

// Collects output_text and refusal parts of every assistant message item;
// other item types (reasoning, tool calls, web search) may come first.
void decodeOutputItems(const QJsonArray &items, GenerationOutcome &outcome)
{
    for (const QJsonValue &itemValue : items) {
        const QJsonObject item = itemValue.toObject();
        if (item.value(QLatin1StringView("type")).toString() != QLatin1StringView("message"))
            continue;
        const QJsonArray parts = item.value(QLatin1StringView("content")).toArray();
        for (const QJsonValue &partValue : parts) {
            const QJsonObject part = partValue.toObject();
            const QString type = part.value(QLatin1StringView("type")).toString();
            if (type == QLatin1StringView("output_text"))
                outcome.text += part.value(QLatin1StringView("text")).toString();
            else if (type == QLatin1StringView("refusal"))
                outcome.refusal += part.value(QLatin1StringView("refusal")).toString();
        }
    }
}

void fail(GenerationOutcome &outcome, ErrorClass errorClass, QString message)
{
    outcome.status = GenerationOutcome::Status::Failed;
    outcome.errorClass = errorClass;
    outcome.errorMessage = std::move(message);
}

} // namespace

ErrorClass classifyOpenAiError(int httpStatus, QStringView code, QStringView type)
{
    if (code == u"insufficient_quota" || type == u"insufficient_quota")
        return ErrorClass::QuotaExhausted;
    if (code == u"model_not_found")
        return ErrorClass::NotFound;
    if (code == u"rate_limit_exceeded")
        return ErrorClass::RateLimited;
    if (code == u"server_error")
        return ErrorClass::Server;
    switch (httpStatus) {
    case 401:
    case 403:
        return ErrorClass::Auth;
    case 404:
        return ErrorClass::NotFound;
    case 408:
        return ErrorClass::Timeout;
    case 429:
        return ErrorClass::RateLimited;
    case 529:
        return ErrorClass::Overloaded;
    default:
        break;
    }
    if (httpStatus >= 500 || httpStatus == 409)
        return ErrorClass::Server;
    if (httpStatus >= 400)
        return ErrorClass::BadRequest;
    return ErrorClass::Server; // a `failed` response without a recognised code
}

OpenAiResponsesProvider::OpenAiResponsesProvider(QUrl baseUrl, QByteArray apiKey)
    : m_apiKey(std::move(apiKey))
{
    QString path = baseUrl.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    baseUrl.setPath(path + QStringLiteral("/responses"));
    m_endpoint = baseUrl;
}

QJsonObject OpenAiResponsesProvider::encodeBody(const GenerationRequest &request)
{
    QJsonObject body {
        {QStringLiteral("model"), request.model},
        {QStringLiteral("input"), request.input},
        {QStringLiteral("store"), request.store},
    };
    if (!request.instructions.isEmpty())
        body.insert(QStringLiteral("instructions"), request.instructions);
    if (request.maxOutputTokens)
        body.insert(QStringLiteral("max_output_tokens"), *request.maxOutputTokens);
    if (request.temperature)
        body.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.stream)
        body.insert(QStringLiteral("stream"), true);
    if (request.outputSchema) {
        const OutputSchema &output = *request.outputSchema;
        const QJsonObject format {
            {QStringLiteral("type"), QStringLiteral("json_schema")},
            {QStringLiteral("name"), output.name},
            {QStringLiteral("schema"), output.schema},
            {QStringLiteral("strict"), output.strict},
        };
        body.insert(QStringLiteral("text"), QJsonObject {{QStringLiteral("format"), format}});
    }
    return body;
}

HttpRequest OpenAiResponsesProvider::encode(const GenerationRequest &request) const
{
    HttpRequest http;
    http.url = m_endpoint;
    http.headers.emplaceBack("Content-Type", "application/json");
    http.headers.emplaceBack("Accept", request.stream ? "text/event-stream" : "application/json");
    if (!m_apiKey.isEmpty())
        http.headers.emplaceBack("Authorization", "Bearer " + m_apiKey);
    http.body = QJsonDocument(encodeBody(request)).toJson(QJsonDocument::Compact);
    return http;
}

GenerationOutcome OpenAiResponsesProvider::decode(const HttpResponse &response) const
{
    GenerationOutcome outcome;
    outcome.httpStatus = response.status;
    outcome.requestId = QString::fromLatin1(response.header("x-request-id"));
    outcome.hints = parseOpenAiRateLimitHeaders(response, QDateTime::currentDateTimeUtc());

    if (response.status == 0) {
        fail(outcome, response.transportError, response.transportMessage);
        return outcome;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(response.body, &parseError);
    const QJsonObject root = document.object();

    if (response.status < 200 || response.status > 299) {
        const QJsonObject error = root.value(QLatin1StringView("error")).toObject();
        outcome.errorCode = error.value(QLatin1StringView("code")).toString();
        const QString type = error.value(QLatin1StringView("type")).toString();
        QString message = error.value(QLatin1StringView("message")).toString();
        if (message.isEmpty())
            message = QStringLiteral("HTTP %1 without an OpenAI error body").arg(response.status);
        fail(outcome, classifyOpenAiError(response.status, outcome.errorCode, type), message);
        return outcome;
    }

    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        fail(outcome, ErrorClass::MalformedResponse,
            QStringLiteral("the answer is not a JSON object (%1 at byte %2)")
                .arg(parseError.errorString())
                .arg(parseError.offset));
        return outcome;
    }
    if (root.value(QLatin1StringView("object")).toString() != QLatin1StringView("response")) {
        fail(outcome, ErrorClass::MalformedResponse,
            QStringLiteral("the answer is not a Responses API object"));
        return outcome;
    }

    outcome.responseId = root.value(QLatin1StringView("id")).toString();
    outcome.model = root.value(QLatin1StringView("model")).toString();
    if (const QJsonValue usage = root.value(QLatin1StringView("usage")); usage.isObject()) {
        outcome.usage = decodeUsage(usage.toObject());
        outcome.hasUsage = true;
    }
    decodeOutputItems(root.value(QLatin1StringView("output")).toArray(), outcome);

    const QString status = root.value(QLatin1StringView("status")).toString();
    if (status == QLatin1StringView("completed")) {
        if (!outcome.refusal.isEmpty() && outcome.text.isEmpty()) {
            outcome.status = GenerationOutcome::Status::Refused;
            outcome.errorClass = ErrorClass::Refused;
        } else {
            outcome.status = GenerationOutcome::Status::Completed;
        }
    } else if (status == QLatin1StringView("incomplete")) {
        outcome.status = GenerationOutcome::Status::Incomplete;
        outcome.errorClass = ErrorClass::Incomplete;
        outcome.incompleteReason = root.value(QLatin1StringView("incomplete_details"))
                                       .toObject()
                                       .value(QLatin1StringView("reason"))
                                       .toString();
    } else if (status == QLatin1StringView("failed")) {
        const QJsonObject error = root.value(QLatin1StringView("error")).toObject();
        outcome.errorCode = error.value(QLatin1StringView("code")).toString();
        fail(outcome, classifyOpenAiError(response.status, outcome.errorCode, {}),
            error.value(QLatin1StringView("message")).toString());
    } else {
        // queued / in_progress / cancelled are not answers to a blocking request.
        fail(outcome, ErrorClass::MalformedResponse,
            QStringLiteral("the response ended with status '%1'").arg(status));
    }
    return outcome;
}

} // namespace sluice
