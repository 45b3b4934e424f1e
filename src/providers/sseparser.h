#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <functional>
#include <optional>

namespace sluice {

/// One dispatched Server-Sent Event. `type` is the `event:` field (empty when
/// the stream sent none: the spec's "message"); `data` is every `data:` line of
/// the event joined with '\n'; `id` is the last `id:` the stream set (it
/// persists across events, as the spec says).
struct SseEvent
{
    QByteArray type;
    QByteArray data;
    QByteArray id;

    /// `data: [DONE]`, OpenAI Chat's end-of-stream marker.
    [[nodiscard]] bool isDone() const { return data == "[DONE]"; }
};

/// Incremental `text/event-stream` parser after the WHATWG algorithm: fed
/// arbitrary chunks (one byte at a time included), it dispatches each event
/// when its blank line arrives. Lines end in LF, CR or CRLF (a CRLF split
/// across chunks is one line end); `:` lines are comments; a leading UTF-8
/// BOM is skipped; `retry:` is kept. Buffers are reused: steady-state feeding
/// does not allocate unless the handler keeps copies of the event.
/// At the end of the stream, finish() dispatches an event whose last line
/// was complete but whose blank line never came (the spec drops it; some
/// servers and documentation examples close the stream right after the last
/// `data:` line). A line cut in the middle is never dispatched.
class SseParser
{
public:
    /// Called once per event, in order, with a reference valid during the
    /// call only. It must not feed this parser.
    using Handler = std::function<void(const SseEvent &event)>;

    explicit SseParser(Handler handler);

    void feed(QByteArrayView bytes);
    /// The stream ended: dispatches a pending event made of complete lines.
    /// Returns false when a partial line was left (the stream was cut).
    bool finish();

    /// The last valid `retry:` value, in milliseconds.
    [[nodiscard]] std::optional<qint64> retryMs() const { return m_retryMs; }
    /// Bytes of an event that has not been closed by a blank line yet.
    [[nodiscard]] bool hasPendingEvent() const { return m_hasData || !m_line.isEmpty(); }

private:
    void processLine();
    void dispatch();

    Handler m_handler;
    SseEvent m_event;
    QByteArray m_line;
    std::optional<qint64> m_retryMs;
    int m_bomMatched = 0;
    bool m_bomDone = false;
    bool m_afterCr = false;
    bool m_hasData = false;
};

} // namespace sluice
