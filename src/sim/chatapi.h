#pragma once

#include "sim/responsesapi.h"

#include <QByteArray>
#include <QJsonObject>

#include <variant>

namespace sluice::sim {

/// A valid `POST /v1/chat/completions` body, as the simulator's common call
/// (system messages become instructions, `response_format` the text format,
/// `max_completion_tokens` / `max_tokens` the output limit).
struct ChatRequest
{
    ResponsesRequest call;
    bool includeUsage = false; ///< `stream_options.include_usage`
};

/// Parses and validates a Chat Completions body; OpenAI's error words.
[[nodiscard]] std::variant<ChatRequest, ApiError> parseChatRequest(const QByteArray &body);

/// The `chat.completion` object: the text cut to the output limit
/// (`finish_reason: "length"`), or `refusal` set and `content` null.
[[nodiscard]] QJsonObject chatCompletionObject(const ChatRequest &request, const QString &answer,
    bool refusal, const QByteArray &id, qint64 created);

/// The stream of `chat.completion.chunk`s for a completion, as data-only
/// events: a role chunk, content (or refusal) deltas, the finish_reason chunk,
/// with include_usage a last chunk with empty choices and the usage (every
/// other chunk then carries `usage: null`), and `[DONE]`.
[[nodiscard]] QList<SseEvent> chatStreamEvents(
    const QJsonObject &completion, bool includeUsage, qsizetype charsPerDelta);

} // namespace sluice::sim
