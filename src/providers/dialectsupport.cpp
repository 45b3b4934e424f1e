#include "providers/dialectsupport.h"

#include <QJsonDocument>

namespace sluice {

namespace {

// Error bodies and plain JSON answers are small; a longer head is a stream.
constexpr qsizetype kMaxKeptHead = 1 << 20;

bool isSuccess(int httpStatus)
{
    return httpStatus >= 200 && httpStatus <= 299;
}

} // namespace

QUrl endpointUrl(QUrl base, QStringView path)
{
    QString basePath = base.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    base.setPath(basePath + u'/' + path.toString());
    return base;
}

HttpRequest jsonPost(const QUrl &endpoint, bool stream, const QJsonObject &body)
{
    HttpRequest http;
    http.url = endpoint;
    http.headers.emplaceBack("Content-Type", "application/json");
    http.headers.emplaceBack("Accept", stream ? "text/event-stream" : "application/json");
    http.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return http;
}

bool isVendorHost(const QUrl &baseUrl, const QUrl &defaultUrl)
{
    return baseUrl.host().compare(defaultUrl.host(), Qt::CaseInsensitive) == 0;
}

ErrorClass classifyHttpStatus(int httpStatus)
{
    switch (httpStatus) {
    case 401:
    case 403:
        return ErrorClass::Auth;
    case 404:
        return ErrorClass::NotFound;
    case 408:
        return ErrorClass::Timeout;
    case 429:
        return ErrorClass::RateLimited;
    case 529:
        return ErrorClass::Overloaded;
    default:
        break;
    }
    if (httpStatus >= 500 || httpStatus == 409)
        return ErrorClass::Server;
    if (httpStatus >= 400)
        return ErrorClass::BadRequest;
    return ErrorClass::Server;
}

std::optional<QJsonObject> parseJsonObject(QByteArrayView bytes, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON (%1 at byte %2)")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("JSON, but not an object");
        return std::nullopt;
    }
    return document.object();
}

void failOutcome(GenerationOutcome &outcome, ErrorClass errorClass, QString message)
{
    outcome.status = GenerationOutcome::Status::Failed;
    outcome.errorClass = errorClass;
    outcome.errorMessage = std::move(message);
}

SseStreamDecoder::SseStreamDecoder(TextHandler onText)
    : m_onText(std::move(onText)), m_parser([this](const SseEvent &event) {
        if (m_events++ == 0)
            m_head = QByteArray();
        if (!m_ended)
            dispatch(event);
    })
{ }

void SseStreamDecoder::feed(QByteArrayView bytes)
{
    if (m_events == 0 && !m_headOverflow) {
        if (m_head.size() + bytes.size() <= kMaxKeptHead)
            m_head.append(bytes);
        else
            m_headOverflow = true;
    }
    m_parser.feed(bytes);
}

GenerationOutcome SseStreamDecoder::finish(const HttpResponse &head)
{
    if (m_events == 0 && m_head.isEmpty() && !head.body.isEmpty())
        feed(head.body); // the caller kept the whole body instead of feeding it
    m_parser.finish();
    // Not a stream: a transport failure before any answer, an error status
    // (its body is JSON or text, not SSE), or a server that ignored
    // `stream: true` and answered with one JSON body.
    const bool plainJson = m_events == 0 && !m_headOverflow && m_head.trimmed().startsWith('{');
    if (head.status == 0 || !isSuccess(head.status) || plainJson) {
        HttpResponse whole = head;
        if (whole.body.isEmpty())
            whole.body = m_head;
        return decodeWhole(whole);
    }

    GenerationOutcome outcome = std::move(m_outcome);
    outcome.httpStatus = head.status;
    readHead(head, outcome);
    if (m_failed)
        return outcome;
    if (!m_complete) {
        if (head.transportError != ErrorClass::None) {
            failOutcome(outcome, head.transportError,
                QStringLiteral("the stream broke off before its end: %1")
                    .arg(head.transportMessage));
        } else {
            failOutcome(outcome, ErrorClass::TruncatedStream,
                QStringLiteral("the stream ended without its terminal event (after %1 events)")
                    .arg(m_events));
        }
        return outcome;
    }
    settle(outcome);
    return outcome;
}

void SseStreamDecoder::emitText(const QString &delta)
{
    if (delta.isEmpty())
        return;
    m_outcome.text += delta;
    if (m_onText)
        m_onText(delta);
}

void SseStreamDecoder::failStream(ErrorClass errorClass, QString code, QString message)
{
    m_outcome.errorCode = std::move(code);
    failOutcome(m_outcome, errorClass, std::move(message));
    m_ended = true;
    m_failed = true;
}

void SseStreamDecoder::dispatch(const SseEvent &event)
{
    if (event.isDone()) {
        onDone();
        return;
    }
    QString error;
    const std::optional<QJsonObject> object = parseJsonObject(event.data, &error);
    if (!object) {
        failStream(ErrorClass::MalformedResponse, {},
            QStringLiteral("an event's data is %1: event '%2'")
                .arg(error, QString::fromUtf8(event.type)));
        return;
    }
    onEvent(*object, object->value(QLatin1StringView("type")).toString());
}

} // namespace sluice
