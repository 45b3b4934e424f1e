#pragma once

#include "providers/provider.h"
#include "providers/sseparser.h"

#include <QJsonObject>

#include <optional>

// Pieces every dialect shares: endpoints, error classes from HTTP statuses,
// JSON bodies and the SSE half of a StreamDecoder. Internal to providers/.

namespace sluice {

/// `base` with `path` appended to its path (`{base}/responses`); trailing
/// slashes of the base are ignored.
[[nodiscard]] QUrl endpointUrl(QUrl base, QStringView path);

/// A JSON POST to `endpoint` accepting SSE when `stream`; the caller adds auth.
[[nodiscard]] HttpRequest jsonPost(const QUrl &endpoint, bool stream, const QJsonObject &body);

/// Whether `baseUrl` points at the same host as the vendor's `defaultUrl`.
[[nodiscard]] bool isVendorHost(const QUrl &baseUrl, const QUrl &defaultUrl);

/// The class of an HTTP error status when the body says nothing more:
/// 401/403 auth, 404 not found, 408 timeout, 429 rate limited, 529
/// overloaded, other 5xx and 409 server, other 4xx bad request.
[[nodiscard]] ErrorClass classifyHttpStatus(int httpStatus);

/// The body as a JSON object, or nullopt with `error` saying why.
[[nodiscard]] std::optional<QJsonObject> parseJsonObject(QByteArrayView bytes, QString *error);

void failOutcome(GenerationOutcome &outcome, ErrorClass errorClass, QString message);

/// The SSE half of a StreamDecoder (see its contract in provider.h): feeds
/// the parser, keeps the first bytes until an event arrives (an error body
/// or a plain JSON answer is not SSE), and turns the end of the stream into
/// an outcome. A dialect implements the event handling and its two
/// non-streaming pieces.
class SseStreamDecoder : public StreamDecoder
{
public:
    void feed(QByteArrayView bytes) final;
    [[nodiscard]] GenerationOutcome finish(const HttpResponse &head) final;

protected:
    explicit SseStreamDecoder(TextHandler onText);

    /// One event's JSON data, only while the stream has not ended (data
    /// that is not a JSON object fails the stream before this is called).
    /// `type` is the object's `type` field (empty when absent).
    virtual void onEvent(const QJsonObject &object, const QString &type) = 0;
    /// `data: [DONE]`; ignored unless the dialect ends its stream with it.
    virtual void onDone() { }
    /// The outcome of a stream that ended with its terminal event (not
    /// through failStream): status, finish reason and the like.
    virtual void settle(GenerationOutcome &outcome) = 0;
    /// The dialect's non-streaming decode (errors, plain JSON answers).
    [[nodiscard]] virtual GenerationOutcome decodeWhole(const HttpResponse &response) const = 0;
    /// What the headers say: request id, rate-limit hints.
    virtual void readHead(const HttpResponse &head, GenerationOutcome &outcome) const = 0;

    /// Appends to the outcome's text and reports the delta.
    void emitText(const QString &delta);
    /// The stream has what makes it whole (a finish reason), but later
    /// events (usage) are still read.
    void markComplete() { m_complete = true; }
    /// The terminal event arrived: the stream is whole, later events are ignored.
    void endStream() { m_complete = m_ended = true; }
    /// An error event, or an event that is not what the dialect promises.
    void failStream(ErrorClass errorClass, QString code, QString message);
    GenerationOutcome m_outcome;

private:
    void dispatch(const SseEvent &event);

    TextHandler m_onText;
    SseParser m_parser;
    QByteArray m_head; ///< the first bytes, until an event arrives
    qint64 m_events = 0;
    bool m_headOverflow = false;
    bool m_complete = false;
    bool m_ended = false;
    bool m_failed = false;
};

} // namespace sluice
