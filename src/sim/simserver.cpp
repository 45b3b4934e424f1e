#include "sim/simserver.h"

#include "sim/ratewindow.h"
#include "sim/requestlog.h"
#include "sim/responsesapi.h"
#include "sim/seededrandom.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace sluice::sim {

Q_LOGGING_CATEGORY(lcSim, "sluice.sim", QtInfoMsg)

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QStringList kModels = {u"sim-small"_s, u"sim-large"_s};
const QString kResponsesPath = u"/v1/responses"_s;

// The longest per-request latency the x-sim-latency-ms header may ask for.
constexpr qint64 kMaxLatencyOverrideMs = 600'000;

QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &byte : raw)
        byte = char(QRandomGenerator::global()->bounded(256));
    return raw.toHex();
}

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

// Header lookup by name, ignoring case as HTTP does.
std::optional<QByteArray> headerValue(const QHttpServerRequest &request, QByteArrayView name)
{
    const auto headers = request.headers();
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> latencyOverride(const QByteArray &value)
{
    bool ok = false;
    const qint64 milliseconds = value.trimmed().toLongLong(&ok);
    if (!ok || milliseconds < 0 || milliseconds > kMaxLatencyOverrideMs)
        return std::nullopt;
    return std::chrono::milliseconds(milliseconds);
}

} // namespace

// One decided answer: status, body and headers, when to send it, what to log.
struct SimAnswer
{
    int status = 200;
    QJsonObject body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    std::chrono::milliseconds delay {0};
    QJsonObject log; ///< endpoint-specific fields of the log entry
};

namespace {

SimAnswer errorAnswer(const ApiError &error)
{
    SimAnswer answer;
    answer.status = error.status;
    answer.body = error.body();
    return answer;
}

void writeAnswer(QHttpServerResponder &responder, const SimAnswer &answer)
{
    const QByteArray body = QJsonDocument(answer.body).toJson(QJsonDocument::Compact);
    responder.writeStatusLine(QHttpServerResponder::StatusCode(answer.status));
    responder.writeHeader("content-type", "application/json");
    responder.writeHeader("content-length", QByteArray::number(body.size()));
    for (const auto &[name, value] : answer.headers)
        responder.writeHeader(name, value);
    responder.writeBody(body);
}

} // namespace

SimServer::SimServer(SimConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_http(new QHttpServer(this))
    , m_rates(std::make_unique<RateWindow>(
          qMax(0, m_config.requestsPerMinute), qMax(0, m_config.tokensPerMinute)))
{
    // No routes are registered: every request lands here, so that 404, 405
    // and the endpoints share one routing table (decide()).
    m_http->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handle(request, std::move(responder));
        });
}

SimServer::~SimServer() = default;

bool SimServer::listen(quint16 port, const QHostAddress &address)
{
    if (m_tcp) {
        m_errorString = u"already listening on port %1"_s.arg(m_tcp->serverPort());
        return false;
    }
    if (!m_config.logPath.isEmpty()) {
        auto log = std::make_unique<RequestLog>();
        if (!log->open(m_config.logPath)) {
            m_errorString
                = u"cannot open the request log %1: %2"_s.arg(m_config.logPath, log->errorString());
            return false;
        }
        m_log = std::move(log);
    }
    auto *tcp = new QTcpServer(this);
    if (!tcp->listen(address, port)) {
        m_errorString = u"cannot listen on %1:%2: %3"_s.arg(address.toString())
                            .arg(port)
                            .arg(tcp->errorString());
        delete tcp;
        return false;
    }
    m_tcp = tcp;
    m_http->bind(m_tcp);
    qCDebug(lcSim, "listening on %ls", qUtf16Printable(baseUrl().toString()));
    return true;
}

QString SimServer::errorString() const
{
    return m_errorString;
}

quint16 SimServer::port() const
{
    return m_tcp ? m_tcp->serverPort() : 0;
}

QUrl SimServer::baseUrl() const
{
    if (!m_tcp)
        return QUrl();
    QHostAddress host = m_tcp->serverAddress();
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress(QHostAddress::LocalHost);
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress(QHostAddress::LocalHostIPv6);
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(host.toString());
    url.setPort(m_tcp->serverPort());
    url.setPath(u"/v1"_s);
    return url;
}

qint64 SimServer::requestCount() const
{
    return m_requestCount;
}

std::chrono::milliseconds SimServer::configuredDelay(const QHttpServerRequest &request) const
{
    // The jitter is drawn from the request itself: the same request waits the
    // same time in every run.
    qint64 milliseconds = m_config.latency.count();
    if (m_config.latencyJitter > 0ms) {
        const QByteArray key = request.url().path().toUtf8() + '\n' + request.body();
        SeededRandom random(
            SeededRandom::seedFrom(QCryptographicHash::hash(key, QCryptographicHash::Sha256)));
        const qint64 jitter = m_config.latencyJitter.count();
        milliseconds += random.between(-jitter, jitter);
    }
    return std::chrono::milliseconds(qMax<qint64>(0, milliseconds));
}

void SimServer::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (request.url().path() == kResponsesPath)
        ++m_requestCount;

    // A bad x-sim-latency-ms header is refused before the rate window sees
    // the request.
    const auto override = headerValue(request, "x-sim-latency-ms");
    const auto overrideDelay = override ? latencyOverride(*override) : std::nullopt;
    SimAnswer answer;
    if (override && !overrideDelay) {
        answer = errorAnswer(ApiError {400,
            u"Invalid header x-sim-latency-ms: '%1'. Send whole milliseconds from 0 to %2."_s
                .arg(QString::fromLatin1(*override))
                .arg(kMaxLatencyOverrideMs),
            u"invalid_request_error"_s, QJsonValue(), u"invalid_value"_s});
    } else {
        answer = decide(request);
    }
    answer.delay = overrideDelay.value_or(configuredDelay(request));

    const QByteArray requestId = "req_" + randomHex(16);
    answer.headers.prepend({"x-request-id", requestId});
    if (m_rates->isLimited()) {
        const RateWindow::State state = m_rates->state(RateWindow::Clock::now());
        if (state.limitRequests > 0) {
            answer.headers.append(
                {"x-ratelimit-limit-requests", QByteArray::number(state.limitRequests)});
            answer.headers.append(
                {"x-ratelimit-remaining-requests", QByteArray::number(state.remainingRequests)});
            answer.headers.append({"x-ratelimit-reset-requests", goDuration(state.resetRequests)});
        }
        if (state.limitTokens > 0) {
            answer.headers.append(
                {"x-ratelimit-limit-tokens", QByteArray::number(state.limitTokens)});
            answer.headers.append(
                {"x-ratelimit-remaining-tokens", QByteArray::number(state.remainingTokens)});
            answer.headers.append({"x-ratelimit-reset-tokens", goDuration(state.resetTokens)});
        }
    }

    QJsonObject entry = answer.log;
    entry.insert(u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    entry.insert(u"request_id"_s, QString::fromLatin1(requestId));
    entry.insert(u"method"_s, QString::fromLatin1(methodName(request.method())));
    entry.insert(u"path"_s, request.url().path());
    entry.insert(u"status"_s, answer.status);
    entry.insert(u"delay_ms"_s, qint64(answer.delay.count()));
    if (answer.status >= 400) {
        const QJsonObject error = answer.body.value(u"error"_s).toObject();
        entry.insert(u"error_code"_s, error.value(u"code"_s));
    }
    if (m_log)
        m_log->write(entry);
    Q_EMIT requestServed(entry);

    deliver(std::move(responder), std::move(answer));
}

SimAnswer SimServer::decide(const QHttpServerRequest &request)
{
    const QString path = request.url().path();
    const QByteArray method = methodName(request.method());

    struct Route
    {
        QString path;
        QHttpServerRequest::Method method;
    };
    static const QList<Route> routes = {{kResponsesPath, QHttpServerRequest::Method::Post},
        {u"/v1/models"_s, QHttpServerRequest::Method::Get}};
    const auto route = std::find_if(
        routes.cbegin(), routes.cend(), [&path](const Route &r) { return r.path == path; });
    if (route == routes.cend()) {
        return errorAnswer(ApiError {404,
            u"Invalid URL (%1 %2). sluice-sim serves POST /v1/responses and GET /v1/models."_s.arg(
                QString::fromLatin1(method), path),
            u"invalid_request_error"_s, QJsonValue(), QJsonValue()});
    }
    if (request.method() != route->method) {
        const QByteArray allowed = methodName(route->method);
        SimAnswer answer = errorAnswer(ApiError {405,
            u"Method %1 is not allowed on %2; use %3."_s.arg(
                QString::fromLatin1(method), path, QString::fromLatin1(allowed)),
            u"invalid_request_error"_s, QJsonValue(), u"method_not_allowed"_s});
        answer.headers.append({"allow", allowed});
        return answer;
    }

    if (!m_config.requiredApiKey.isEmpty()) {
        const auto authorization = headerValue(request, "authorization");
        if (!authorization) {
            return errorAnswer(ApiError {401,
                u"You didn't provide an API key. Send it in the Authorization header as "
                "'Bearer YOUR_KEY'."_s,
                u"invalid_request_error"_s, QJsonValue(), QJsonValue()});
        }
        // Never echo the key, not even in part.
        if (*authorization != "Bearer " + m_config.requiredApiKey) {
            return errorAnswer(ApiError {401,
                u"Incorrect API key provided. Check the key this sluice-sim was started with."_s,
                u"invalid_request_error"_s, QJsonValue(), u"invalid_api_key"_s});
        }
    }

    if (path == u"/v1/models")
        return answerModels();
    return answerResponses(request);
}

SimAnswer SimServer::answerResponses(const QHttpServerRequest &request)
{
    const auto parsed = parseResponsesRequest(request.body());
    if (const auto *error = std::get_if<ApiError>(&parsed))
        return errorAnswer(*error);
    const ResponsesRequest &call = std::get<ResponsesRequest>(parsed);

    QJsonObject log {{u"model"_s, call.model},
        {u"input_sha256"_s, QString::fromLatin1(inputDigest(call))},
        {u"input_tokens"_s, inputTokens(call)}};

    if (const auto refusal = m_rates->admit(RateWindow::Clock::now(), arrivalTokens(call))) {
        SimAnswer answer = errorAnswer(ApiError {429, QString::fromUtf8(refusal->message),
            QString::fromLatin1(refusal->type), QJsonValue(), u"rate_limit_exceeded"_s});
        const qint64 milliseconds = refusal->retryAfter.count();
        answer.headers.append({"retry-after-ms", QByteArray::number(milliseconds)});
        answer.headers.append({"retry-after", QByteArray::number((milliseconds + 999) / 1000)});
        answer.log = log;
        return answer;
    }

    const QJsonObject response = responseObject(call, answerText(call), "resp_" + randomHex(24),
        "msg_" + randomHex(24), QDateTime::currentSecsSinceEpoch());
    const QJsonObject usage = response.value(u"usage"_s).toObject();
    log.insert(u"output_tokens"_s, usage.value(u"output_tokens"_s));
    log.insert(u"response_status"_s, response.value(u"status"_s));
    SimAnswer answer;
    answer.body = response;
    answer.log = log;
    return answer;
}

SimAnswer SimServer::answerModels() const
{
    QJsonArray data;
    for (const QString &model : kModels) {
        data.append(QJsonObject {{u"id"_s, model}, {u"object"_s, u"model"_s}, {u"created"_s, 0},
            {u"owned_by"_s, u"sluice-sim"_s}});
    }
    SimAnswer answer;
    answer.body = QJsonObject {{u"object"_s, u"list"_s}, {u"data"_s, data}};
    return answer;
}

void SimServer::deliver(QHttpServerResponder &&responder, SimAnswer answer)
{
    if (answer.delay <= 0ms) {
        writeAnswer(responder, answer);
        return;
    }
    // QHttpServer 6.4 deletes the socket when the client leaves; the
    // responder keeps a raw pointer to it, so the QPointer decides.
    auto shared = std::make_shared<QHttpServerResponder>(std::move(responder));
    QPointer<QTcpSocket> socket = shared->socket();
    const std::chrono::milliseconds delay = answer.delay;
    QTimer::singleShot(delay, this, [shared, socket, answer = std::move(answer)] {
        if (!socket || socket->state() != QAbstractSocket::ConnectedState) {
            qCDebug(lcSim, "client left before its delayed answer");
            return;
        }
        writeAnswer(*shared, answer);
    });
}

} // namespace sluice::sim
