#include "providers/httptransport.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

Q_LOGGING_CATEGORY(lcNet, "sluice.net", QtInfoMsg)

namespace sluice {

namespace {

constexpr char kCallIdProperty[] = "sluiceCallId";

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
    : QObject(parent), m_manager(new QNetworkAccessManager(this))
{ }

HttpTransport::~HttpTransport()
{
    // Callbacks are not run for exchanges still open at destruction.
    for (Call &call : m_calls) {
        call.reply->disconnect(this);
        call.reply->abort();
    }
}

quint64 HttpTransport::post(const HttpRequest &request, Timeouts timeouts, Callback done)
{
    QNetworkRequest networkRequest(request.url);
    for (const auto &[name, value] : request.headers)
        networkRequest.setRawHeader(name, value);
    networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    networkRequest.setTransferTimeout(static_cast<int>(timeouts.idle.count()));

    const quint64 id = m_nextId++;
    QNetworkReply *reply = m_manager->post(networkRequest, request.body);
    reply->setProperty(kCallIdProperty, id);
    m_calls.insert(id, Call {reply, std::move(done), false});

    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, this, [this, id] {
        auto it = m_calls.find(id);
        if (it == m_calls.end())
            return;
        it->timedOut = true;
        it->reply->abort();
    });
    deadline->start(timeouts.total);

    connect(reply, &QNetworkReply::finished, this, [this, reply] { finish(reply); });
    return id;
}

void HttpTransport::cancel(quint64 id)
{
    if (auto it = m_calls.find(id); it != m_calls.end())
        it->reply->abort();
}

void HttpTransport::finish(QNetworkReply *reply)
{
    reply->deleteLater();
    const quint64 id = reply->property(kCallIdProperty).toULongLong();
    Call call = m_calls.take(id);
    if (!call.done)
        return;

    HttpResponse response;
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (response.status > 0) {
        response.headers = reply->rawHeaderPairs();
        response.body = reply->readAll();
    } else if (call.timedOut) {
        response.transportError = ErrorClass::Timeout;
        response.transportMessage = QStringLiteral("no complete answer within the total timeout");
    } else {
        response.transportError = classifyNetworkError(reply->error());
        response.transportMessage = reply->errorString();
        qCDebug(lcNet) << "exchange failed:" << reply->error() << reply->errorString();
    }
    call.done(std::move(response));
}

} // namespace sluice
