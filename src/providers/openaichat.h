#pragma once

#include "providers/provider.h"

#include <QByteArray>
#include <QUrl>

namespace sluice {

/// OpenAI Chat Completions (`POST {base}/chat/completions`), plain and
/// streaming: the dialect of Ollama, llama.cpp's server, vLLM, LM Studio and
/// OpenRouter (their handled quirks: docs/providers.md).
/// - The instructions go as a `system` message (every server knows `system`;
///   not all know OpenAI's newer `developer`).
/// - A schema goes as `response_format: {type: json_schema, json_schema}`.
/// - `finish_reason` `length` is Incomplete (`max_output_tokens`, the word
///   the Responses dialect uses), `content_filter` Incomplete
///   (`content_filter`); a non-empty `refusal` is Refused.
/// - Streaming asks for `stream_options.include_usage`; the stream ends with
///   `data: [DONE]`, or with the connection after a chunk carrying a
///   `finish_reason` (servers that omit `[DONE]`). Usage is absent when the
///   server sends none. Reasoning deltas (`reasoning_content`) are not text.
class OpenAiChatProvider final : public Provider
{
public:
    /// Which field carries GenerationRequest::maxOutputTokens. OpenAI's
    /// `max_completion_tokens` is refused by older servers; OpenAI refuses
    /// `max_tokens` for reasoning models. Auto: `max_completion_tokens` for
    /// api.openai.com, `max_tokens` (which every compatible server reads)
    /// for any other base URL.
    enum class TokenLimitField {
        Auto,
        MaxCompletionTokens,
        MaxTokens,
    };

    /// `baseUrl` ends in `/v1` (Ollama: `http://localhost:11434/v1`); an
    /// empty `apiKey` sends no Authorization header.
    OpenAiChatProvider(
        QUrl baseUrl, QByteArray apiKey, TokenLimitField tokenLimitField = TokenLimitField::Auto);

    [[nodiscard]] QString id() const override { return QStringLiteral("openai-chat"); }
    [[nodiscard]] ProviderCapabilities capabilities() const override;
    [[nodiscard]] AuthStyle authStyle() const override { return AuthStyle::Bearer; }
    [[nodiscard]] QUrl defaultBaseUrl() const override;
    [[nodiscard]] bool supportsModel(QStringView model) const override;
    [[nodiscard]] HttpRequest encode(const GenerationRequest &request) const override;
    [[nodiscard]] GenerationOutcome decode(const HttpResponse &response) const override;
    [[nodiscard]] std::unique_ptr<StreamDecoder> createStreamDecoder(
        StreamDecoder::TextHandler onText) const override;

    /// The field the token limit goes in, with Auto resolved.
    [[nodiscard]] TokenLimitField tokenLimitField() const { return m_tokenLimitField; }
    /// The request body alone, as JSON.
    [[nodiscard]] QJsonObject encodeBody(const GenerationRequest &request) const;

private:
    QUrl m_baseUrl;
    QUrl m_endpoint;
    QByteArray m_apiKey;
    TokenLimitField m_tokenLimitField;
};

} // namespace sluice
