#include "providers/openaichat.h"

#include "providers/dialectsupport.h"
#include "providers/openairesponses.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sluice {

namespace {

const QUrl kDefaultBaseUrl(QStringLiteral("https://api.openai.com/v1"));

TokenUsage decodeUsage(const QJsonObject &usage)
{
    TokenUsage tokens;
    tokens.input = usage.value(QLatin1StringView("prompt_tokens")).toInteger();
    tokens.output = usage.value(QLatin1StringView("completion_tokens")).toInteger();
    tokens.cached = usage.value(QLatin1StringView("prompt_tokens_details"))
                        .toObject()
                        .value(QLatin1StringView("cached_tokens"))
                        .toInteger();
    tokens.reasoning = usage.value(QLatin1StringView("completion_tokens_details"))
                           .toObject()
                           .value(QLatin1StringView("reasoning_tokens"))
                           .toInteger();
    return tokens;
}

void readUsage(const QJsonObject &root, GenerationOutcome &outcome)
{
    if (const QJsonValue usage = root.value(QLatin1StringView("usage")); usage.isObject()) {
        outcome.usage = decodeUsage(usage.toObject());
        outcome.hasUsage = true;
    }
}

void readIdentity(const QJsonObject &root, GenerationOutcome &outcome)
{
    if (const QString id = root.value(QLatin1StringView("id")).toString(); !id.isEmpty())
        outcome.responseId = id;
    if (const QString model = root.value(QLatin1StringView("model")).toString(); !model.isEmpty())
        outcome.model = model;
}

// The status from what the first choice said; text and refusal are already in.
void settleChoice(GenerationOutcome &outcome, const QString &finishReason)
{
    if (!outcome.refusal.isEmpty()) {
        outcome.status = GenerationOutcome::Status::Refused;
        outcome.errorClass = ErrorClass::Refused;
    } else if (finishReason == QLatin1StringView("length")
        || finishReason == QLatin1StringView("content_filter")) {
        outcome.status = GenerationOutcome::Status::Incomplete;
        outcome.errorClass = ErrorClass::Incomplete;
        outcome.incompleteReason = finishReason == QLatin1StringView("length")
            ? QStringLiteral("max_output_tokens")
            : finishReason;
    } else {
        outcome.status = GenerationOutcome::Status::Completed;
    }
}

// The choice with index 0 (servers that stream several choices interleave them).
QJsonObject firstChoice(const QJsonObject &root)
{
    const QJsonArray choices = root.value(QLatin1StringView("choices")).toArray();
    for (const QJsonValue &choice : choices) {
        if (choice.toObject().value(QLatin1StringView("index")).toInt() == 0)
            return choice.toObject();
    }
    return {};
}

bool carriesError(const QJsonObject &root)
{
    return root.contains(QLatin1StringView("error"))
        && !root.contains(QLatin1StringView("choices"));
}

GenerationOutcome decodeChat(const HttpResponse &response)
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
    if (carriesError(*root)) { // OpenRouter answers some failures with 200
        decodeOpenAiError(response, outcome);
        return outcome;
    }
    if (!root->value(QLatin1StringView("choices")).isArray()) {
        failOutcome(outcome, ErrorClass::MalformedResponse,
            QStringLiteral("the answer is not a chat completion (no choices)"));
        return outcome;
    }
    readIdentity(*root, outcome);
    readUsage(*root, outcome);
    const QJsonObject choice = firstChoice(*root);
    const QJsonObject message = choice.value(QLatin1StringView("message")).toObject();
    outcome.text = message.value(QLatin1StringView("content")).toString();
    outcome.refusal = message.value(QLatin1StringView("refusal")).toString();
    settleChoice(outcome, choice.value(QLatin1StringView("finish_reason")).toString());
    return outcome;
}

class ChatStreamDecoder final : public SseStreamDecoder
{
public:
    explicit ChatStreamDecoder(TextHandler onText) : SseStreamDecoder(std::move(onText)) { }

private:
    void onDone() override { endStream(); }

    void onEvent(const QJsonObject &chunk, const QString &) override
    {
        if (carriesError(chunk)) {
            HttpResponse errorAnswer;
            errorAnswer.status = 200;
            errorAnswer.body = QJsonDocument(chunk).toJson(QJsonDocument::Compact);
            GenerationOutcome error;
            decodeOpenAiError(errorAnswer, error);
            failStream(error.errorClass, error.errorCode, error.errorMessage);
            return;
        }
        readIdentity(chunk, m_outcome);
        readUsage(chunk, m_outcome);
        const QJsonObject choice = firstChoice(chunk);
        const QJsonObject delta = choice.value(QLatin1StringView("delta")).toObject();
        emitText(delta.value(QLatin1StringView("content")).toString());
        m_outcome.refusal += delta.value(QLatin1StringView("refusal")).toString();
        if (const QJsonValue reason = choice.value(QLatin1StringView("finish_reason"));
            reason.isString()) {
            m_finishReason = reason.toString();
            markComplete();
        }
    }

    void settle(GenerationOutcome &outcome) override { settleChoice(outcome, m_finishReason); }

    GenerationOutcome decodeWhole(const HttpResponse &response) const override
    {
        return decodeChat(response);
    }

    void readHead(const HttpResponse &head, GenerationOutcome &outcome) const override
    {
        readOpenAiHead(head, outcome);
    }

    QString m_finishReason;
};

} // namespace

OpenAiChatProvider::OpenAiChatProvider(
    QUrl baseUrl, QByteArray apiKey, TokenLimitField tokenLimitField)
    : m_baseUrl(std::move(baseUrl))
    , m_endpoint(endpointUrl(m_baseUrl, u"chat/completions"))
    , m_apiKey(std::move(apiKey))
    , m_tokenLimitField(tokenLimitField)
{
    if (m_tokenLimitField == TokenLimitField::Auto) {
        m_tokenLimitField = isVendorHost(m_baseUrl, kDefaultBaseUrl)
            ? TokenLimitField::MaxCompletionTokens
            : TokenLimitField::MaxTokens;
    }
}

ProviderCapabilities OpenAiChatProvider::capabilities() const
{
    // Strict schemas, batches and cache accounting are OpenAI's; a compatible
    // server may or may not have them, so they are not promised.
    const bool vendor = isVendorHost(m_baseUrl, kDefaultBaseUrl);
    ProviderCapabilities capabilities;
    capabilities.streaming = true;
    capabilities.structuredOutput = true;
    capabilities.strictStructuredOutput = vendor;
    capabilities.batchApi = vendor;
    capabilities.promptCaching = vendor;
    return capabilities;
}

QUrl OpenAiChatProvider::defaultBaseUrl() const
{
    return kDefaultBaseUrl;
}

bool OpenAiChatProvider::supportsModel(QStringView model) const
{
    return !isVendorHost(m_baseUrl, kDefaultBaseUrl) || isOpenAiModelName(model);
}

QJsonObject OpenAiChatProvider::encodeBody(const GenerationRequest &request) const
{
    QJsonArray messages;
    if (!request.instructions.isEmpty()) {
        messages.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
            {QStringLiteral("content"), request.instructions}});
    }
    messages.append(QJsonObject {
        {QStringLiteral("role"), QStringLiteral("user")},
        {QStringLiteral("content"), request.input},
    });
    QJsonObject body {
        {QStringLiteral("model"), request.model},
        {QStringLiteral("messages"), messages},
    };
    if (request.maxOutputTokens) {
        body.insert(m_tokenLimitField == TokenLimitField::MaxTokens
                ? QStringLiteral("max_tokens")
                : QStringLiteral("max_completion_tokens"),
            *request.maxOutputTokens);
    }
    if (request.temperature)
        body.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.stream) {
        body.insert(QStringLiteral("stream"), true);
        body.insert(QStringLiteral("stream_options"),
            QJsonObject {{QStringLiteral("include_usage"), true}});
    }
    if (request.outputSchema) {
        const OutputSchema &output = *request.outputSchema;
        const QJsonObject jsonSchema {
            {QStringLiteral("name"), output.name},
            {QStringLiteral("schema"), output.schema},
            {QStringLiteral("strict"), output.strict},
        };
        body.insert(QStringLiteral("response_format"),
            QJsonObject {{QStringLiteral("type"), QStringLiteral("json_schema")},
                {QStringLiteral("json_schema"), jsonSchema}});
    }
    return body;
}

HttpRequest OpenAiChatProvider::encode(const GenerationRequest &request) const
{
    HttpRequest http = jsonPost(m_endpoint, request.stream, encodeBody(request));
    if (!m_apiKey.isEmpty())
        http.headers.emplaceBack("Authorization", "Bearer " + m_apiKey);
    return http;
}

GenerationOutcome OpenAiChatProvider::decode(const HttpResponse &response) const
{
    return decodeChat(response);
}

std::unique_ptr<StreamDecoder> OpenAiChatProvider::createStreamDecoder(
    StreamDecoder::TextHandler onText) const
{
    return std::make_unique<ChatStreamDecoder>(std::move(onText));
}

} // namespace sluice
