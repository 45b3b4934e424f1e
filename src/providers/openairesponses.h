#pragma once

#include "providers/provider.h"

#include <QByteArray>
#include <QUrl>

namespace sluice {

/// OpenAI's Responses API (`POST {base}/responses`), plain and streaming.
/// Streaming reports `response.output_text.delta` as text, collects
/// `response.refusal.delta` as the refusal, and takes the outcome and usage
/// from the terminal `response.completed | failed | incomplete` event; an
/// `error` event fails the stream with its class.
/// Wire facts: docs/wire-formats.md in the shared docs.
class OpenAiResponsesProvider final : public Provider
{
public:
    /// `baseUrl` ends in `/v1` (e.g. `https://api.openai.com/v1`); an empty
    /// `apiKey` sends no Authorization header (the simulator needs none).
    OpenAiResponsesProvider(QUrl baseUrl, QByteArray apiKey);

    [[nodiscard]] QString id() const override { return QStringLiteral("openai-responses"); }
    [[nodiscard]] ProviderCapabilities capabilities() const override;
    [[nodiscard]] AuthStyle authStyle() const override { return AuthStyle::Bearer; }
    [[nodiscard]] QUrl defaultBaseUrl() const override;
    [[nodiscard]] bool supportsModel(QStringView model) const override;
    [[nodiscard]] HttpRequest encode(const GenerationRequest &request) const override;
    [[nodiscard]] GenerationOutcome decode(const HttpResponse &response) const override;
    [[nodiscard]] std::unique_ptr<StreamDecoder> createStreamDecoder(
        StreamDecoder::TextHandler onText) const override;

    /// The request body alone, as JSON (for tests and the batch file format).
    [[nodiscard]] static QJsonObject encodeBody(const GenerationRequest &request);

private:
    QUrl m_baseUrl;
    QUrl m_endpoint;
    QByteArray m_apiKey;
};

/// Error class for an OpenAI error, from the HTTP status and the body's
/// `error.code` / `error.type` (a 429 `insufficient_quota` is final). Also
/// used by the Chat Completions dialect.
[[nodiscard]] ErrorClass classifyOpenAiError(int httpStatus, QStringView code, QStringView type);

/// Fills an OpenAI-style error answer into `outcome` (Failed): the usual
/// `{"error":{message,type,code}}`, also `{"error":"text"}` (Ollama),
/// `{"object":"error","message","code":400}` (vLLM) and plain-text bodies.
void decodeOpenAiError(const HttpResponse &response, GenerationOutcome &outcome);

/// The HTTP status, `x-request-id` and the `x-ratelimit-*` hints.
void readOpenAiHead(const HttpResponse &response, GenerationOutcome &outcome);

/// Whether `model` names an OpenAI model family (gpt-, o1/o3/o4, chatgpt-,
/// codex-, ft:...), for supportsModel() against api.openai.com.
[[nodiscard]] bool isOpenAiModelName(QStringView model);

} // namespace sluice
