#include "providers/openairesponses.h"

#include "providers/dialectsupport.h"
#include "providers/ratelimitheaders.h"

#include <QDateTime>
#include <QJsonArray>

namespace sluice {

namespace {

const QUrl kDefaultBaseUrl(QStringLiteral("https://api.openai.com/v1"));

// An error body that is not JSON is quoted in the message, up to this size.
constexpr qsizetype kMaxQuotedBody = 300;

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

// A Responses API object, as the plain answer or inside a terminal event.
void decodeResponseObject(const QJsonObject &root, GenerationOutcome &outcome)
{
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
        failOutcome(outcome, classifyOpenAiError(outcome.httpStatus, outcome.errorCode, {}),
            error.value(QLatin1StringView("message")).toString());
    } else {
        // queued / in_progress / cancelled are not answers to a blocking request.
        failOutcome(outcome, ErrorClass::MalformedResponse,
            QStringLiteral("the response ended with status '%1'").arg(status));
    }
}

GenerationOutcome decodeResponses(const HttpResponse &response)
{
    GenerationOutcome outcome;
    readOpenAiHead(response, outcome);
    if (response.status == 0) {
        failOutcome(outcome, response.transportError, response.transportMessage);
        return outcome;
    }
    if (response.status < 200 || response.status > 299) {
        decodeOpenAiError(response, outcome);
        return outcome;
    }
    QString error;
    const std::optional<QJsonObject> root = parseJsonObject(response.body, &error);
    if (!root) {
        failOutcome(
            outcome, ErrorClass::MalformedResponse, QStringLiteral("the answer is ") + error);
        return outcome;
    }
    if (root->value(QLatin1StringView("object")).toString() != QLatin1StringView("response")) {
        failOutcome(outcome, ErrorClass::MalformedResponse,
            QStringLiteral("the answer is not a Responses API object"));
        return outcome;
    }
    decodeResponseObject(*root, outcome);
    return outcome;
}

class ResponsesStreamDecoder final : public SseStreamDecoder
{
public:
    explicit ResponsesStreamDecoder(TextHandler onText) : SseStreamDecoder(std::move(onText)) { }

private:
    void onEvent(const QJsonObject &object, const QString &type) override
    {
        if (type == QLatin1StringView("response.output_text.delta")) {
            emitText(object.value(QLatin1StringView("delta")).toString());
        } else if (type == QLatin1StringView("response.refusal.delta")) {
            m_outcome.refusal += object.value(QLatin1StringView("delta")).toString();
        } else if (type == QLatin1StringView("response.completed")
            || type == QLatin1StringView("response.failed")
            || type == QLatin1StringView("response.incomplete")) {
            m_terminal = object.value(QLatin1StringView("response")).toObject();
            endStream();
        } else if (type == QLatin1StringView("error")) {
            // The error's fields sit at the top level, or (as recorded by
            // vercel-ai) inside an `error` object.
            QJsonObject error = object.value(QLatin1StringView("error")).toObject();
            if (error.isEmpty())
                error = object;
            const QString code = error.value(QLatin1StringView("code")).toString();
            const QString errorType = error.value(QLatin1StringView("type")).toString();
            failStream(classifyOpenAiError(0, code, errorType), code,
                error.value(QLatin1StringView("message")).toString());
        }
    }

    void settle(GenerationOutcome &outcome) override
    {
        // The terminal event carries the whole response: it is the answer.
        // The streamed text stands in when a proxy left `output` out.
        const QString streamedText = std::move(outcome.text);
        const QString streamedRefusal = std::move(outcome.refusal);
        outcome.text.clear();
        outcome.refusal.clear();
        decodeResponseObject(m_terminal, outcome);
        if (outcome.text.isEmpty())
            outcome.text = streamedText;
        if (outcome.refusal.isEmpty())
            outcome.refusal = streamedRefusal;
    }

    GenerationOutcome decodeWhole(const HttpResponse &response) const override
    {
        return decodeResponses(response);
    }

    void readHead(const HttpResponse &head, GenerationOutcome &outcome) const override
    {
        readOpenAiHead(head, outcome);
    }

    QJsonObject m_terminal;
};

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
    return classifyHttpStatus(httpStatus); // a `failed` response without a known code: Server
}

void decodeOpenAiError(const HttpResponse &response, GenerationOutcome &outcome)
{
    QString parseError;
    const QJsonObject root = parseJsonObject(response.body, &parseError).value_or(QJsonObject());
    const QJsonValue errorValue = root.value(QLatin1StringView("error"));
    // `{"error":{...}}` (OpenAI, OpenRouter, llama.cpp), else the flat
    // `{"object":"error","message",...}` of vLLM.
    const QJsonObject error = errorValue.isObject() ? errorValue.toObject() : root;
    // vLLM's and OpenRouter's `code` is an HTTP status, which says more than
    // a 200 that carried an error.
    const QJsonValue codeValue = error.value(QLatin1StringView("code"));
    outcome.errorCode = codeValue.isString() ? codeValue.toString() : QString();
    const int codeStatus = codeValue.toInt();
    const int httpStatus = codeStatus >= 400 && codeStatus <= 599 ? codeStatus : response.status;
    const QString type = error.value(QLatin1StringView("type")).toString();
    QString message = errorValue.isString() ? errorValue.toString()
                                            : error.value(QLatin1StringView("message")).toString();
    if (message.isEmpty()) {
        const QString body = QString::fromUtf8(response.body.left(kMaxQuotedBody)).trimmed();
        message = body.isEmpty()
            ? QStringLiteral("HTTP %1 without an error body").arg(response.status)
            : QStringLiteral("HTTP %1: %2").arg(response.status).arg(body);
    }
    failOutcome(outcome, classifyOpenAiError(httpStatus, outcome.errorCode, type), message);
}

void readOpenAiHead(const HttpResponse &response, GenerationOutcome &outcome)
{
    outcome.httpStatus = response.status;
    outcome.requestId = QString::fromLatin1(response.header("x-request-id"));
    outcome.hints = parseOpenAiRateLimitHeaders(response, QDateTime::currentDateTimeUtc());
}

bool isOpenAiModelName(QStringView model)
{
    static const QLatin1StringView prefixes[] = {QLatin1StringView("gpt-"), QLatin1StringView("o1"),
        QLatin1StringView("o3"), QLatin1StringView("o4"), QLatin1StringView("chatgpt-"),
        QLatin1StringView("codex-"), QLatin1StringView("ft:"), QLatin1StringView("computer-use-")};
    return std::any_of(std::begin(prefixes), std::end(prefixes),
        [model](QLatin1StringView prefix) { return model.startsWith(prefix); });
}

OpenAiResponsesProvider::OpenAiResponsesProvider(QUrl baseUrl, QByteArray apiKey)
    : m_baseUrl(std::move(baseUrl))
    , m_endpoint(endpointUrl(m_baseUrl, u"responses"))
    , m_apiKey(std::move(apiKey))
{ }

ProviderCapabilities OpenAiResponsesProvider::capabilities() const
{
    ProviderCapabilities capabilities;
    capabilities.streaming = true;
    capabilities.structuredOutput = true;
    capabilities.strictStructuredOutput = true;
    capabilities.batchApi = true;
    capabilities.promptCaching = true;
    return capabilities;
}

QUrl OpenAiResponsesProvider::defaultBaseUrl() const
{
    return kDefaultBaseUrl;
}

bool OpenAiResponsesProvider::supportsModel(QStringView model) const
{
    return !isVendorHost(m_baseUrl, kDefaultBaseUrl) || isOpenAiModelName(model);
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
    HttpRequest http = jsonPost(m_endpoint, request.stream, encodeBody(request));
    if (!m_apiKey.isEmpty())
        http.headers.emplaceBack("Authorization", "Bearer " + m_apiKey);
    return http;
}

GenerationOutcome OpenAiResponsesProvider::decode(const HttpResponse &response) const
{
    return decodeResponses(response);
}

std::unique_ptr<StreamDecoder> OpenAiResponsesProvider::createStreamDecoder(
    StreamDecoder::TextHandler onText) const
{
    return std::make_unique<ResponsesStreamDecoder>(std::move(onText));
}

} // namespace sluice
