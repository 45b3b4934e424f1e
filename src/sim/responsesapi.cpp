#include "sim/responsesapi.h"

#include "sim/schemainstance.h"
#include "sim/seededrandom.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

namespace sluice::sim {

namespace {

using namespace Qt::StringLiterals;

// OpenAI's name for a JSON value's kind in "Invalid type" messages.
QString kindOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

ApiError missing(const QString &param)
{
    return ApiError {400, u"Missing required parameter: '%1'."_s.arg(param),
        u"invalid_request_error"_s, param, u"missing_required_parameter"_s};
}

ApiError invalidType(const QString &param, const QString &expected, const QJsonValue &got)
{
    return ApiError {400,
        u"Invalid type for '%1': expected %2, but got %3 instead."_s.arg(
            param, expected, kindOf(got)),
        u"invalid_request_error"_s, param, u"invalid_type"_s};
}

// The texts of one input item's content (a string or a list of parts).
std::optional<ApiError> collectContent(
    const QJsonValue &content, const QString &param, QStringList &texts)
{
    if (content.isString()) {
        texts.append(content.toString());
        return std::nullopt;
    }
    if (!content.isArray())
        return invalidType(param, u"a string or an array of content parts"_s, content);
    const QJsonArray parts = content.toArray();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString partParam = u"%1[%2]"_s.arg(param).arg(i);
        const QJsonObject part = parts.at(i).toObject();
        if (!parts.at(i).isObject())
            return invalidType(partParam, u"an object"_s, parts.at(i));
        if (!part.value(u"type"_s).isString())
            return missing(partParam + u".type"_s);
        if (part.value(u"type"_s).toString() == u"input_text") {
            if (!part.value(u"text"_s).isString())
                return invalidType(partParam + u".text"_s, u"a string"_s, part.value(u"text"_s));
            texts.append(part.value(u"text"_s).toString());
        }
    }
    return std::nullopt;
}

std::optional<ApiError> collectInput(const QJsonValue &input, QStringList &texts)
{
    if (input.isString()) {
        texts.append(input.toString());
        return std::nullopt;
    }
    if (!input.isArray())
        return invalidType(u"input"_s, u"a string or an array of input items"_s, input);
    const QJsonArray items = input.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString param = u"input[%1]"_s.arg(i);
        if (!items.at(i).isObject())
            return invalidType(param, u"an object"_s, items.at(i));
        const QJsonObject item = items.at(i).toObject();
        if (!item.contains(u"role"_s))
            return missing(param + u".role"_s);
        if (!item.value(u"role"_s).isString())
            return invalidType(param + u".role"_s, u"a string"_s, item.value(u"role"_s));
        if (!item.contains(u"content"_s))
            return missing(param + u".content"_s);
        if (auto error = collectContent(item.value(u"content"_s), param + u".content"_s, texts))
            return error;
    }
    return std::nullopt;
}

std::optional<ApiError> checkTextFormat(const QJsonObject &format)
{
    const QString type = format.value(u"type"_s).toString();
    if (!format.value(u"type"_s).isString())
        return missing(u"text.format.type"_s);
    if (type == u"text" || type == u"json_object")
        return std::nullopt;
    if (type != u"json_schema") {
        return ApiError {400,
            u"Invalid value: '%1'. Supported values are: 'text', 'json_object', "
            "and 'json_schema'."_s.arg(type),
            u"invalid_request_error"_s, u"text.format.type"_s, u"invalid_value"_s};
    }
    if (!format.contains(u"name"_s))
        return missing(u"text.format.name"_s);
    static const QRegularExpression namePattern(u"^[a-zA-Z0-9_-]{1,64}$"_s);
    if (!namePattern.match(format.value(u"name"_s).toString()).hasMatch()) {
        return ApiError {400,
            u"Invalid 'text.format.name': string does not match pattern. Expected a "
            "string that matches the pattern '^[a-zA-Z0-9_-]+$' (at most 64 "
            "characters)."_s,
            u"invalid_request_error"_s, u"text.format.name"_s, u"invalid_value"_s};
    }
    if (!format.contains(u"schema"_s))
        return missing(u"text.format.schema"_s);
    if (!format.value(u"schema"_s).isObject())
        return invalidType(u"text.format.schema"_s, u"an object"_s, format.value(u"schema"_s));
    return std::nullopt;
}

QString quoteOf(const QString &text)
{
    constexpr qsizetype kQuoteLength = 60;
    const QString simplified = text.simplified();
    return simplified.size() <= kQuoteLength ? simplified
                                             : simplified.left(kQuoteLength) + u"\u2026"_s;
}

} // namespace

QJsonObject ApiError::body() const
{
    return QJsonObject {{u"error"_s,
        QJsonObject {
            {u"message"_s, message}, {u"type"_s, type}, {u"param"_s, param}, {u"code"_s, code}}}};
}

std::variant<ResponsesRequest, ApiError> parseResponsesRequest(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return ApiError {400,
            u"We could not parse the JSON body of your request (%1 at byte %2). "
            "Send a JSON object with at least 'model' and 'input'."_s.arg(parseError.errorString())
                .arg(parseError.offset),
            u"invalid_request_error"_s, QJsonValue(), QJsonValue()};
    }
    if (!document.isObject()) {
        return ApiError {400,
            u"The request body must be a JSON object, but got an array. Send a JSON "
            "object with at least 'model' and 'input'."_s,
            u"invalid_request_error"_s, QJsonValue(), QJsonValue()};
    }
    const QJsonObject object = document.object();

    ResponsesRequest request;
    if (!object.contains(u"model"_s))
        return missing(u"model"_s);
    if (!object.value(u"model"_s).isString())
        return invalidType(u"model"_s, u"a string"_s, object.value(u"model"_s));
    request.model = object.value(u"model"_s).toString();
    if (request.model.isEmpty()) {
        return ApiError {400, u"Invalid 'model': empty string. Name a model, e.g. 'sim-small'."_s,
            u"invalid_request_error"_s, u"model"_s, u"invalid_value"_s};
    }

    if (!object.contains(u"input"_s))
        return missing(u"input"_s);
    request.input = object.value(u"input"_s);
    QStringList texts;
    if (auto error = collectInput(request.input, texts))
        return *error;
    request.inputText = texts.join(u'\n');

    if (object.contains(u"instructions"_s) && !object.value(u"instructions"_s).isNull()) {
        if (!object.value(u"instructions"_s).isString()) {
            return invalidType(u"instructions"_s, u"a string"_s, object.value(u"instructions"_s));
        }
        request.instructions = object.value(u"instructions"_s).toString();
    }

    const QJsonValue maxOutput = object.value(u"max_output_tokens"_s);
    if (!maxOutput.isUndefined() && !maxOutput.isNull()) {
        const double value = maxOutput.toDouble(-1);
        if (!maxOutput.isDouble() || value != std::floor(value))
            return invalidType(u"max_output_tokens"_s, u"an integer"_s, maxOutput);
        if (value < 16) {
            return ApiError {400,
                u"Invalid 'max_output_tokens': integer below minimum value. Expected "
                "a value >= 16, but got %1 instead."_s.arg(qint64(value)),
                u"invalid_request_error"_s, u"max_output_tokens"_s, u"integer_below_min_value"_s};
        }
        request.maxOutputTokens = qint64(value);
    }

    const QJsonValue text = object.value(u"text"_s);
    if (!text.isUndefined() && !text.isNull()) {
        if (!text.isObject())
            return invalidType(u"text"_s, u"an object"_s, text);
        const QJsonValue format = text.toObject().value(u"format"_s);
        if (!format.isUndefined()) {
            if (!format.isObject())
                return invalidType(u"text.format"_s, u"an object"_s, format);
            if (auto error = checkTextFormat(format.toObject()))
                return *error;
            request.textFormat = format.toObject();
        }
    }

    const QJsonValue stream = object.value(u"stream"_s);
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return invalidType(u"stream"_s, u"a boolean"_s, stream);
    request.stream = stream.toBool(false);
    return request;
}

QStringList contentTexts(const QJsonValue &content)
{
    if (content.isString())
        return {content.toString()};
    QStringList texts;
    const QJsonArray parts = content.toArray();
    for (const QJsonValue &part : parts) {
        if (part[u"type"_s].toString() == u"text")
            texts.append(part[u"text"_s].toString());
    }
    return texts;
}

QByteArray inputDigest(const ResponsesRequest &request)
{
    const QByteArray prompt = QJsonDocument(QJsonArray {request.instructions, request.input})
                                  .toJson(QJsonDocument::Compact);
    return QCryptographicHash::hash(prompt, QCryptographicHash::Sha256).toHex();
}

qint64 estimateTokens(qsizetype characters)
{
    return qMax<qint64>(1, (qint64(characters) + 3) / 4);
}

qint64 inputTokens(const ResponsesRequest &request)
{
    return estimateTokens(request.instructions.size() + request.inputText.size());
}

qint64 arrivalTokens(const ResponsesRequest &request)
{
    return qMax(request.maxOutputTokens.value_or(0), inputTokens(request));
}

QString answerText(const ResponsesRequest &request)
{
    const QByteArray digest = inputDigest(request);
    const QByteArray seedSource = request.model.toUtf8() + '\n'
        + QJsonDocument(request.textFormat).toJson(QJsonDocument::Compact) + '\n' + digest;
    const std::uint64_t seed
        = SeededRandom::seedFrom(QCryptographicHash::hash(seedSource, QCryptographicHash::Sha256));

    const QString type = request.textFormat.value(u"type"_s).toString();
    if (type == u"json_schema") {
        return QString::fromUtf8(
            compactJson(generateInstance(request.textFormat.value(u"schema"_s), seed)));
    }

    const qsizetype words = request.inputText.simplified().split(u' ', Qt::SkipEmptyParts).size();
    const QString sentence
        = u"sluice-sim (%1) received %2 %3 and %4 characters: \"%5\". Simulated answer %6."_s
              .arg(request.model)
              .arg(words)
              .arg(words == 1 ? u"word"_s : u"words"_s)
              .arg(request.inputText.size())
              .arg(quoteOf(request.inputText), QString::fromLatin1(digest.left(8)));
    if (type == u"json_object") {
        return QString::fromUtf8(compactJson(QJsonObject {{u"simulated"_s, true},
            {u"model"_s, request.model}, {u"input_words"_s, words}, {u"answer"_s, sentence}}));
    }
    return sentence;
}

QJsonObject responseObject(const ResponsesRequest &request, const QString &answer,
    const QByteArray &responseId, const QByteArray &messageId, qint64 createdAt)
{
    QString text = answer;
    qint64 outputTokens = estimateTokens(text.size());
    const bool incomplete = request.maxOutputTokens && outputTokens > *request.maxOutputTokens;
    if (incomplete) {
        outputTokens = *request.maxOutputTokens;
        text.truncate(qsizetype(outputTokens * 4));
    }
    const qint64 promptTokens = inputTokens(request);
    const QString status = incomplete ? u"incomplete"_s : u"completed"_s;

    const QJsonObject message {{u"type"_s, u"message"_s}, {u"id"_s, QString::fromLatin1(messageId)},
        {u"status"_s, status}, {u"role"_s, u"assistant"_s},
        {u"content"_s,
            QJsonArray {QJsonObject {{u"type"_s, u"output_text"_s}, {u"text"_s, text},
                {u"annotations"_s, QJsonArray()}}}}};
    return QJsonObject {{u"id"_s, QString::fromLatin1(responseId)}, {u"object"_s, u"response"_s},
        {u"created_at"_s, createdAt},
        {u"completed_at"_s, incomplete ? QJsonValue() : QJsonValue(createdAt)},
        {u"status"_s, status}, {u"error"_s, QJsonValue()},
        {u"incomplete_details"_s,
            incomplete ? QJsonValue(QJsonObject {{u"reason"_s, u"max_output_tokens"_s}})
                       : QJsonValue()},
        {u"instructions"_s,
            request.instructions.isEmpty() ? QJsonValue() : QJsonValue(request.instructions)},
        {u"max_output_tokens"_s,
            request.maxOutputTokens ? QJsonValue(*request.maxOutputTokens) : QJsonValue()},
        {u"model"_s, request.model}, {u"output"_s, QJsonArray {message}},
        {u"text"_s,
            QJsonObject {{u"format"_s,
                request.textFormat.isEmpty() ? QJsonObject {{u"type"_s, u"text"_s}}
                                             : request.textFormat}}},
        {u"usage"_s,
            QJsonObject {{u"input_tokens"_s, promptTokens},
                {u"input_tokens_details"_s, QJsonObject {{u"cached_tokens"_s, 0}}},
                {u"output_tokens"_s, outputTokens},
                {u"output_tokens_details"_s, QJsonObject {{u"reasoning_tokens"_s, 0}}},
                {u"total_tokens"_s, promptTokens + outputTokens}}},
        {u"metadata"_s, QJsonObject()}};
}

QList<SseEvent> responsesStreamEvents(const QJsonObject &response, qsizetype charsPerDelta)
{
    QList<SseEvent> events;
    auto add = [&events](const char *type, QJsonObject data, bool isDelta = false) {
        data.insert(u"type"_s, QString::fromLatin1(type));
        data.insert(u"sequence_number"_s, qint64(events.size()));
        events.append(SseEvent {QByteArray(type), data, isDelta});
    };

    const QJsonObject item = response.value(u"output"_s).toArray().at(0).toObject();
    const QJsonObject part = item.value(u"content"_s).toArray().at(0).toObject();
    const QString itemId = item.value(u"id"_s).toString();
    const bool refusal = part.value(u"type"_s).toString() == u"refusal";
    const QString text = part.value(refusal ? u"refusal"_s : u"text"_s).toString();

    QJsonObject pending = response;
    pending.insert(u"status"_s, u"in_progress"_s);
    pending.insert(u"output"_s, QJsonArray());
    pending.insert(u"usage"_s, QJsonValue());
    pending.insert(u"completed_at"_s, QJsonValue());
    pending.insert(u"incomplete_details"_s, QJsonValue());
    add("response.created", {{u"response"_s, pending}});
    add("response.in_progress", {{u"response"_s, pending}});

    QJsonObject openItem = item;
    openItem.insert(u"status"_s, u"in_progress"_s);
    openItem.insert(u"content"_s, QJsonArray());
    add("response.output_item.added", {{u"output_index"_s, 0}, {u"item"_s, openItem}});
    QJsonObject emptyPart = part;
    emptyPart.insert(refusal ? u"refusal"_s : u"text"_s, QString());
    const QJsonObject where {
        {u"item_id"_s, itemId}, {u"output_index"_s, 0}, {u"content_index"_s, 0}};
    QJsonObject added = where;
    added.insert(u"part"_s, emptyPart);
    add("response.content_part.added", added);

    const qsizetype step = qMax<qsizetype>(1, charsPerDelta);
    for (qsizetype at = 0; at < text.size(); at += step) {
        QJsonObject delta = where;
        delta.insert(u"delta"_s, text.mid(at, step));
        if (!refusal)
            delta.insert(u"logprobs"_s, QJsonArray());
        add(refusal ? "response.refusal.delta" : "response.output_text.delta", delta, true);
    }
    QJsonObject done = where;
    done.insert(refusal ? u"refusal"_s : u"text"_s, text);
    if (!refusal)
        done.insert(u"logprobs"_s, QJsonArray());
    add(refusal ? "response.refusal.done" : "response.output_text.done", done);
    QJsonObject partDone = where;
    partDone.insert(u"part"_s, part);
    add("response.content_part.done", partDone);
    add("response.output_item.done", {{u"output_index"_s, 0}, {u"item"_s, item}});

    const bool incomplete = response.value(u"status"_s).toString() == u"incomplete";
    add(incomplete ? "response.incomplete" : "response.completed", {{u"response"_s, response}});
    return events;
}

} // namespace sluice::sim
