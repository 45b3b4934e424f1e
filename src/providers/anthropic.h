#pragma once

#include "providers/provider.h"

#include <QByteArray>
#include <QUrl>

namespace sluice {

/// Anthropic Messages (`POST {base}/messages`), plain and streaming.
/// - Auth: `x-api-key` and `anthropic-version: 2023-06-01`.
/// - `max_tokens` is required: a request without maxOutputTokens sends
///   Options::defaultMaxTokens.
/// - Usage is normalised to OpenAI accounting (core/tokenusage.h), which
///   cost and the gates use: `input = input_tokens + cache_read_input_tokens
///   + cache_creation_input_tokens`, `cached = cache_read_input_tokens`,
///   `cacheWrite = cache_creation_input_tokens`, `output = output_tokens`.
/// - `stop_reason` `max_tokens` is Incomplete (`max_output_tokens`, as in the
///   OpenAI dialects), `refusal` is Refused (the partial text becomes the
///   refusal), `end_turn`, `stop_sequence` and `tool_use` are Completed, any
///   other reason Incomplete with that reason.
/// - Streaming: text from `text_delta`, the forced tool's JSON from
///   `input_json_delta` (both reported as text deltas), usage from
///   `message_start` updated by `message_delta`, terminal `message_stop`;
///   `ping` is ignored; an `error` event fails with its class.
class AnthropicProvider final : public Provider
{
public:
    /// How a schema is sent. ForcedTool (the default) works with every
    /// Claude model that has tool use and with Anthropic-compatible proxies:
    /// one tool named after the schema, `tool_choice` forcing it; the
    /// answer is its `tool_use.input`, serialised as compact JSON (keys in
    /// the order Qt's JSON keeps: sorted; streamed answers keep the model's
    /// order). OutputConfig uses native structured outputs
    /// (`output_config.format`), which constrain decoding but only exist on
    /// recent models; the answer is the text.
    enum class StructuredOutput {
        ForcedTool,
        OutputConfig,
    };

    struct Options
    {
        StructuredOutput structuredOutput = StructuredOutput::ForcedTool;
        int defaultMaxTokens = 4096; ///< sent when the request names no limit
    };

    /// `baseUrl` ends in `/v1` (`https://api.anthropic.com/v1`); an empty
    /// `apiKey` sends no `x-api-key`.
    AnthropicProvider(QUrl baseUrl, QByteArray apiKey, Options options);
    AnthropicProvider(QUrl baseUrl, QByteArray apiKey);

    [[nodiscard]] QString id() const override { return QStringLiteral("anthropic"); }
    [[nodiscard]] ProviderCapabilities capabilities() const override;
    [[nodiscard]] AuthStyle authStyle() const override { return AuthStyle::ApiKeyHeader; }
    [[nodiscard]] QUrl defaultBaseUrl() const override;
    [[nodiscard]] bool supportsModel(QStringView model) const override;
    [[nodiscard]] HttpRequest encode(const GenerationRequest &request) const override;
    [[nodiscard]] GenerationOutcome decode(const HttpResponse &response) const override;
    [[nodiscard]] std::unique_ptr<StreamDecoder> createStreamDecoder(
        StreamDecoder::TextHandler onText) const override;

    [[nodiscard]] const Options &options() const { return m_options; }
    /// The request body alone, as JSON.
    [[nodiscard]] QJsonObject encodeBody(const GenerationRequest &request) const;

private:
    QUrl m_baseUrl;
    QUrl m_endpoint;
    QByteArray m_apiKey;
    Options m_options;
};

/// Error class for an Anthropic `error.type`: overloaded_error Overloaded,
/// rate_limit_error RateLimited, authentication_error and permission_error
/// Auth, not_found_error NotFound, invalid_request_error and
/// request_too_large BadRequest, billing_error QuotaExhausted, timeout_error
/// Timeout, api_error Server; otherwise from the HTTP status.
[[nodiscard]] ErrorClass classifyAnthropicError(int httpStatus, QStringView type);

} // namespace sluice
