#pragma once

#include "providers/provider.h"

#include <QByteArray>
#include <QUrl>

namespace sluice {

/// OpenAI's Responses API (`POST {base}/responses`), non-streaming.
/// Wire facts: docs/wire-formats.md in the shared docs.
class OpenAiResponsesProvider final : public Provider
{
public:
    /// `baseUrl` ends in `/v1` (e.g. `https://api.openai.com/v1`); an empty
    /// `apiKey` sends no Authorization header (the simulator needs none).
    OpenAiResponsesProvider(QUrl baseUrl, QByteArray apiKey);

    [[nodiscard]] QString id() const override { return QStringLiteral("openai-responses"); }
    [[nodiscard]] HttpRequest encode(const GenerationRequest &request) const override;
    [[nodiscard]] GenerationOutcome decode(const HttpResponse &response) const override;

    /// The request body alone, as JSON (for tests and the batch file format).
    [[nodiscard]] static QJsonObject encodeBody(const GenerationRequest &request);

private:
    QUrl m_endpoint;
    QByteArray m_apiKey;
};

/// Error class for an OpenAI error, from the HTTP status and the body's
/// `error.code` / `error.type` (a 429 `insufficient_quota` is final).
[[nodiscard]] ErrorClass classifyOpenAiError(int httpStatus, QStringView code, QStringView type);

} // namespace sluice
