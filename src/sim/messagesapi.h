#pragma once

#include "sim/responsesapi.h"

#include <QByteArray>
#include <QJsonObject>

#include <variant>

namespace sluice::sim {

/// A valid Anthropic `POST /v1/messages` body, as the simulator's common call
/// (`system` becomes instructions; `output_config.format` or a forced tool's
/// `input_schema` the JSON schema).
struct MessagesRequest
{
    ResponsesRequest call;
    QString forcedTool; ///< `tool_choice: {type: "tool", name}`: answer with tool_use
};

/// Parses and validates a Messages body. Errors carry Anthropic's types in
/// `ApiError::type`; anthropicErrorBody() gives their wire shape.
[[nodiscard]] std::variant<MessagesRequest, ApiError> parseMessagesRequest(const QByteArray &body);

/// `{"type":"error","error":{"type","message"}}` for an error, with the type
/// mapped from the status where the error came from the common checks.
[[nodiscard]] QJsonObject anthropicErrorBody(const ApiError &error);

/// The `message` object: text (or `tool_use` with the instance as `input`
/// for a forced tool), `stop_reason` end_turn / max_tokens / tool_use /
/// refusal, and usage.
[[nodiscard]] QJsonObject messageObject(
    const MessagesRequest &request, const QString &answer, bool refusal, const QByteArray &id);

/// The Messages event stream: message_start, content_block_start, ping,
/// content_block_delta (text_delta or input_json_delta) per piece,
/// content_block_stop, message_delta (stop_reason, output usage), message_stop.
[[nodiscard]] QList<SseEvent> messagesStreamEvents(
    const QJsonObject &message, qsizetype charsPerDelta);

} // namespace sluice::sim
