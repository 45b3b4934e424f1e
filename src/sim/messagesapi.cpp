#include "sim/messagesapi.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sluice::sim {

using namespace Qt::StringLiterals;

namespace {

ApiError invalid(const QString &message)
{
    return ApiError {400, message, u"invalid_request_error"_s, QJsonValue(), QJsonValue()};
}

} // namespace

std::variant<MessagesRequest, ApiError> parseMessagesRequest(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    if (object.isEmpty())
        return invalid(u"The request body is not valid JSON."_s);
    MessagesRequest request;
    ResponsesRequest &call = request.call;
    if (!object.value(u"model"_s).isString())
        return invalid(u"model: Field required"_s);
    call.model = object.value(u"model"_s).toString();
    if (!object.value(u"max_tokens"_s).isDouble())
        return invalid(u"max_tokens: Field required"_s);
    if (object.value(u"max_tokens"_s).toInteger() < 1)
        return invalid(u"max_tokens: Input should be greater than or equal to 1"_s);
    call.maxOutputTokens = object.value(u"max_tokens"_s).toInteger();
    const QJsonArray messages = object.value(u"messages"_s).toArray();
    if (messages.isEmpty())
        return invalid(u"messages: Field required"_s);
    QStringList texts;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString role = messages.at(i)[u"role"_s].toString();
        if (role != u"user" && role != u"assistant") {
            return invalid(u"messages.%1.role: Input should be 'user' or 'assistant'"_s.arg(i));
        }
        texts.append(contentTexts(messages.at(i)[u"content"_s]));
    }
    call.instructions = contentTexts(object.value(u"system"_s)).join(u'\n');
    call.input = messages;
    call.inputText = texts.join(u'\n');
    call.stream = object.value(u"stream"_s).toBool(false);

    const QJsonObject format = object.value(u"output_config"_s)[u"format"_s].toObject();
    if (!format.isEmpty()) {
        if (format.value(u"type"_s).toString() != u"json_schema"
            || !format.value(u"schema"_s).isObject()) {
            return invalid(
                u"output_config.format: expected {\"type\": \"json_schema\", \"schema\": {...}}"_s);
        }
        call.textFormat = QJsonObject {{u"type"_s, u"json_schema"_s}, {u"name"_s, u"output"_s},
            {u"schema"_s, format.value(u"schema"_s)}};
    }
    const QJsonObject choice = object.value(u"tool_choice"_s).toObject();
    if (choice.value(u"type"_s).toString() == u"tool") {
        request.forcedTool = choice.value(u"name"_s).toString();
        const QJsonArray tools = object.value(u"tools"_s).toArray();
        const auto tool = std::find_if(tools.begin(), tools.end(), [&request](const QJsonValue &t) {
            return t[u"name"_s].toString() == request.forcedTool;
        });
        if (tool == tools.end()) {
            return invalid(u"tool_choice: tool '%1' is not among the request's tools"_s.arg(
                request.forcedTool));
        }
        call.textFormat = QJsonObject {{u"type"_s, u"json_schema"_s},
            {u"name"_s, request.forcedTool}, {u"schema"_s, (*tool)[u"input_schema"_s]}};
    }
    return request;
}

QJsonObject anthropicErrorBody(const ApiError &error)
{
    static const QStringList anthropicTypes = {u"invalid_request_error"_s,
        u"authentication_error"_s, u"permission_error"_s, u"not_found_error"_s,
        u"request_too_large"_s, u"rate_limit_error"_s, u"api_error"_s, u"overloaded_error"_s};
    QString type = error.type;
    if (!anthropicTypes.contains(type)) {
        switch (error.status) {
        case 401:
            type = u"authentication_error"_s;
            break;
        case 403:
            type = u"permission_error"_s;
            break;
        case 404:
            type = u"not_found_error"_s;
            break;
        case 429:
            type = u"rate_limit_error"_s;
            break;
        case 529:
            type = u"overloaded_error"_s;
            break;
        default:
            type = error.status >= 500 ? u"api_error"_s : u"invalid_request_error"_s;
        }
    }
    return QJsonObject {{u"type"_s, u"error"_s},
        {u"error"_s, QJsonObject {{u"type"_s, type}, {u"message"_s, error.message}}}};
}

QJsonObject messageObject(
    const MessagesRequest &request, const QString &answer, bool refusal, const QByteArray &id)
{
    QString text = answer;
    qint64 outputTokens = estimateTokens(text.size());
    const qint64 limit = request.call.maxOutputTokens.value_or(outputTokens);
    const bool cut = !refusal && outputTokens > limit;
    if (cut) {
        outputTokens = limit;
        text.truncate(qsizetype(limit * 4));
    }
    QJsonObject block {{u"type"_s, u"text"_s}, {u"text"_s, text}};
    QString stopReason = cut ? u"max_tokens"_s : u"end_turn"_s;
    if (refusal) {
        stopReason = u"refusal"_s;
    } else if (!request.forcedTool.isEmpty() && !cut) {
        const QJsonDocument input = QJsonDocument::fromJson(text.toUtf8());
        block = QJsonObject {{u"type"_s, u"tool_use"_s},
            {u"id"_s, u"toolu_"_s + QString::fromLatin1(id.mid(4))},
            {u"name"_s, request.forcedTool},
            {u"input"_s, input.isObject() ? QJsonValue(input.object()) : QJsonValue(text)}};
        stopReason = u"tool_use"_s;
    }
    return QJsonObject {{u"id"_s, QString::fromLatin1(id)}, {u"type"_s, u"message"_s},
        {u"role"_s, u"assistant"_s}, {u"model"_s, request.call.model},
        {u"content"_s, QJsonArray {block}}, {u"stop_reason"_s, stopReason},
        {u"stop_sequence"_s, QJsonValue()},
        {u"usage"_s,
            QJsonObject {{u"input_tokens"_s, inputTokens(request.call)},
                {u"cache_creation_input_tokens"_s, 0}, {u"cache_read_input_tokens"_s, 0},
                {u"output_tokens"_s, outputTokens}}}};
}

QList<SseEvent> messagesStreamEvents(const QJsonObject &message, qsizetype charsPerDelta)
{
    QList<SseEvent> events;
    auto add = [&events](const char *type, QJsonObject data, bool isDelta = false) {
        data.insert(u"type"_s, QString::fromLatin1(type));
        events.append(SseEvent {QByteArray(type), data, isDelta, false});
    };
    const QJsonObject block = message.value(u"content"_s).toArray().at(0).toObject();
    const bool toolUse = block.value(u"type"_s).toString() == u"tool_use";
    const QString text = toolUse
        ? QString::fromUtf8(
            QJsonDocument(block.value(u"input"_s).toObject()).toJson(QJsonDocument::Compact))
        : block.value(u"text"_s).toString();
    const QJsonObject usage = message.value(u"usage"_s).toObject();

    QJsonObject start = message;
    start.insert(u"content"_s, QJsonArray());
    start.insert(u"stop_reason"_s, QJsonValue());
    QJsonObject startUsage = usage;
    startUsage.insert(u"output_tokens"_s, 1);
    start.insert(u"usage"_s, startUsage);
    add("message_start", {{u"message"_s, start}});
    QJsonObject openBlock = block;
    if (toolUse)
        openBlock.insert(u"input"_s, QJsonObject());
    else
        openBlock.insert(u"text"_s, QString());
    add("content_block_start", {{u"index"_s, 0}, {u"content_block"_s, openBlock}});
    add("ping", {});
    const qsizetype step = qMax<qsizetype>(1, charsPerDelta);
    for (qsizetype at = 0; at < text.size(); at += step) {
        const QJsonObject delta = toolUse
            ? QJsonObject {{u"type"_s, u"input_json_delta"_s},
                {u"partial_json"_s, text.mid(at, step)}}
            : QJsonObject {{u"type"_s, u"text_delta"_s}, {u"text"_s, text.mid(at, step)}};
        add("content_block_delta", {{u"index"_s, 0}, {u"delta"_s, delta}}, true);
    }
    add("content_block_stop", {{u"index"_s, 0}});
    add("message_delta",
        {{u"delta"_s,
             QJsonObject {{u"stop_reason"_s, message.value(u"stop_reason"_s)},
                 {u"stop_sequence"_s, QJsonValue()}}},
            {u"usage"_s, QJsonObject {{u"output_tokens"_s, usage.value(u"output_tokens"_s)}}}});
    add("message_stop", {});
    return events;
}

} // namespace sluice::sim
