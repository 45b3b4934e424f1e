#pragma once

#include "core/generation.h"
#include "providers/httpexchange.h"

#include <QByteArrayView>

#include <functional>
#include <memory>

namespace sluice {

/// What a dialect can do, for the UI's picker and the engine's choices.
struct ProviderCapabilities
{
    bool streaming = false;
    bool structuredOutput = false;       ///< a schema can be sent with the request
    bool strictStructuredOutput = false; ///< the server enforces the schema (OpenAI strict)
    bool batchApi = false;               ///< the vendor runs batch jobs (half price)
    bool promptCaching = false;          ///< usage reports cached input tokens
};

/// How the key travels: `Authorization: Bearer <key>` (OpenAI and the
/// servers that copy it) or `x-api-key: <key>` plus a version header
/// (Anthropic). An empty key sends no auth header in either style.
enum class AuthStyle {
    Bearer,
    ApiKeyHeader,
};

/// Decodes one streamed exchange. The contract:
/// - feed() takes the body bytes as they arrive, split anywhere; it runs the
///   SSE parser and reports each text delta through the handler given to
///   createStreamDecoder(), in order, before feed() returns.
/// - finish(head) is called once, after the last byte (or the failure), with
///   the status, headers and transport error of the exchange (its body may be
///   empty: the bytes already fed are used). It returns the final outcome:
///   text is the concatenated deltas (or the terminal event's text); usage
///   comes from the terminal event. A 2xx stream that ends without its
///   terminal event is Failed with TruncatedStream, or with the transport's
///   class (Timeout, Network) when the transport says why it ended. An
///   `error` event maps to its class. A non-2xx status, or a 2xx answer that
///   was a plain JSON body instead of a stream, is decoded exactly as
///   Provider::decode() would.
/// Not thread-safe; one decoder per exchange.
class StreamDecoder
{
public:
    using TextHandler = std::function<void(const QString &delta)>;

    virtual ~StreamDecoder() = default;
    virtual void feed(QByteArrayView bytes) = 0;
    [[nodiscard]] virtual GenerationOutcome finish(const HttpResponse &head) = 0;
};

/// One API dialect: turns a GenerationRequest into bytes and bytes into a
/// GenerationOutcome. Knows nothing of gates, retries or batches. Immutable
/// once built: a different base URL or key makes a new provider. Providers
/// are made by the registry (providers/providerregistry.h).
class Provider
{
public:
    virtual ~Provider() = default;

    /// Stable id used by the CLI and settings, e.g. `openai-responses`.
    [[nodiscard]] virtual QString id() const = 0;
    [[nodiscard]] virtual ProviderCapabilities capabilities() const = 0;
    [[nodiscard]] virtual AuthStyle authStyle() const = 0;
    /// The vendor's own endpoint, e.g. `https://api.openai.com/v1`.
    [[nodiscard]] virtual QUrl defaultBaseUrl() const = 0;
    /// Whether this provider can serve `model`. Against the vendor's own
    /// endpoint only the vendor's model families; against any other base URL
    /// (a compatible server, a proxy, the simulator) every name, since only
    /// that server knows its models.
    [[nodiscard]] virtual bool supportsModel(QStringView model) const = 0;

    /// The request to send; `request.stream` asks for an SSE answer.
    [[nodiscard]] virtual HttpRequest encode(const GenerationRequest &request) const = 0;

    /// Decodes one complete (non-streaming) exchange, including transport
    /// failures and error bodies, into a typed outcome.
    [[nodiscard]] virtual GenerationOutcome decode(const HttpResponse &response) const = 0;

    /// A decoder for one streamed exchange (see StreamDecoder). It does not
    /// refer to this provider: it may outlive it.
    [[nodiscard]] virtual std::unique_ptr<StreamDecoder> createStreamDecoder(
        StreamDecoder::TextHandler onText) const = 0;
};

} // namespace sluice
