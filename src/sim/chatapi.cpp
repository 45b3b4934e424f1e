#include "sim/chatapi.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sluice::sim {

using namespace Qt::StringLiterals;

namespace {

ApiError invalid(const QString &param, const QString &message)
{
    return ApiError {400, message, u"invalid_request_error"_s, param, u"invalid_value"_s};
}

} // namespace

std::variant<ChatRequest, ApiError> parseChatRequest(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    if (object.isEmpty()) {
        return ApiError {400, u"We could not parse the JSON body of your request."_s,
            u"invalid_request_error"_s, QJsonValue(), QJsonValue()};
    }
    ChatRequest request;
    ResponsesRequest &call = request.call;
    if (!object.value(u"model"_s).isString())
        return invalid(u"model"_s, u"you must provide a model parameter"_s);
    call.model = object.value(u"model"_s).toString();
    const QJsonArray messages = object.value(u"messages"_s).toArray();
    if (messages.isEmpty())
        return invalid(u"messages"_s, u"'messages' must contain at least one message."_s);
    QStringList instructions;
    QStringList texts;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonObject message = messages.at(i).toObject();
        const QString role = message.value(u"role"_s).toString();
        if (role.isEmpty())
            return invalid(u"messages[%1].role"_s.arg(i), u"Missing required parameter."_s);
        const QStringList content = contentTexts(message.value(u"content"_s));
        (role == u"system" || role == u"developer" ? instructions : texts).append(content);
    }
    call.instructions = instructions.join(u'\n');
    call.input = messages;
    call.inputText = texts.join(u'\n');

    const QJsonObject format = object.value(u"response_format"_s).toObject();
    const QString type = format.value(u"type"_s).toString();
    if (type == u"json_schema") {
        const QJsonObject spec = format.value(u"json_schema"_s).toObject();
        if (!spec.value(u"schema"_s).isObject()) {
            return invalid(u"response_format.json_schema.schema"_s,
                u"Missing required parameter: 'response_format.json_schema.schema'."_s);
        }
        call.textFormat
            = QJsonObject {{u"type"_s, u"json_schema"_s}, {u"name"_s, spec.value(u"name"_s)},
                {u"schema"_s, spec.value(u"schema"_s)}, {u"strict"_s, spec.value(u"strict"_s)}};
    } else if (type == u"json_object") {
        call.textFormat = QJsonObject {{u"type"_s, u"json_object"_s}};
    } else if (!type.isEmpty() && type != u"text") {
        return invalid(u"response_format.type"_s,
            u"Invalid value: '%1'. Supported values are: 'text', 'json_object', and "
            "'json_schema'."_s.arg(type));
    }
    const QJsonValue limit = object.contains(u"max_completion_tokens"_s)
        ? object.value(u"max_completion_tokens"_s)
        : object.value(u"max_tokens"_s);
    if (limit.isDouble()) {
        if (limit.toInteger() < 1)
            return invalid(u"max_completion_tokens"_s, u"Expected a value >= 1."_s);
        call.maxOutputTokens = limit.toInteger();
    }
    call.stream = object.value(u"stream"_s).toBool(false);
    request.includeUsage = object.value(u"stream_options"_s)[u"include_usage"_s].toBool(false);
    return request;
}

QJsonObject chatCompletionObject(const ChatRequest &request, const QString &answer, bool refusal,
    const QByteArray &id, qint64 created)
{
    QString text = answer;
    qint64 outputTokens = estimateTokens(text.size());
    const auto &limit = request.call.maxOutputTokens;
    const bool cut = !refusal && limit && outputTokens > *limit;
    if (cut) {
        outputTokens = *limit;
        text.truncate(qsizetype(outputTokens * 4));
    }
    const qint64 promptTokens = inputTokens(request.call);
    const QJsonObject message {{u"role"_s, u"assistant"_s},
        {u"content"_s, refusal ? QJsonValue() : QJsonValue(text)},
        {u"refusal"_s, refusal ? QJsonValue(text) : QJsonValue()}};
    return QJsonObject {{u"id"_s, QString::fromLatin1(id)}, {u"object"_s, u"chat.completion"_s},
        {u"created"_s, created}, {u"model"_s, request.call.model},
        {u"choices"_s,
            QJsonArray {QJsonObject {{u"index"_s, 0}, {u"message"_s, message},
                {u"logprobs"_s, QJsonValue()},
                {u"finish_reason"_s, cut ? u"length"_s : u"stop"_s}}}},
        {u"usage"_s,
            QJsonObject {{u"prompt_tokens"_s, promptTokens}, {u"completion_tokens"_s, outputTokens},
                {u"total_tokens"_s, promptTokens + outputTokens}}},
        {u"system_fingerprint"_s, u"fp_sluice_sim"_s}};
}

QList<SseEvent> chatStreamEvents(
    const QJsonObject &completion, bool includeUsage, qsizetype charsPerDelta)
{
    QList<SseEvent> events;
    const QJsonObject choice = completion.value(u"choices"_s).toArray().at(0).toObject();
    const QJsonObject message = choice.value(u"message"_s).toObject();
    const bool refusal = message.value(u"content"_s).isNull();
    const QString text = message.value(refusal ? u"refusal"_s : u"content"_s).toString();
    auto chunk = [&completion, includeUsage](const QJsonObject &delta, const QJsonValue &finish) {
        QJsonObject data {{u"id"_s, completion.value(u"id"_s)},
            {u"object"_s, u"chat.completion.chunk"_s},
            {u"created"_s, completion.value(u"created"_s)},
            {u"model"_s, completion.value(u"model"_s)},
            {u"system_fingerprint"_s, completion.value(u"system_fingerprint"_s)},
            {u"choices"_s,
                QJsonArray {QJsonObject {{u"index"_s, 0}, {u"delta"_s, delta},
                    {u"logprobs"_s, QJsonValue()}, {u"finish_reason"_s, finish}}}}};
        if (includeUsage)
            data.insert(u"usage"_s, QJsonValue());
        return data;
    };
    events.append(SseEvent {{},
        chunk(QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, u""_s},
                  {u"refusal"_s, QJsonValue()}},
            QJsonValue()),
        false, false});
    const qsizetype step = qMax<qsizetype>(1, charsPerDelta);
    for (qsizetype at = 0; at < text.size(); at += step) {
        const QJsonObject delta {{refusal ? u"refusal"_s : u"content"_s, text.mid(at, step)}};
        events.append(SseEvent {{}, chunk(delta, QJsonValue()), true, false});
    }
    events.append(
        SseEvent {{}, chunk(QJsonObject(), choice.value(u"finish_reason"_s)), false, false});
    if (includeUsage) {
        QJsonObject last = chunk(QJsonObject(), QJsonValue());
        last.insert(u"choices"_s, QJsonArray());
        last.insert(u"usage"_s, completion.value(u"usage"_s));
        events.append(SseEvent {{}, last, false, false});
    }
    events.append(SseEvent {{}, {}, false, true});
    return events;
}

} // namespace sluice::sim
