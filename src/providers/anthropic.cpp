#include "providers/anthropic.h"

#include "providers/dialectsupport.h"
#include "providers/ratelimitheaders.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace sluice {

namespace {

const QUrl kDefaultBaseUrl(QStringLiteral("https://api.anthropic.com/v1"));
constexpr QByteArrayView kApiVersion = "2023-06-01";

TokenUsage normalisedUsage(const QJsonObject &usage)
{
    const std::int64_t cacheRead
        = usage.value(QLatin1StringView("cache_read_input_tokens")).toInteger();
    const std::int64_t cacheWrite
        = usage.value(QLatin1StringView("cache_creation_input_tokens")).toInteger();
    TokenUsage tokens;
    tokens.input
        = usage.value(QLatin1StringView("input_tokens")).toInteger() + cacheRead + cacheWrite;
    tokens.cached = cacheRead;
    tokens.cacheWrite = cacheWrite;
    tokens.output = usage.value(QLatin1StringView("output_tokens")).toInteger();
    return tokens;
}

void settleStop(GenerationOutcome &outcome, const QString &stopReason)
{
    if (stopReason == QLatin1StringView("end_turn")
        || stopReason == QLatin1StringView("stop_sequence")
        || stopReason == QLatin1StringView("tool_use")) {
        outcome.status = GenerationOutcome::Status::Completed;
    } else if (stopReason == QLatin1StringView("refusal")) {
        outcome.status = GenerationOutcome::Status::Refused;
        outcome.errorClass = ErrorClass::Refused;
        outcome.refusal = outcome.text.isEmpty()
            ? QStringLiteral("the model declined to answer (stop_reason: refusal)")
            : std::exchange(outcome.text, QString());
    } else {
        outcome.status = GenerationOutcome::Status::Incomplete;
        outcome.errorClass = ErrorClass::Incomplete;
        outcome.incompleteReason = stopReason == QLatin1StringView("max_tokens")
            ? QStringLiteral("max_output_tokens")
            : stopReason;
    }
}

void readHeadOf(const HttpResponse &response, GenerationOutcome &outcome)
{
    outcome.httpStatus = response.status;
    outcome.requestId = QString::fromLatin1(response.header("request-id"));
    outcome.hints = parseAnthropicRateLimitHeaders(response, QDateTime::currentDateTimeUtc());
}

// `{type: "error", error: {type, message}}`, in a body or a stream event.
// An account out of credit answers 400 invalid_request_error, not
// billing_error; only its message tells, and retrying or going on is useless.
void decodeErrorObject(const QJsonObject &root, int httpStatus, GenerationOutcome &outcome)
{
    const QJsonObject error = root.value(QLatin1StringView("error")).toObject();
    outcome.errorCode = error.value(QLatin1StringView("type")).toString();
    const QString message = error.value(QLatin1StringView("message")).toString();
    const bool noCredit = outcome.errorCode == u"invalid_request_error"
        && message.contains(u"credit balance is too low", Qt::CaseInsensitive);
    failOutcome(outcome,
        noCredit ? ErrorClass::QuotaExhausted
                 : classifyAnthropicError(httpStatus, outcome.errorCode),
        message);
}

GenerationOutcome decodeMessages(const HttpResponse &response)
{
    GenerationOutcome outcome;
    readHeadOf(response, outcome);
    if (response.status == 0) {
        failOutcome(outcome, response.transportError, response.transportMessage);
        return outcome;
    }
    QString error;
    const std::optional<QJsonObject> root = parseJsonObject(response.body, &error);
    if (response.status < 200 || response.status > 299) {
        if (root && root->value(QLatin1StringView("error")).isObject()) {
            decodeErrorObject(*root, response.status, outcome);
        } else {
            failOutcome(outcome, classifyHttpStatus(response.status),
                QStringLiteral("HTTP %1 without an Anthropic error body").arg(response.status));
        }
        return outcome;
    }
    if (!root) {
        failOutcome(
            outcome, ErrorClass::MalformedResponse, QStringLiteral("the answer is ") + error);
        return outcome;
    }
    if (root->value(QLatin1StringView("type")).toString() != QLatin1StringView("message")) {
        failOutcome(outcome, ErrorClass::MalformedResponse,
            QStringLiteral("the answer is not a Messages API object"));
        return outcome;
    }

    outcome.responseId = root->value(QLatin1StringView("id")).toString();
    outcome.model = root->value(QLatin1StringView("model")).toString();
    if (const QJsonValue usage = root->value(QLatin1StringView("usage")); usage.isObject()) {
        outcome.usage = normalisedUsage(usage.toObject());
        outcome.hasUsage = true;
    }
    QString toolAnswer;
    const QJsonArray blocks = root->value(QLatin1StringView("content")).toArray();
    for (const QJsonValue &blockValue : blocks) {
        const QJsonObject block = blockValue.toObject();
        const QString type = block.value(QLatin1StringView("type")).toString();
        if (type == QLatin1StringView("text")) {
            outcome.text += block.value(QLatin1StringView("text")).toString();
        } else if (type == QLatin1StringView("tool_use")) {
            toolAnswer = QString::fromUtf8(
                QJsonDocument(block.value(QLatin1StringView("input")).toObject())
                    .toJson(QJsonDocument::Compact));
        }
    }
    if (!toolAnswer.isEmpty())
        outcome.text = toolAnswer;
    settleStop(outcome, root->value(QLatin1StringView("stop_reason")).toString());
    return outcome;
}

class MessagesStreamDecoder final : public SseStreamDecoder
{
public:
    explicit MessagesStreamDecoder(TextHandler onText) : SseStreamDecoder(std::move(onText)) { }

private:
    void onEvent(const QJsonObject &object, const QString &type) override
    {
        if (type == QLatin1StringView("message_start")) {
            const QJsonObject message = object.value(QLatin1StringView("message")).toObject();
            m_outcome.responseId = message.value(QLatin1StringView("id")).toString();
            m_outcome.model = message.value(QLatin1StringView("model")).toString();
            updateUsage(message.value(QLatin1StringView("usage")).toObject());
        } else if (type == QLatin1StringView("content_block_start")) {
            const QJsonObject block = object.value(QLatin1StringView("content_block")).toObject();
            const QString blockType = block.value(QLatin1StringView("type")).toString();
            if (blockType == QLatin1StringView("text"))
                emitText(block.value(QLatin1StringView("text")).toString());
            else if (blockType == QLatin1StringView("tool_use"))
                m_toolAnswered = true;
        } else if (type == QLatin1StringView("content_block_delta")) {
            const QJsonObject delta = object.value(QLatin1StringView("delta")).toObject();
            const QString deltaType = delta.value(QLatin1StringView("type")).toString();
            if (deltaType == QLatin1StringView("text_delta")) {
                emitText(delta.value(QLatin1StringView("text")).toString());
            } else if (deltaType == QLatin1StringView("input_json_delta")) {
                const QString json = delta.value(QLatin1StringView("partial_json")).toString();
                m_toolAnswer += json;
                emitText(json);
            }
        } else if (type == QLatin1StringView("message_delta")) {
            m_stopReason = object.value(QLatin1StringView("delta"))
                               .toObject()
                               .value(QLatin1StringView("stop_reason"))
                               .toString();
            updateUsage(object.value(QLatin1StringView("usage")).toObject());
        } else if (type == QLatin1StringView("message_stop")) {
            endStream();
        } else if (type == QLatin1StringView("error")) {
            GenerationOutcome error;
            decodeErrorObject(object, 0, error);
            failStream(error.errorClass, error.errorCode, error.errorMessage);
        }
    }

    // message_delta's usage is cumulative and may repeat input fields.
    void updateUsage(const QJsonObject &usage)
    {
        for (auto it = usage.begin(); it != usage.end(); ++it)
            m_usage.insert(it.key(), it.value());
        if (m_usage.isEmpty())
            return;
        m_outcome.usage = normalisedUsage(m_usage);
        m_outcome.hasUsage = true;
    }

    void settle(GenerationOutcome &outcome) override
    {
        if (m_toolAnswered)
            outcome.text = m_toolAnswer;
        settleStop(outcome, m_stopReason);
    }

    GenerationOutcome decodeWhole(const HttpResponse &response) const override
    {
        return decodeMessages(response);
    }

    void readHead(const HttpResponse &head, GenerationOutcome &outcome) const override
    {
        readHeadOf(head, outcome);
    }

    QJsonObject m_usage;
    QString m_toolAnswer;
    QString m_stopReason;
    bool m_toolAnswered = false;
};

} // namespace

ErrorClass classifyAnthropicError(int httpStatus, QStringView type)
{
    if (type == u"overloaded_error")
        return ErrorClass::Overloaded;
    if (type == u"rate_limit_error")
        return ErrorClass::RateLimited;
    if (type == u"authentication_error" || type == u"permission_error")
        return ErrorClass::Auth;
    if (type == u"not_found_error")
        return ErrorClass::NotFound;
    if (type == u"invalid_request_error" || type == u"request_too_large")
        return ErrorClass::BadRequest;
    if (type == u"billing_error")
        return ErrorClass::QuotaExhausted;
    if (type == u"timeout_error")
        return ErrorClass::Timeout;
    if (type == u"api_error")
        return ErrorClass::Server;
    return classifyHttpStatus(httpStatus);
}

AnthropicProvider::AnthropicProvider(QUrl baseUrl, QByteArray apiKey, Options options)
    : m_baseUrl(std::move(baseUrl))
    , m_endpoint(endpointUrl(m_baseUrl, u"messages"))
    , m_apiKey(std::move(apiKey))
    , m_options(options)
{ }

AnthropicProvider::AnthropicProvider(QUrl baseUrl, QByteArray apiKey)
    : AnthropicProvider(std::move(baseUrl), std::move(apiKey), Options {})
{ }

ProviderCapabilities AnthropicProvider::capabilities() const
{
    ProviderCapabilities capabilities;
    capabilities.streaming = true;
    capabilities.structuredOutput = true;
    capabilities.strictStructuredOutput
        = m_options.structuredOutput == StructuredOutput::OutputConfig;
    capabilities.batchApi = isVendorHost(m_baseUrl, kDefaultBaseUrl);
    capabilities.promptCaching = true;
    return capabilities;
}

QUrl AnthropicProvider::defaultBaseUrl() const
{
    return kDefaultBaseUrl;
}

bool AnthropicProvider::supportsModel(QStringView model) const
{
    return !isVendorHost(m_baseUrl, kDefaultBaseUrl) || model.startsWith(u"claude-");
}

QJsonObject AnthropicProvider::encodeBody(const GenerationRequest &request) const
{
    QJsonObject body {
        {QStringLiteral("model"), request.model},
        {QStringLiteral("max_tokens"),
            request.maxOutputTokens.value_or(m_options.defaultMaxTokens)},
        {QStringLiteral("messages"),
            QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                {QStringLiteral("content"), request.input}}}},
    };
    if (!request.instructions.isEmpty())
        body.insert(QStringLiteral("system"), request.instructions);
    if (request.temperature)
        body.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.stream)
        body.insert(QStringLiteral("stream"), true);
    if (request.outputSchema) {
        const OutputSchema &output = *request.outputSchema;
        if (m_options.structuredOutput == StructuredOutput::OutputConfig) {
            const QJsonObject format {{QStringLiteral("type"), QStringLiteral("json_schema")},
                {QStringLiteral("schema"), output.schema}};
            body.insert(
                QStringLiteral("output_config"), QJsonObject {{QStringLiteral("format"), format}});
        } else {
            body.insert(QStringLiteral("tools"),
                QJsonArray {QJsonObject {{QStringLiteral("name"), output.name},
                    {QStringLiteral("input_schema"), output.schema}}});
            body.insert(QStringLiteral("tool_choice"),
                QJsonObject {{QStringLiteral("type"), QStringLiteral("tool")},
                    {QStringLiteral("name"), output.name}});
        }
    }
    return body;
}

HttpRequest AnthropicProvider::encode(const GenerationRequest &request) const
{
    HttpRequest http = jsonPost(m_endpoint, request.stream, encodeBody(request));
    http.headers.emplaceBack("anthropic-version", kApiVersion.toByteArray());
    if (!m_apiKey.isEmpty())
        http.headers.emplaceBack("x-api-key", m_apiKey);
    return http;
}

GenerationOutcome AnthropicProvider::decode(const HttpResponse &response) const
{
    return decodeMessages(response);
}

std::unique_ptr<StreamDecoder> AnthropicProvider::createStreamDecoder(
    StreamDecoder::TextHandler onText) const
{
    return std::make_unique<MessagesStreamDecoder>(std::move(onText));
}

} // namespace sluice
