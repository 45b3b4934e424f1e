#include "providers/httptransport.h"

#include <QIODevice>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcNet, "sluice.net", QtInfoMsg)

namespace sluice {

using namespace std::chrono_literals;

namespace {

// A request body Qt can read once and never rewind. Qt re-sends a POST on a
// kept-alive connection that closed before the answer only if it can reset
// the upload; with this device it reports ContentReSendError instead, and the
// attempt is counted and classified like any other lost connection.
class OneShotBody final : public QIODevice
{
public:
    OneShotBody(QByteArray body, QObject *parent) : QIODevice(parent), m_body(std::move(body))
    {
        open(QIODevice::ReadOnly);
    }
    [[nodiscard]] bool isSequential() const override { return true; }
    [[nodiscard]] qint64 bytesAvailable() const override
    {
        return m_body.size() - m_offset + QIODevice::bytesAvailable();
    }
    bool reset() override { return false; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 count = std::min<qint64>(maxSize, m_body.size() - m_offset);
        std::copy_n(m_body.constData() + m_offset, count, data);
        m_offset += count;
        return count;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_body;
    qint64 m_offset = 0;
};

ErrorClass classifyNetworkError(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::TimeoutError:
        return ErrorClass::Timeout;
    case QNetworkReply::SslHandshakeFailedError:
        return ErrorClass::Tls;
    default:
        return ErrorClass::Network;
    }
}

} // namespace

HttpTransport::HttpTransport(QObject *parent)
    : HttpTransport(Settings {}, SteadyClock::instance(), parent)
{ }

HttpTransport::HttpTransport(Settings settings, const Clock &clock, QObject *parent)
    : QObject(parent), m_clock(clock), m_settings(settings)
{
    const int count = std::max(1, m_settings.managers);
    for (int i = 0; i < count; ++i)
        m_managers.push_back(new QNetworkAccessManager(this));
    m_load.assign(m_managers.size(), 0);
}

HttpTransport::~HttpTransport()
{
    // Callbacks are not run for exchanges still open at destruction.
    for (Call &call : m_calls) {
        call.reply->disconnect(this);
        call.reply->abort();
    }
}

int HttpTransport::leastLoadedManager() const
{
    return int(std::min_element(m_load.cbegin(), m_load.cend()) - m_load.cbegin());
}

void HttpTransport::failLater(const QString &message, Callback done)
{
    QTimer::singleShot(0, this, [message, done = std::move(done)] {
        HttpResponse response;
        response.transportError = ErrorClass::Timeout;
        response.transportMessage = message;
        done(std::move(response));
    });
}

quint64 HttpTransport::send(
    const HttpRequest &request, const Timeouts &timeouts, Callback done, StreamHandlers stream)
{
    const quint64 id = m_nextId++;
    std::chrono::milliseconds total = timeouts.total;
    if (timeouts.deadline) {
        const auto left
            = std::chrono::ceil<std::chrono::milliseconds>(*timeouts.deadline - m_clock.now());
        if (left <= 0ms) {
            failLater(QStringLiteral("request deadline passed before the attempt started"),
                std::move(done));
            return id;
        }
        total = std::min(total, left);
    }

    QNetworkRequest networkRequest(request.url);
    for (const auto &[name, value] : request.headers)
        networkRequest.setRawHeader(name, value);
    networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, m_settings.http2);
    // Our own timers below say which timeout passed; Qt's would not.
    networkRequest.setTransferTimeout(0);

    const int manager = leastLoadedManager();
    ++m_load[size_t(manager)];
    QNetworkAccessManager *network = m_managers[size_t(manager)];
    QNetworkReply *reply = nullptr;
    if (request.method == HttpRequest::Method::Get) {
        reply = network->get(networkRequest);
    } else {
        networkRequest.setHeader(QNetworkRequest::ContentLengthHeader, request.body.size());
        networkRequest.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        auto *body = new OneShotBody(request.body, nullptr);
        reply = network->post(networkRequest, body);
        body->setParent(reply);
    }

    Call call;
    call.reply = reply;
    call.manager = manager;
    call.done = std::move(done);
    call.stream = std::move(stream);
    call.timeouts = timeouts;
    call.phaseTimer = new QTimer(reply);
    call.phaseTimer->setSingleShot(true);
    m_calls.insert(id, std::move(call));

    auto *totalTimer = new QTimer(reply);
    totalTimer->setSingleShot(true);
    totalTimer->setTimerType(Qt::PreciseTimer); // a coarse timer may fire before the deadline
    const QString totalName = total < timeouts.total
        ? QStringLiteral("request deadline (%1 ms left for this attempt)").arg(total.count())
        : QStringLiteral("total timeout (%1 ms)").arg(total.count());
    connect(totalTimer, &QTimer::timeout, this, [this, id, totalName] { timeOut(id, totalName); });
    totalTimer->start(total);

    connect(reply, &QNetworkReply::socketStartedConnecting, this,
        [this, id] { enterPhase(id, Phase::Connecting); });
    connect(reply, &QNetworkReply::requestSent, this, [this, id] {
        auto it = m_calls.find(id);
        if (it == m_calls.end())
            return;
        qCDebug(lcNet) << "request" << id << "sent";
        if (it->stream.sent)
            it->stream.sent();
        enterPhase(id, Phase::AwaitingAnswer);
    });
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, id] { onMetaData(id); });
    connect(reply, &QNetworkReply::readyRead, this, [this, id] { onReadyRead(id); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { finish(id); });
    return id;
}

void HttpTransport::enterPhase(quint64 id, Phase phase)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    it->phase = phase;
    QTimer *timer = it->phaseTimer;
    timer->disconnect(this);
    QString name;
    std::chrono::milliseconds limit {};
    switch (phase) {
    case Phase::Queued:
        timer->stop();
        return;
    case Phase::Connecting:
        limit = it->timeouts.connect;
        name = QStringLiteral("connect timeout (%1 ms)");
        break;
    case Phase::AwaitingAnswer:
        limit = it->timeouts.firstByte;
        name = QStringLiteral("first-byte timeout (%1 ms)");
        break;
    case Phase::Receiving:
        limit = it->timeouts.idle;
        name = QStringLiteral("idle timeout (%1 ms without a byte)");
        break;
    }
    name = name.arg(limit.count());
    connect(timer, &QTimer::timeout, this, [this, id, name] { timeOut(id, name); });
    timer->start(limit);
}

void HttpTransport::onMetaData(quint64 id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end() || it->headersSeen)
        return;
    const int status = it->reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status <= 0)
        return;
    it->headersSeen = true;
    enterPhase(id, Phase::Receiving);
    if (it->stream.headers)
        it->stream.headers(status, it->reply->rawHeaderPairs());
}

void HttpTransport::onReadyRead(quint64 id)
{
    onMetaData(id);
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    enterPhase(id, Phase::Receiving); // restarts the idle timer
    const int status = it->reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (it->stream.data && status >= 200 && status < 300) {
        const QByteArray bytes = it->reply->readAll();
        if (!bytes.isEmpty())
            it->stream.data(bytes);
    }
}

void HttpTransport::timeOut(quint64 id, const QString &which)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end() || !it->timedOut.isEmpty())
        return;
    qCDebug(lcNet) << "request" << id << "ended by the" << which;
    it->timedOut = which;
    it->reply->abort();
}

void HttpTransport::cancel(quint64 id)
{
    if (auto it = m_calls.find(id); it != m_calls.end()) {
        it->cancelled = true;
        it->reply->abort();
    }
}

void HttpTransport::finish(quint64 id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    Call call = std::move(*it);
    m_calls.erase(it);
    --m_load[size_t(call.manager)];
    QNetworkReply *reply = call.reply;
    reply->disconnect(this);
    reply->deleteLater();

    HttpResponse response;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const bool streamed = call.stream.data && status >= 200 && status < 300;
    if (!call.timedOut.isEmpty()) {
        response.transportError = ErrorClass::Timeout;
        response.transportMessage = QStringLiteral("no complete answer: %1").arg(call.timedOut);
    } else if (call.cancelled) {
        response.transportError = ErrorClass::Network;
        response.transportMessage = QStringLiteral("cancelled");
    } else if (reply->error() == QNetworkReply::ContentReSendError) {
        response.transportError = ErrorClass::Network;
        response.transportMessage
            = QStringLiteral("the server closed the connection before answering (not re-sent)");
    } else if (status <= 0 || (streamed && reply->error() != QNetworkReply::NoError)) {
        // No answer, or a streamed body cut off by the network.
        response.transportError = classifyNetworkError(reply->error());
        response.transportMessage = reply->errorString();
        qCDebug(lcNet) << "exchange failed:" << reply->error() << reply->errorString();
    }
    // A plain body cut short is no answer (status 0, the transport's error);
    // a stream keeps its status, and its decoder reads the error beside it.
    if (status > 0 && (streamed || response.transportError == ErrorClass::None)) {
        response.status = status;
        response.headers = reply->rawHeaderPairs();
        const QByteArray rest = reply->isOpen() ? reply->readAll() : QByteArray();
        if (streamed) {
            if (!rest.isEmpty())
                call.stream.data(rest);
        } else if (response.transportError == ErrorClass::None) {
            response.body = rest;
        }
    }
    call.done(std::move(response));
}

} // namespace sluice
