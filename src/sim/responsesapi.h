#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace sluice::sim {

/// An answer in OpenAI's error shape:
/// `{"error":{"message","type","param","code"}}` with its HTTP status.
struct ApiError
{
    int status = 400;
    QString message;
    QString type = QStringLiteral("invalid_request_error");
    QJsonValue param; ///< the offending field, or null
    QJsonValue code;  ///< a machine-readable code, or null

    [[nodiscard]] QJsonObject body() const;
};

/// A valid `POST /v1/responses` body, reduced to what the simulator uses.
struct ResponsesRequest
{
    QString model;
    QString instructions;
    QJsonValue input;       ///< as sent: a string or a list of items
    QString inputText;      ///< every text of `input`, one per line
    QJsonObject textFormat; ///< `text.format`; empty means plain text
    std::optional<qint64> maxOutputTokens;
    bool stream = false; ///< answer as server-sent events
};

/// One server-sent event of a streamed answer: `event: <type>` (none when
/// empty, as Chat Completions sends) and `data: <json>`, or `data: [DONE]`.
struct SseEvent
{
    QByteArray type;
    QJsonObject data;
    bool isDelta = false; ///< carries answer text (paced by the tokens-per-second model)
    bool isDone = false;  ///< the `[DONE]` sentinel
};

/// The Responses API stream for a finished response object, in the spec's
/// order: response.created, response.in_progress, output_item.added,
/// content_part.added, output_text.delta (or refusal.delta) per piece of
/// `charsPerDelta` characters, the matching .done events, output_item.done
/// and response.completed (or response.incomplete). Each event's data
/// carries its `type` and a `sequence_number` counting from 0.
[[nodiscard]] QList<SseEvent> responsesStreamEvents(
    const QJsonObject &response, qsizetype charsPerDelta);

/// Parses and validates a request body as the Responses API does; the error
/// says what is wrong in OpenAI's words where OpenAI has them.
[[nodiscard]] std::variant<ResponsesRequest, ApiError> parseResponsesRequest(
    const QByteArray &body);

/// The texts of a chat-style message content: the string itself, or the
/// `text` of each part of type "text" (Chat Completions and Messages alike).
[[nodiscard]] QStringList contentTexts(const QJsonValue &content);

/// SHA-256 (hex) of the prompt: compact JSON `[instructions, input]`.
[[nodiscard]] QByteArray inputDigest(const ResponsesRequest &request);

/// Tokens for a text: ceil(characters / 4), at least 1.
[[nodiscard]] qint64 estimateTokens(qsizetype characters);

/// Prompt tokens: instructions and every input text.
[[nodiscard]] qint64 inputTokens(const ResponsesRequest &request);

/// What a request costs the tokens-per-minute window when it arrives, as
/// OpenAI counts it: max(max_output_tokens, prompt estimate).
[[nodiscard]] qint64 arrivalTokens(const ResponsesRequest &request);

/// The simulated answer: a sentence about the prompt, or a JSON instance of
/// the requested schema. Same model, instructions, input and format give the
/// same text; anything else gives another.
[[nodiscard]] QString answerText(const ResponsesRequest &request);

/// The response object (`object: "response"`), with usage estimated from the
/// text and the text cut to `max_output_tokens` (status `incomplete`).
[[nodiscard]] QJsonObject responseObject(const ResponsesRequest &request, const QString &answer,
    const QByteArray &responseId, const QByteArray &messageId, qint64 createdAt);

} // namespace sluice::sim
