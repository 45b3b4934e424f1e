// SimServer streaming and faults through real HTTP: the Responses, Chat
// Completions and Anthropic Messages streams in order with their final usage,
// structured output in each dialect, every fault, the control endpoints,
// seeded fault rates, quotas, and a client that leaves mid-stream.
#include "sim/simserver.h"
#include "simtesting.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace sluice::sim;
using namespace sluice::sim::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

struct Exchange
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    int reads = 0; ///< readyRead signals: more than one for a paced stream
    bool finished = false;
    QHash<QByteArray, QByteArray> headers;

    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    [[nodiscard]] QString errorCode() const
    {
        return json().value(u"error"_s).toObject().value(u"code"_s).toString();
    }
};

struct Event
{
    QString type;
    QJsonObject data;
    bool valid = false;
};

// Splits an SSE body into events: an optional `event:` line and one `data:`
// line per frame (as the simulator writes them); `[DONE]` has type "[DONE]".
QList<Event> events(const QByteArray &body)
{
    QList<Event> result;
    for (const QByteArray &frame : body.split('\n')) {
        if (frame.startsWith("event: ")) {
            result.append(Event {QString::fromUtf8(frame.mid(7)), {}, false});
        } else if (frame.startsWith("data: ")) {
            if (result.isEmpty() || result.last().valid || !result.last().data.isEmpty())
                result.append(Event {});
            if (frame == "data: [DONE]") {
                result.last().type = u"[DONE]"_s;
                result.last().valid = true;
                continue;
            }
            QJsonParseError error {};
            result.last().data = QJsonDocument::fromJson(frame.mid(6), &error).object();
            result.last().valid = error.error == QJsonParseError::NoError;
        }
    }
    return result;
}

QByteArray request(bool stream, const QJsonObject &extra = {})
{
    QJsonObject body {{u"model"_s, u"sim-small"_s},
        {u"input"_s, u"Tell me about rivers and their mouths."_s}, {u"stream"_s, stream}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace

class TestSimFaults : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;

    std::unique_ptr<SimServer> start(SimConfig config = {}) { return startSim(std::move(config)); }

    // Sends and waits for the end, or gives up (aborting) after `patienceMs`.
    Exchange send(const SimServer &server, const QByteArray &verb, const QString &path,
        const QByteArray &body, int patienceMs = 10'000,
        const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        const QNetworkRequest networkRequest = simRequest(server, path, headers);
        QNetworkReply *reply = m_network.sendCustomRequest(networkRequest, verb, body);
        auto exchange = std::make_shared<Exchange>();
        connect(reply, &QNetworkReply::readyRead, reply, [reply, exchange] {
            ++exchange->reads;
            exchange->body += reply->readAll();
        });
        QSignalSpy finished(reply, &QNetworkReply::finished);
        exchange->finished = finished.wait(patienceMs);
        if (!exchange->finished)
            reply->abort();
        exchange->status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        exchange->error = reply->error();
        if (reply->isOpen())
            exchange->body += reply->readAll();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            exchange->headers.insert(name.toLower(), value);
        reply->deleteLater();
        return *exchange;
    }

    Exchange post(const SimServer &server, const QByteArray &body, int patienceMs = 10'000)
    {
        return send(server, "POST", u"/v1/responses"_s, body, patienceMs);
    }

    Exchange chat(const SimServer &server, const QJsonObject &body)
    {
        return send(server, "POST", u"/v1/chat/completions"_s,
            QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    Exchange messages(const SimServer &server, const QJsonObject &body,
        QList<std::pair<QByteArray, QByteArray>> headers = {{"anthropic-version", "2023-06-01"}})
    {
        return send(server, "POST", u"/v1/messages"_s,
            QJsonDocument(body).toJson(QJsonDocument::Compact), 10'000, headers);
    }

    static QJsonObject riverSchema()
    {
        return QJsonObject {{u"type"_s, u"object"_s},
            {u"properties"_s,
                QJsonObject {{u"name"_s, QJsonObject {{u"type"_s, u"string"_s}}},
                    {u"length_km"_s, QJsonObject {{u"type"_s, u"integer"_s}}}}},
            {u"required"_s, QJsonArray {u"name"_s, u"length_km"_s}},
            {u"additionalProperties"_s, false}};
    }

    static QJsonObject chatBody(bool stream)
    {
        return QJsonObject {{u"model"_s, u"sim-small"_s},
            {u"messages"_s,
                QJsonArray {QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, u"Be brief."_s}},
                    QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Name a river."_s}}}},
            {u"stream"_s, stream}, {u"stream_options"_s, QJsonObject {{u"include_usage"_s, true}}}};
    }

    static QJsonObject messagesBody(bool stream)
    {
        return QJsonObject {{u"model"_s, u"sim-small"_s}, {u"max_tokens"_s, 200},
            {u"messages"_s,
                QJsonArray {
                    QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Name a river."_s}}}},
            {u"stream"_s, stream}};
    }

    void script(const SimServer &server, const QJsonObject &control)
    {
        const Exchange reply = send(server, "POST", u"/sim/faults"_s,
            QJsonDocument(control).toJson(QJsonDocument::Compact));
        QCOMPARE(reply.status, 200);
    }

    QJsonArray logOf(const SimServer &server)
    {
        return send(server, "GET", u"/sim/log"_s, {}).json().value(u"entries"_s).toArray();
    }

private Q_SLOTS:
    void streamArrivesInOrderWithFinalUsage()
    {
        SimConfig config;
        config.tokensPerSecond = 400;
        const auto server = start(config);
        const Exchange reply = post(*server, request(true));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.headers.value("content-type").startsWith("text/event-stream"));
        QVERIFY2(reply.reads > 1, "a paced stream arrives in pieces");

        const QList<Event> stream = events(reply.body);
        QVERIFY(stream.size() >= 9);
        QStringList types;
        QString deltas;
        for (qsizetype i = 0; i < stream.size(); ++i) {
            QVERIFY(stream[i].valid);
            QCOMPARE(stream[i].data.value(u"type"_s).toString(), stream[i].type);
            QCOMPARE(stream[i].data.value(u"sequence_number"_s).toInteger(), qint64(i));
            if (types.isEmpty() || types.last() != stream[i].type)
                types.append(stream[i].type);
            if (stream[i].type == u"response.output_text.delta")
                deltas += stream[i].data.value(u"delta"_s).toString();
        }
        QCOMPARE(types,
            (QStringList {u"response.created"_s, u"response.in_progress"_s,
                u"response.output_item.added"_s, u"response.content_part.added"_s,
                u"response.output_text.delta"_s, u"response.output_text.done"_s,
                u"response.content_part.done"_s, u"response.output_item.done"_s,
                u"response.completed"_s}));
        const QJsonObject final = stream.last().data.value(u"response"_s).toObject();
        QCOMPARE(final.value(u"status"_s).toString(), u"completed"_s);
        const QString text = final.value(u"output"_s)[0][u"content"_s][0][u"text"_s].toString();
        QCOMPARE(deltas, text);
        const QJsonObject usage = final.value(u"usage"_s).toObject();
        QVERIFY(usage.value(u"output_tokens"_s).toInteger() > 0);
        QCOMPARE(usage.value(u"total_tokens"_s).toInteger(),
            usage.value(u"input_tokens"_s).toInteger()
                + usage.value(u"output_tokens"_s).toInteger());
        QVERIFY(stream.first().data.value(u"response"_s).toObject().value(u"usage"_s).isNull());
    }

    void chatPlainAndStructured()
    {
        const auto server = start();
        const QJsonObject plain = chat(*server, chatBody(false)).json();
        QCOMPARE(plain[u"object"_s].toString(), u"chat.completion"_s);
        QCOMPARE(plain[u"choices"_s][0][u"finish_reason"_s].toString(), u"stop"_s);
        QVERIFY(!plain[u"choices"_s][0][u"message"_s][u"content"_s].toString().isEmpty());
        QCOMPARE(plain[u"usage"_s][u"total_tokens"_s].toInteger(),
            plain[u"usage"_s][u"prompt_tokens"_s].toInteger()
                + plain[u"usage"_s][u"completion_tokens"_s].toInteger());

        QJsonObject body = chatBody(false);
        body.insert(u"response_format"_s,
            QJsonObject {{u"type"_s, u"json_schema"_s},
                {u"json_schema"_s,
                    QJsonObject {{u"name"_s, u"river"_s}, {u"strict"_s, true},
                        {u"schema"_s, riverSchema()}}}});
        const QJsonObject structured = chat(*server, body).json();
        const QJsonObject river = QJsonDocument::fromJson(
            structured[u"choices"_s][0][u"message"_s][u"content"_s].toString().toUtf8())
                                      .object();
        QVERIFY(river[u"name"_s].isString());
        QVERIFY(river[u"length_km"_s].isDouble());
    }

    void chatStreamEndsWithUsageAndDone()
    {
        const auto server = start();
        const Exchange reply = chat(*server, chatBody(true));
        QCOMPARE(reply.status, 200);
        const QList<Event> stream = events(reply.body);
        QVERIFY(stream.size() >= 5);
        QCOMPARE(stream.last().type, u"[DONE]"_s);
        const QJsonObject usageChunk = stream.at(stream.size() - 2).data;
        QVERIFY(usageChunk[u"choices"_s].toArray().isEmpty());
        QVERIFY(usageChunk[u"usage"_s][u"completion_tokens"_s].toInteger() > 0);
        const QJsonObject finish = stream.at(stream.size() - 3).data;
        QCOMPARE(finish[u"choices"_s][0][u"finish_reason"_s].toString(), u"stop"_s);
        QCOMPARE(
            stream.first().data[u"choices"_s][0][u"delta"_s][u"role"_s].toString(), u"assistant"_s);
        QString text;
        for (qsizetype i = 0; i < stream.size() - 1; ++i) {
            QVERIFY(stream[i].type.isEmpty()); // data-only frames
            QCOMPARE(stream[i].data[u"object"_s].toString(), u"chat.completion.chunk"_s);
            QVERIFY(stream[i].data.contains(u"usage"_s));
            text += stream[i].data[u"choices"_s][0][u"delta"_s][u"content"_s].toString();
        }
        QCOMPARE(text,
            chat(*server, chatBody(false))
                .json()[u"choices"_s][0][u"message"_s][u"content"_s]
                .toString());
    }

    void messagesHeadersKeysAndErrors()
    {
        SimConfig config;
        config.requiredApiKey = "sk-ant-test";
        config.requestsPerMinute = 1;
        const auto server = start(config);
        const Exchange noVersion
            = messages(*server, messagesBody(false), {{"x-api-key", "sk-ant-test"}});
        QCOMPARE(noVersion.status, 400);
        QCOMPARE(noVersion.json()[u"type"_s].toString(), u"error"_s);
        QCOMPARE(noVersion.json()[u"error"_s][u"type"_s].toString(), u"invalid_request_error"_s);
        const Exchange noKey = messages(*server, messagesBody(false));
        QCOMPARE(noKey.status, 401);
        QCOMPARE(noKey.json()[u"error"_s][u"type"_s].toString(), u"authentication_error"_s);

        const QList<std::pair<QByteArray, QByteArray>> good {
            {"anthropic-version", "2023-06-01"}, {"x-api-key", "sk-ant-test"}};
        const Exchange first = messages(*server, messagesBody(false), good);
        QCOMPARE(first.status, 200);
        QCOMPARE(first.headers.value("anthropic-ratelimit-requests-limit"), QByteArray("1"));
        const QDateTime reset = QDateTime::fromString(
            QString::fromLatin1(first.headers.value("anthropic-ratelimit-requests-reset")),
            Qt::ISODate);
        QVERIFY(reset.isValid());
        QVERIFY(reset > QDateTime::currentDateTimeUtc().addSecs(-5));
        const Exchange limited = messages(*server, messagesBody(false), good);
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.json()[u"error"_s][u"type"_s].toString(), u"rate_limit_error"_s);
        QVERIFY(limited.headers.contains("retry-after"));

        QVERIFY(server->scriptFaults({u"overloaded"_s}));
        const Exchange overloaded = messages(*server, messagesBody(false), good);
        QCOMPARE(overloaded.status, 529);
        QCOMPARE(overloaded.json()[u"error"_s][u"type"_s].toString(), u"overloaded_error"_s);
    }

    void messagesStructuredOutputAndForcedTool()
    {
        const auto server = start();
        const QJsonObject plain = messages(*server, messagesBody(false)).json();
        QCOMPARE(plain[u"type"_s].toString(), u"message"_s);
        QCOMPARE(plain[u"stop_reason"_s].toString(), u"end_turn"_s);
        QCOMPARE(plain[u"content"_s][0][u"type"_s].toString(), u"text"_s);
        QVERIFY(plain[u"usage"_s][u"output_tokens"_s].toInteger() > 0);

        QJsonObject body = messagesBody(false);
        body.insert(u"output_config"_s,
            QJsonObject {{u"format"_s,
                QJsonObject {{u"type"_s, u"json_schema"_s}, {u"schema"_s, riverSchema()}}}});
        const QJsonObject configured = messages(*server, body).json();
        const QJsonObject river
            = QJsonDocument::fromJson(configured[u"content"_s][0][u"text"_s].toString().toUtf8())
                  .object();
        QVERIFY(river[u"name"_s].isString());

        body = messagesBody(false);
        body.insert(u"tools"_s,
            QJsonArray {QJsonObject {{u"name"_s, u"record_river"_s},
                {u"description"_s, u"Record a river."_s}, {u"input_schema"_s, riverSchema()}}});
        body.insert(
            u"tool_choice"_s, QJsonObject {{u"type"_s, u"tool"_s}, {u"name"_s, u"record_river"_s}});
        const QJsonObject tool = messages(*server, body).json();
        QCOMPARE(tool[u"stop_reason"_s].toString(), u"tool_use"_s);
        const QJsonObject use = tool[u"content"_s][0].toObject();
        QCOMPARE(use[u"type"_s].toString(), u"tool_use"_s);
        QCOMPARE(use[u"name"_s].toString(), u"record_river"_s);
        QVERIFY(use[u"input"_s][u"length_km"_s].isDouble());
    }

    void messagesStreamInOrder()
    {
        const auto server = start();
        const Exchange reply = messages(*server, messagesBody(true));
        QCOMPARE(reply.status, 200);
        const QList<Event> stream = events(reply.body);
        QStringList types;
        QString text;
        for (const Event &event : stream) {
            QVERIFY(event.valid);
            QCOMPARE(event.data[u"type"_s].toString(), event.type);
            if (types.isEmpty() || types.last() != event.type)
                types.append(event.type);
            if (event.type == u"content_block_delta")
                text += event.data[u"delta"_s][u"text"_s].toString();
        }
        QCOMPARE(types,
            (QStringList {u"message_start"_s, u"content_block_start"_s, u"ping"_s,
                u"content_block_delta"_s, u"content_block_stop"_s, u"message_delta"_s,
                u"message_stop"_s}));
        const QJsonObject delta = stream.at(stream.size() - 2).data;
        QCOMPARE(delta[u"delta"_s][u"stop_reason"_s].toString(), u"end_turn"_s);
        QVERIFY(delta[u"usage"_s][u"output_tokens"_s].toInteger() > 0);
        QCOMPARE(text,
            messages(*server, messagesBody(false)).json()[u"content"_s][0][u"text"_s].toString());
    }

    void streamIsPacedByTokensPerSecond()
    {
        SimConfig config;
        config.tokensPerSecond = 100; // 2 tokens per delta: 20 ms between deltas
        const auto server = start(config);
        QElapsedTimer timer;
        timer.start();
        const Exchange reply = post(*server, request(true));
        qint64 count = 0;
        for (const Event &event : events(reply.body))
            count += event.type == u"response.output_text.delta" ? 1 : 0;
        QVERIFY(count > 3);
        QVERIFY2(timer.elapsed() >= (count - 1) * 20 / 2, "deltas are spaced, not sent at once");
    }

    void httpFaults_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::newRow("500") << u"http500"_s << 500 << u"server_error"_s;
        QTest::newRow("502") << u"http502"_s << 502 << u"server_error"_s;
        QTest::newRow("503") << u"http503"_s << 503 << u"server_error"_s;
        QTest::newRow("529") << u"overloaded"_s << 529 << u"overloaded_error"_s;
        QTest::newRow("429 rate") << u"rate_limited"_s << 429 << u"requests"_s;
        QTest::newRow("429 quota") << u"insufficient_quota"_s << 429 << u"insufficient_quota"_s;
    }

    void httpFaults()
    {
        QFETCH(QString, fault);
        QFETCH(int, status);
        QFETCH(QString, type);
        const auto server = start();
        QVERIFY(server->scriptFaults({fault}));
        const Exchange reply = post(*server, request(false));
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"type"_s).toString(), type);
        if (fault == u"rate_limited") {
            QCOMPARE(reply.errorCode(), u"rate_limit_exceeded"_s);
            QCOMPARE(reply.headers.value("retry-after-ms"), QByteArray("1000"));
        }
        // The script is spent: the next request is answered.
        QCOMPARE(post(*server, request(false)).status, 200);
    }

    void connectionReset()
    {
        // A raw socket: QNetworkAccessManager would silently re-send the POST
        // (docs/transport.md) and hide the reset.
        const auto server = start();
        QVERIFY(server->scriptFaults({u"reset"_s}));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray body = request(false);
        socket.write("POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(socket.readAll().isEmpty());
        QCOMPARE(logOf(*server).at(0)[u"fault"_s].toString(), u"reset"_s);
    }

    void stallBeforeHeaders()
    {
        const auto server = start();
        QVERIFY(server->scriptFaults({u"stall_headers"_s}));
        const Exchange reply = post(*server, request(true), 400);
        QVERIFY(!reply.finished);
        QCOMPARE(reply.status, 0);
    }

    void stallMidStream()
    {
        const auto server = start();
        QVERIFY(server->scriptFaults({u"stall_stream"_s}));
        const Exchange reply = post(*server, request(true), 400);
        QVERIFY(!reply.finished);
        QCOMPARE(reply.status, 200);
        const QList<Event> stream = events(reply.body);
        QVERIFY(!stream.isEmpty());
        QCOMPARE(stream.first().type, u"response.created"_s);
        QVERIFY(stream.last().type != u"response.completed");
    }

    void truncatedStreamHasNoTerminalEvent()
    {
        const auto server = start();
        QVERIFY(server->scriptFaults({u"truncate"_s}));
        const Exchange reply = post(*server, request(true));
        QVERIFY(reply.finished);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.error, QNetworkReply::NoError);
        const QList<Event> stream = events(reply.body);
        QVERIFY(!stream.isEmpty());
        for (const Event &event : stream) {
            QVERIFY(event.type != u"response.completed");
            QVERIFY(event.type != u"response.incomplete");
        }
    }

    void malformedJson()
    {
        const auto server = start();
        QVERIFY(server->scriptFaults({u"malformed_json"_s, u"malformed_json"_s}));
        const Exchange plain = post(*server, request(false));
        QCOMPARE(plain.status, 200);
        QJsonParseError error {};
        QJsonDocument::fromJson(plain.body, &error);
        QVERIFY(error.error != QJsonParseError::NoError);

        const Exchange streamed = post(*server, request(true));
        const QList<Event> stream = events(streamed.body);
        QVERIFY(std::any_of(
            stream.cbegin(), stream.cend(), [](const Event &event) { return !event.valid; }));
        QCOMPARE(stream.last().type, u"response.completed"_s);
    }

    void contentFaults()
    {
        const auto server = start();
        const QJsonObject schema {{u"type"_s, u"json_schema"_s}, {u"name"_s, u"river"_s},
            {u"strict"_s, true},
            {u"schema"_s,
                QJsonObject {{u"type"_s, u"object"_s},
                    {u"properties"_s,
                        QJsonObject {{u"name"_s, QJsonObject {{u"type"_s, u"string"_s}}}}},
                    {u"required"_s, QJsonArray {u"name"_s}}, {u"additionalProperties"_s, false}}}};
        QVERIFY(server->scriptFaults({u"schema_invalid"_s, u"refusal"_s, u"incomplete"_s}));

        const QJsonObject invalid
            = post(*server, request(false, {{u"text"_s, QJsonObject {{u"format"_s, schema}}}}))
                  .json();
        const QString text = invalid.value(u"output"_s)[0][u"content"_s][0][u"text"_s].toString();
        const QJsonObject instance = QJsonDocument::fromJson(text.toUtf8()).object();
        QVERIFY(!instance.isEmpty());
        QVERIFY(!instance.contains(u"name"_s)); // required by the schema

        const QJsonObject refused = post(*server, request(false)).json();
        const QJsonObject part = refused.value(u"output"_s)[0][u"content"_s][0].toObject();
        QCOMPARE(part.value(u"type"_s).toString(), u"refusal"_s);
        QVERIFY(!part.value(u"refusal"_s).toString().isEmpty());

        const Exchange incomplete = post(*server, request(true));
        const QList<Event> stream = events(incomplete.body);
        QCOMPARE(stream.last().type, u"response.incomplete"_s);
        QCOMPARE(stream.last().data[u"response"_s][u"incomplete_details"_s][u"reason"_s].toString(),
            u"max_output_tokens"_s);
    }

    void controlEndpointScriptsLogsAndResets()
    {
        const auto server = start();
        script(*server, {{u"script"_s, QJsonArray {u"http503"_s, u"none"_s}}});
        const Exchange first = send(*server, "POST", u"/v1/responses"_s, request(false), 10'000,
            {{"x-sluice-attempt-id", "attempt-1"}});
        QCOMPARE(first.status, 503);
        QCOMPARE(post(*server, request(true)).status, 200);

        const QJsonArray log = logOf(*server);
        QCOMPARE(log.size(), 2);
        QCOMPARE(log[0][u"fault"_s].toString(), u"http503"_s);
        QCOMPARE(log[0][u"attempt_id"_s].toString(), u"attempt-1"_s);
        QCOMPARE(log[0][u"dialect"_s].toString(), u"responses"_s);
        QCOMPARE(log[0][u"stream"_s].toBool(), false);
        QVERIFY(log[1][u"fault"_s].isNull());
        QCOMPARE(log[1][u"stream"_s].toBool(), true);

        const Exchange unknown
            = send(*server, "POST", u"/sim/faults"_s, R"({"script":["meteor"]})");
        QCOMPARE(unknown.status, 400);
        QVERIFY(unknown.json()[u"error"_s][u"message"_s].toString().contains(u"http503"_s));

        QCOMPARE(send(*server, "POST", u"/sim/reset"_s, {}).status, 200);
        QCOMPARE(logOf(*server).size(), 0);
        QCOMPARE(server->requestCount(), 0);
    }

    void faultRatesAreDeterministicFromTheSeed()
    {
        auto faultsOf = [this](quint64 seed) {
            SimConfig config;
            config.seed = seed;
            config.faultRates = {{u"http500"_s, 0.3}, {u"http503"_s, 0.3}};
            const auto server = start(config);
            QStringList faults;
            for (int i = 0; i < 12; ++i)
                faults.append(QString::number(post(*server, request(false)).status));
            return faults;
        };
        const QStringList first = faultsOf(7);
        QCOMPARE(faultsOf(7), first);
        QVERIFY(first.contains(u"200"_s));
        QVERIFY(first.contains(u"500"_s) || first.contains(u"503"_s));

        const auto always = start();
        script(*always, {{u"rates"_s, QJsonObject {{u"overloaded"_s, 1.0}}}});
        QCOMPARE(post(*always, request(false)).status, 529);
        QCOMPARE(post(*always, request(false)).status, 529);
    }

    void quotaOfRequests()
    {
        SimConfig config;
        config.quotaRequests = 2;
        const auto server = start(config);
        QCOMPARE(post(*server, request(false)).status, 200);
        QCOMPARE(post(*server, request(false)).status, 200);
        const Exchange third = post(*server, request(false));
        QCOMPARE(third.status, 429);
        QCOMPARE(third.errorCode(), u"insufficient_quota"_s);
    }

    void clientLeavingMidStreamDoesNotCrashTheServer()
    {
        SimConfig config;
        config.tokensPerSecond = 20; // 100 ms between deltas: the stream outlives the client
        const auto server = start(config);
        for (int i = 0; i < 3; ++i) {
            const Exchange cut = post(*server, request(true), 150);
            QVERIFY(!cut.finished);
            QCOMPARE(cut.status, 200);
        }
        QTest::qWait(400); // the server's timers fire into closed sockets
        QCOMPARE(post(*server, request(false)).status, 200);
        QCOMPARE(server->requestCount(), 4);
    }
};

QTEST_GUILESS_MAIN(TestSimFaults)
#include "tst_simfaults.moc"
