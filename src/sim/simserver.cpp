#include "sim/simserver.h"

#include "sim/batchapi.h"
#include "sim/chatapi.h"
#include "sim/messagesapi.h"
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
const QString kChatPath = u"/v1/chat/completions"_s;
const QString kMessagesPath = u"/v1/messages"_s;

// The model endpoint a path names, if any.
std::optional<Dialect> dialectOf(const QString &path)
{
    if (path == kResponsesPath)
        return Dialect::Responses;
    if (path == kChatPath)
        return Dialect::Chat;
    if (path == kMessagesPath)
        return Dialect::Messages;
    return std::nullopt;
}

QString dialectName(Dialect dialect)
{
    switch (dialect) {
    case Dialect::Responses:
        return u"responses"_s;
    case Dialect::Chat:
        return u"chat"_s;
    case Dialect::Messages:
        return u"messages"_s;
    }
    return {};
}

// An RFC 3339 time `after` from now, as Anthropic's reset headers carry.
QByteArray rfc3339After(std::chrono::milliseconds after)
{
    return QDateTime::currentDateTimeUtc().addMSecs(after.count()).toString(Qt::ISODate).toLatin1();
}

// Entries GET /sim/log keeps (the oldest go first); the JSONL log keeps all.
constexpr qsizetype kMaxLogEntries = 10'000;

// Answer text per streamed delta event (about two tokens).
constexpr qsizetype kCharsPerDelta = 8;

// The longest per-request latency the x-sim-latency-ms header may ask for.
constexpr qint64 kMaxLatencyOverrideMs = 600'000;

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

QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &byte : raw)
        byte = char(QRandomGenerator::global()->bounded(256));
    return raw.toHex();
}

// One decided answer: status, body and headers, when to send it, what to log.
struct SimAnswer
{
    /// How the answer leaves: a JSON body, raw bytes (a broken body), an
    /// event stream, a reset connection, or nothing at all (a stall).
    enum class Kind { Json, Raw, Stream, Reset, Stall };
    Kind kind = Kind::Json;
    int status = 200;
    QJsonObject body;
    QByteArray raw;                              ///< Kind::Raw: the bytes sent as the body
    QByteArray contentType = "application/json"; ///< Kind::Json and Kind::Raw
    QList<SseEvent> events;                      ///< Kind::Stream
    /// Kind::Stream: events sent before the stall or the cut; Kind::Raw: bytes
    /// sent before the stall (the content-length announces them all).
    qsizetype streamStop = -1;
    bool stallAtStop = false;   ///< at streamStop: stall (true) or end the body cleanly (false)
    qsizetype malformedAt = -1; ///< Kind::Stream: this event's JSON is cut in half
    QList<std::pair<QByteArray, QByteArray>> headers;
    std::chrono::milliseconds delay {0};
    std::chrono::milliseconds perDelta {0}; ///< Kind::Stream: gap before each text delta
    QJsonObject log;                        ///< endpoint-specific fields of the log entry
};

namespace {

SimAnswer errorAnswer(const ApiError &error)
{
    SimAnswer answer;
    answer.status = error.status;
    answer.body = error.body();
    return answer;
}

// Text the simulator puts where a refusing model puts its refusal.
const QString kRefusal = u"I'm sorry, but I can't help with that request."_s;

// Faults that end the request before any answer is decided.
bool isEarlyFault(const QString &fault)
{
    static const QStringList early = {u"http500"_s, u"http502"_s, u"http503"_s, u"overloaded"_s,
        u"reset"_s, u"stall_headers"_s, u"rate_limited"_s, u"insufficient_quota"_s};
    return early.contains(fault);
}

SimAnswer earlyFaultAnswer(const QString &fault, Dialect dialect)
{
    SimAnswer answer;
    if (fault == u"reset") {
        answer.kind = SimAnswer::Kind::Reset;
    } else if (fault == u"stall_headers") {
        answer.kind = SimAnswer::Kind::Stall;
    } else if (fault == u"overloaded") {
        answer = errorAnswer(ApiError {529, u"The server is overloaded. Please try again later."_s,
            u"overloaded_error"_s, QJsonValue(), QJsonValue()});
    } else if (fault == u"rate_limited") {
        answer = errorAnswer(
            ApiError {429, u"Rate limit reached (simulated fault). Please try again in 1s."_s,
                u"requests"_s, QJsonValue(), u"rate_limit_exceeded"_s});
        if (dialect != Dialect::Messages)
            answer.headers.append({QByteArray("retry-after-ms"), QByteArray("1000")});
        answer.headers.append({QByteArray("retry-after"), QByteArray("1")});
    } else if (fault == u"insufficient_quota" && dialect == Dialect::Messages) {
        // Anthropic has no quota 429: an empty balance is a 400.
        answer = errorAnswer(ApiError {400,
            u"Your credit balance is too low to access the Anthropic API. Please go to Plans & "
            "Billing to upgrade or purchase credits."_s,
            u"invalid_request_error"_s, QJsonValue(), QJsonValue()});
    } else if (fault == u"insufficient_quota") {
        answer = errorAnswer(ApiError {429,
            u"You exceeded your current quota, please check your plan and billing details."_s,
            u"insufficient_quota"_s, QJsonValue(), u"insufficient_quota"_s});
    } else {
        const int status = fault.mid(4).toInt();
        answer = errorAnswer(ApiError {status,
            u"The server had an error while processing your request (simulated %1)."_s.arg(status),
            u"server_error"_s, QJsonValue(), QJsonValue()});
    }
    return answer;
}

// One SSE frame; `malformed` cuts its JSON in half (the malformed_json fault).
QByteArray sseFrame(const SseEvent &event, bool malformed)
{
    QByteArray json = event.isDone ? QByteArray("[DONE]")
                                   : QJsonDocument(event.data).toJson(QJsonDocument::Compact);
    if (malformed)
        json.truncate(json.size() / 2);
    const QByteArray eventLine
        = event.type.isEmpty() ? QByteArray() : "event: " + event.type + '\n';
    return eventLine + "data: " + json + "\n\n";
}

QByteArray httpChunk(const QByteArray &bytes)
{
    return QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n";
}

void writeAnswer(QHttpServerResponder &responder, const SimAnswer &answer)
{
    const QByteArray body = answer.kind == SimAnswer::Kind::Raw
        ? answer.raw
        : QJsonDocument(answer.body).toJson(QJsonDocument::Compact);
    responder.writeStatusLine(QHttpServerResponder::StatusCode(answer.status));
    responder.writeHeader("content-type", answer.contentType);
    responder.writeHeader("content-length", QByteArray::number(body.size()));
    for (const auto &[name, value] : answer.headers)
        responder.writeHeader(name, value);
    responder.writeBody(answer.stallAtStop ? body.left(answer.streamStop) : body);
}

// Keeps a responder alive, unanswered, until its client leaves.
void holdUntilClosed(const std::shared_ptr<QHttpServerResponder> &responder)
{
    QTcpSocket *socket = responder->socket();
    QObject::connect(socket, &QTcpSocket::disconnected, socket, [responder] {});
}

// A streamed answer in progress: the next event to write, and the guard.
struct StreamState
{
    std::shared_ptr<QHttpServerResponder> responder;
    QPointer<QTcpSocket> socket;
    SimAnswer answer;
    qsizetype next = 0;
};

// Writes the next event, then schedules the one after it (text deltas are
// paced by answer.perDelta). Every step first checks that the client is
// still there: QHttpServer 6.4 deletes the socket when it leaves.
void pumpStream(QObject *context, const std::shared_ptr<StreamState> &state)
{
    if (!state->socket || state->socket->state() != QAbstractSocket::ConnectedState) {
        qCDebug(lcSim, "client left mid-stream after %lld events", qint64(state->next));
        return;
    }
    const SimAnswer &answer = state->answer;
    if (state->next == answer.streamStop) {
        if (answer.stallAtStop) {
            holdUntilClosed(state->responder);
            return;
        }
        state->responder->writeBody(QByteArray("0\r\n\r\n")); // ends without a terminal event
        return;
    }
    if (state->next == answer.events.size()) {
        state->responder->writeBody(QByteArray("0\r\n\r\n"));
        return;
    }
    state->responder->writeBody(
        httpChunk(sseFrame(answer.events.at(state->next), state->next == answer.malformedAt)));
    ++state->next;
    const bool deltaNext
        = state->next < answer.events.size() && answer.events.at(state->next).isDelta;
    const std::chrono::milliseconds gap = deltaNext ? answer.perDelta : 0ms;
    QTimer::singleShot(gap, context, [context, state] { pumpStream(context, state); });
}

} // namespace

SimServer::SimServer(SimConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_http(new QHttpServer(this))
    , m_rates(std::make_unique<RateWindow>(
          qMax(0, m_config.requestsPerMinute), qMax(0, m_config.tokensPerMinute)))
    , m_batches(std::make_unique<BatchApi>(
          [this](const BatchLineCall &call) { return answerBatchLine(call); }, m_config.batchSpeed))
    , m_faultRates(m_config.faultRates)
    , m_seed(m_config.seed)
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

const QStringList &SimServer::faultNames()
{
    static const QStringList names = {u"http500"_s, u"http502"_s, u"http503"_s, u"overloaded"_s,
        u"reset"_s, u"stall_headers"_s, u"stall_stream"_s, u"truncate"_s, u"malformed_json"_s,
        u"schema_invalid"_s, u"refusal"_s, u"incomplete"_s, u"rate_limited"_s,
        u"insufficient_quota"_s};
    return names;
}

bool SimServer::scriptFaults(const QStringList &faults)
{
    for (const QString &fault : faults) {
        if (fault != u"none" && !faultNames().contains(fault))
            return false;
    }
    m_script = faults;
    return true;
}

QString SimServer::nextFault()
{
    if (!m_script.isEmpty()) {
        const QString fault = m_script.takeFirst();
        return fault == u"none" ? QString() : fault;
    }
    if (m_faultRates.isEmpty())
        return {};
    // One draw per request, from the seed and the request's position: the
    // same seed gives the same faults to the same sequence of requests.
    SeededRandom random(m_seed ^ (0x9e3779b97f4a7c15ULL * ++m_faultDraws));
    const double draw = double(random.next() >> 11) / double(1ULL << 53);
    double sum = 0;
    for (const QString &fault : faultNames()) {
        sum += m_faultRates.value(fault, 0.0);
        if (draw < sum)
            return fault;
    }
    return {};
}

void SimServer::reset()
{
    m_script.clear();
    m_faultRates = m_config.faultRates;
    m_seed = m_config.seed;
    m_faultDraws = 0;
    m_quotaRequestsUsed = 0;
    m_quotaTokensUsed = 0;
    m_requestCount = 0;
    m_entries = QJsonArray();
    m_batches->clear();
    m_batches->setSpeed(m_config.batchSpeed, BatchApi::Clock::now());
    m_rates = std::make_unique<RateWindow>(
        qMax(0, m_config.requestsPerMinute), qMax(0, m_config.tokensPerMinute));
}

void SimServer::handleControl(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const QString path = request.url().path();
    const auto method = request.method();
    auto reply = [&responder](int status, const QJsonObject &body) {
        SimAnswer answer;
        answer.status = status;
        answer.body = body;
        writeAnswer(responder, answer);
    };
    auto refuse = [&reply](int status, const QString &message) {
        reply(status,
            ApiError {status, message, u"invalid_request_error"_s, QJsonValue(), QJsonValue()}
                .body());
    };
    if (path == u"/sim/log" && method == QHttpServerRequest::Method::Get) {
        m_batches->advance(BatchApi::Clock::now()); // lines that came due are answered first
        reply(200, QJsonObject {{u"entries"_s, m_entries}});
    } else if (path == u"/sim/batch-speed" && method == QHttpServerRequest::Method::Post) {
        const QJsonObject body = QJsonDocument::fromJson(request.body()).object();
        BatchSpeed speed = m_batches->speed();
        const std::pair<QString, double *> fields[]
            = {{u"seconds_per_request"_s, &speed.secondsPerRequest},
                {u"validating_seconds"_s, &speed.validatingSeconds},
                {u"finalizing_seconds"_s, &speed.finalizingSeconds}};
        for (const auto &[name, field] : fields) {
            const QJsonValue value = body.value(name);
            if (value.isUndefined())
                continue;
            if (!value.isDouble() || value.toDouble() < 0)
                return refuse(400, u"'%1' must be a number of seconds >= 0."_s.arg(name));
            *field = value.toDouble();
        }
        m_batches->setSpeed(speed, BatchApi::Clock::now());
        reply(200,
            QJsonObject {{u"seconds_per_request"_s, speed.secondsPerRequest},
                {u"validating_seconds"_s, speed.validatingSeconds},
                {u"finalizing_seconds"_s, speed.finalizingSeconds}});
    } else if (path == u"/sim/batch-expire" && method == QHttpServerRequest::Method::Post) {
        reply(200, QJsonObject {{u"expired"_s, m_batches->expireAll(BatchApi::Clock::now())}});
    } else if (path == u"/sim/reset" && method == QHttpServerRequest::Method::Post) {
        reset();
        reply(200, QJsonObject {{u"reset"_s, true}});
    } else if (path == u"/sim/faults" && method == QHttpServerRequest::Method::Post) {
        QJsonParseError parseError {};
        const QJsonObject body = QJsonDocument::fromJson(request.body(), &parseError).object();
        if (parseError.error != QJsonParseError::NoError)
            return refuse(
                400, u"The body is not a JSON object: %1."_s.arg(parseError.errorString()));
        const QJsonObject rates = body.value(u"rates"_s).toObject();
        for (auto it = rates.begin(); it != rates.end(); ++it) {
            if (!faultNames().contains(it.key()) || !it.value().isDouble())
                return refuse(400, u"Unknown fault or non-numeric rate: '%1'."_s.arg(it.key()));
        }
        if (body.contains(u"script"_s)) {
            QStringList script;
            for (const QJsonValue &name : body.value(u"script"_s).toArray())
                script.append(name.toString());
            if (!scriptFaults(script)) {
                return refuse(400,
                    u"Unknown fault in the script; known: none, %1."_s.arg(
                        faultNames().join(u", "_s)));
            }
        }
        if (body.contains(u"rates"_s)) {
            m_faultRates.clear();
            for (auto it = rates.begin(); it != rates.end(); ++it)
                m_faultRates.insert(it.key(), it.value().toDouble());
        }
        if (body.contains(u"seed"_s)) {
            m_seed = quint64(body.value(u"seed"_s).toInteger());
            m_faultDraws = 0;
        }
        reply(200, QJsonObject {{u"script_length"_s, qint64(m_script.size())}});
    } else {
        refuse(404,
            u"Unknown control endpoint %1; sluice-sim serves POST /sim/faults, "
            "GET /sim/log, POST /sim/reset, POST /sim/batch-speed and POST "
            "/sim/batch-expire."_s.arg(path));
    }
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
    if (request.url().path().startsWith(u"/sim/")) {
        handleControl(request, responder);
        return;
    }
    const QString path = request.url().path();
    const auto dialect = dialectOf(path);
    if (dialect)
        ++m_requestCount;
    const bool anthropicBatch = BatchApi::isAnthropicPath(path);
    const bool anthropicShape = dialect == Dialect::Messages || anthropicBatch;
    const bool kept = dialect || anthropicBatch || BatchApi::isOpenAiPath(path);

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
    if (anthropicShape) {
        answer.headers.prepend({"request-id", requestId});
        if (answer.kind == SimAnswer::Kind::Json && answer.status >= 400) {
            const QJsonObject error = answer.body.value(u"error"_s).toObject();
            answer.log.insert(u"error_code"_s, error.value(u"code"_s));
            answer.body
                = anthropicErrorBody(ApiError {answer.status, error.value(u"message"_s).toString(),
                    error.value(u"type"_s).toString(), QJsonValue(), QJsonValue()});
        }
    }
    if (m_rates->isLimited() && dialect == Dialect::Messages) {
        const RateWindow::State state = m_rates->state(RateWindow::Clock::now());
        if (state.limitRequests > 0) {
            answer.headers.append(
                {"anthropic-ratelimit-requests-limit", QByteArray::number(state.limitRequests)});
            answer.headers.append({"anthropic-ratelimit-requests-remaining",
                QByteArray::number(state.remainingRequests)});
            answer.headers.append(
                {"anthropic-ratelimit-requests-reset", rfc3339After(state.resetRequests)});
        }
        if (state.limitTokens > 0) {
            answer.headers.append(
                {"anthropic-ratelimit-tokens-limit", QByteArray::number(state.limitTokens)});
            answer.headers.append({"anthropic-ratelimit-tokens-remaining",
                QByteArray::number(state.remainingTokens)});
            answer.headers.append(
                {"anthropic-ratelimit-tokens-reset", rfc3339After(state.resetTokens)});
        }
    } else if (m_rates->isLimited() && dialect) {
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
    if (const auto attempt = headerValue(request, "x-sluice-attempt-id"))
        entry.insert(u"attempt_id"_s, QString::fromLatin1(*attempt));
    if (answer.kind == SimAnswer::Kind::Json && answer.status >= 400 && !anthropicShape) {
        const QJsonObject error = answer.body.value(u"error"_s).toObject();
        entry.insert(u"error_code"_s, error.value(u"code"_s));
    }
    record(entry, kept);

    deliver(std::move(responder), std::move(answer));
}

void SimServer::record(const QJsonObject &entry, bool keep)
{
    if (m_log)
        m_log->write(entry);
    if (keep) {
        m_entries.append(entry);
        if (m_entries.size() > kMaxLogEntries)
            m_entries.removeFirst();
    }
    Q_EMIT requestServed(entry);
}

std::optional<SimAnswer> SimServer::refuseKey(
    const QHttpServerRequest &request, bool anthropic) const
{
    if (anthropic) {
        if (!m_config.requiredApiKey.isEmpty()) {
            const auto key = headerValue(request, "x-api-key");
            if (!key || *key != m_config.requiredApiKey) {
                return errorAnswer(
                    ApiError {401, key ? u"invalid x-api-key"_s : u"x-api-key header is required"_s,
                        u"authentication_error"_s, QJsonValue(), QJsonValue()});
            }
        }
        if (!headerValue(request, "anthropic-version")) {
            return errorAnswer(ApiError {400, u"anthropic-version: header is required"_s,
                u"invalid_request_error"_s, QJsonValue(), QJsonValue()});
        }
        return std::nullopt;
    }
    if (m_config.requiredApiKey.isEmpty())
        return std::nullopt;
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
    return std::nullopt;
}

BatchLineAnswer SimServer::answerBatchLine(const BatchLineCall &call)
{
    const Dialect dialect = *dialectOf(call.path); // the batch API only takes model endpoints
    SimAnswer answer = answerModel(call.body, dialect, false);
    if (answer.kind == SimAnswer::Kind::Stream) {
        answer = errorAnswer(ApiError {400,
            u"'stream' is not supported in a batch request; leave it out or set it to false."_s,
            u"invalid_request_error"_s, u"stream"_s, u"invalid_value"_s});
    } else if (answer.kind != SimAnswer::Kind::Json) {
        // A connection fault has no connection to break here: the line fails as a server error.
        answer = errorAnswer(ApiError {500,
            u"The server had an error while processing your request (simulated %1)."_s.arg(
                answer.log.value(u"fault"_s).toString()),
            u"server_error"_s, QJsonValue(), QJsonValue()});
    }
    const QByteArray requestId = "req_" + randomHex(16);
    QJsonObject entry = answer.log;
    entry.insert(u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    entry.insert(u"request_id"_s, QString::fromLatin1(requestId));
    entry.insert(u"method"_s, u"POST"_s);
    entry.insert(u"path"_s, call.path);
    entry.insert(u"status"_s, answer.status);
    entry.insert(u"batch_id"_s, call.batchId);
    entry.insert(u"custom_id"_s, call.customId);
    if (answer.status >= 400) {
        const QJsonObject error = answer.body.value(u"error"_s).toObject();
        entry.insert(u"error_code"_s, error.value(u"code"_s));
        if (dialect == Dialect::Messages) {
            answer.body
                = anthropicErrorBody(ApiError {answer.status, error.value(u"message"_s).toString(),
                    error.value(u"type"_s).toString(), QJsonValue(), QJsonValue()});
        }
    }
    record(entry, true);
    return BatchLineAnswer {answer.status, answer.body, QString::fromLatin1(requestId)};
}

SimAnswer SimServer::decide(const QHttpServerRequest &request)
{
    const QString path = request.url().path();
    const QByteArray method = methodName(request.method());

    const bool anthropicBatch = BatchApi::isAnthropicPath(path);
    if (anthropicBatch || BatchApi::isOpenAiPath(path)) {
        if (auto refused = refuseKey(request, anthropicBatch))
            return *refused;
        const BatchReply reply = m_batches->handle(method, path,
            headerValue(request, "content-type").value_or(QByteArray()), request.body(), baseUrl());
        SimAnswer answer;
        answer.status = reply.status;
        answer.body = reply.body;
        answer.log = reply.log;
        if (!reply.contentType.isEmpty()) {
            answer.kind = SimAnswer::Kind::Raw;
            answer.raw = reply.raw;
            answer.contentType = reply.contentType;
        }
        return answer;
    }

    struct Route
    {
        QString path;
        QHttpServerRequest::Method method;
    };
    static const QList<Route> routes = {{kResponsesPath, QHttpServerRequest::Method::Post},
        {kChatPath, QHttpServerRequest::Method::Post},
        {kMessagesPath, QHttpServerRequest::Method::Post},
        {u"/v1/models"_s, QHttpServerRequest::Method::Get}};
    const auto route = std::find_if(
        routes.cbegin(), routes.cend(), [&path](const Route &r) { return r.path == path; });
    if (route == routes.cend()) {
        return errorAnswer(ApiError {404,
            u"Invalid URL (%1 %2). sluice-sim serves POST /v1/responses, POST "
            "/v1/chat/completions, POST /v1/messages, GET /v1/models and the batch APIs "
            "(/v1/files, /v1/batches, /v1/messages/batches)."_s.arg(
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

    const auto dialect = dialectOf(path);
    if (auto refused = refuseKey(request, dialect == Dialect::Messages))
        return *refused;

    if (!dialect)
        return answerModels();
    return answerModel(request.body(), *dialect, true);
}

SimAnswer SimServer::answerModel(const QByteArray &body, Dialect dialect, bool live)
{
    // Each dialect parses into the common call; the answer is then shaped back.
    ChatRequest chat;
    MessagesRequest messages;
    ResponsesRequest call;
    if (dialect == Dialect::Responses) {
        const auto parsed = parseResponsesRequest(body);
        if (const auto *error = std::get_if<ApiError>(&parsed))
            return errorAnswer(*error);
        call = std::get<ResponsesRequest>(parsed);
    } else if (dialect == Dialect::Chat) {
        const auto parsed = parseChatRequest(body);
        if (const auto *error = std::get_if<ApiError>(&parsed))
            return errorAnswer(*error);
        chat = std::get<ChatRequest>(parsed);
        call = chat.call;
    } else {
        const auto parsed = parseMessagesRequest(body);
        if (const auto *error = std::get_if<ApiError>(&parsed))
            return errorAnswer(*error);
        messages = std::get<MessagesRequest>(parsed);
        call = messages.call;
    }

    const QString fault = nextFault();
    QJsonObject log {{u"model"_s, call.model},
        {u"input_sha256"_s, QString::fromLatin1(inputDigest(call))},
        {u"input_tokens"_s, inputTokens(call)}, {u"dialect"_s, dialectName(dialect)},
        {u"stream"_s, call.stream}, {u"fault"_s, fault.isEmpty() ? QJsonValue() : fault}};

    if (isEarlyFault(fault)) {
        SimAnswer answer = earlyFaultAnswer(fault, dialect);
        answer.log = log;
        return answer;
    }
    // A batch line meets neither the live quota nor the live rate limits.
    const bool overRequests
        = live && m_config.quotaRequests > 0 && m_quotaRequestsUsed >= m_config.quotaRequests;
    const bool overTokens
        = live && m_config.quotaTokens > 0 && m_quotaTokensUsed >= m_config.quotaTokens;
    if (overRequests || overTokens) {
        SimAnswer answer = earlyFaultAnswer(u"insufficient_quota"_s, dialect);
        answer.log = log;
        return answer;
    }

    const auto limited
        = live ? m_rates->admit(RateWindow::Clock::now(), arrivalTokens(call)) : std::nullopt;
    if (limited) {
        SimAnswer answer = errorAnswer(ApiError {429, QString::fromUtf8(limited->message),
            QString::fromLatin1(limited->type), QJsonValue(), u"rate_limit_exceeded"_s});
        const qint64 milliseconds = limited->retryAfter.count();
        if (dialect != Dialect::Messages)
            answer.headers.append({"retry-after-ms", QByteArray::number(milliseconds)});
        answer.headers.append({"retry-after", QByteArray::number((milliseconds + 999) / 1000)});
        answer.log = log;
        return answer;
    }

    ResponsesRequest shaped = call;
    QString text = answerText(call);
    if (fault == u"schema_invalid")
        text = u"{\"sluice_sim_fault\":\"schema_invalid\"}"_s;
    if (fault == u"incomplete") // stops at half the answer, as the output limit would
        shaped.maxOutputTokens = qMax<qint64>(1, estimateTokens(text.size()) / 2);
    const bool refusal = fault == u"refusal";
    if (refusal)
        text = kRefusal;
    QJsonObject response;
    qint64 outputTokens = 0;
    qint64 totalTokens = 0;
    QList<SseEvent> events;
    if (dialect == Dialect::Responses) {
        response = responseObject(shaped, text, "resp_" + randomHex(24), "msg_" + randomHex(24),
            QDateTime::currentSecsSinceEpoch());
        if (refusal) {
            QJsonArray output = response.value(u"output"_s).toArray();
            QJsonObject message = output.at(0).toObject();
            message.insert(u"content"_s,
                QJsonArray {QJsonObject {{u"type"_s, u"refusal"_s}, {u"refusal"_s, kRefusal}}});
            output.replace(0, message);
            response.insert(u"output"_s, output);
        }
        const QJsonObject usage = response.value(u"usage"_s).toObject();
        outputTokens = usage.value(u"output_tokens"_s).toInteger();
        totalTokens = usage.value(u"total_tokens"_s).toInteger();
        log.insert(u"response_status"_s, response.value(u"status"_s));
        if (call.stream)
            events = responsesStreamEvents(response, kCharsPerDelta);
    } else if (dialect == Dialect::Chat) {
        chat.call = shaped;
        response = chatCompletionObject(
            chat, text, refusal, "chatcmpl-" + randomHex(12), QDateTime::currentSecsSinceEpoch());
        const QJsonObject usage = response.value(u"usage"_s).toObject();
        outputTokens = usage.value(u"completion_tokens"_s).toInteger();
        totalTokens = usage.value(u"total_tokens"_s).toInteger();
        log.insert(u"response_status"_s, response[u"choices"_s][0][u"finish_reason"_s]);
        if (call.stream)
            events = chatStreamEvents(response, chat.includeUsage, kCharsPerDelta);
    } else {
        messages.call = shaped;
        response = messageObject(messages, text, refusal, "msg_" + randomHex(12));
        const QJsonObject usage = response.value(u"usage"_s).toObject();
        outputTokens = usage.value(u"output_tokens"_s).toInteger();
        totalTokens = outputTokens + usage.value(u"input_tokens"_s).toInteger();
        log.insert(u"response_status"_s, response.value(u"stop_reason"_s));
        if (call.stream)
            events = messagesStreamEvents(response, kCharsPerDelta);
    }
    if (live) {
        m_quotaRequestsUsed += 1;
        m_quotaTokensUsed += totalTokens;
    }
    log.insert(u"output_tokens"_s, outputTokens);

    SimAnswer answer;
    answer.log = log;
    answer.body = response;
    if (call.stream) {
        answer.kind = SimAnswer::Kind::Stream;
        answer.events = events;
        if (m_config.tokensPerSecond > 0) {
            const qint64 tokensPerDelta = estimateTokens(kCharsPerDelta);
            answer.perDelta
                = std::chrono::milliseconds(tokensPerDelta * 1000 / m_config.tokensPerSecond);
        }
        if (fault == u"malformed_json")
            answer.malformedAt = answer.events.size() / 2;
        if (fault == u"stall_stream" || fault == u"truncate") {
            answer.streamStop = answer.events.size() / 2;
            answer.stallAtStop = fault == u"stall_stream";
        }
        return answer;
    }
    if (fault == u"malformed_json" || fault == u"truncate" || fault == u"stall_stream") {
        const QByteArray body = QJsonDocument(response).toJson(QJsonDocument::Compact);
        answer.kind = SimAnswer::Kind::Raw;
        answer.raw = fault == u"stall_stream" ? body : body.left(body.size() / 2);
        if (fault == u"stall_stream") {
            answer.streamStop = body.size() / 2;
            answer.stallAtStop = true;
        }
    }
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
    // QHttpServer 6.4 deletes the socket when the client leaves; the
    // responder keeps a raw pointer to it, so the QPointer decides.
    auto shared = std::make_shared<QHttpServerResponder>(std::move(responder));
    QPointer<QTcpSocket> socket = shared->socket();
    const std::chrono::milliseconds delay = answer.delay;
    QTimer::singleShot(delay, this, [this, shared, socket, answer = std::move(answer)] {
        if (!socket || socket->state() != QAbstractSocket::ConnectedState) {
            qCDebug(lcSim, "client left before its delayed answer");
            return;
        }
        switch (answer.kind) {
        case SimAnswer::Kind::Reset:
            socket->abort();
            return;
        case SimAnswer::Kind::Stall:
            holdUntilClosed(shared);
            return;
        case SimAnswer::Kind::Json:
        case SimAnswer::Kind::Raw:
            writeAnswer(*shared, answer);
            if (answer.stallAtStop)
                holdUntilClosed(shared);
            return;
        case SimAnswer::Kind::Stream:
            break;
        }
        shared->writeStatusLine(QHttpServerResponder::StatusCode::Ok);
        shared->writeHeader("content-type", "text/event-stream; charset=utf-8");
        shared->writeHeader("cache-control", "no-cache");
        shared->writeHeader("transfer-encoding", "chunked");
        for (const auto &[name, value] : answer.headers)
            shared->writeHeader(name, value);
        auto state = std::make_shared<StreamState>(StreamState {shared, socket, answer, 0});
        pumpStream(this, state);
    });
}

} // namespace sluice::sim
