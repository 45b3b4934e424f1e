// SimServer streaming and faults through real HTTP: the Responses event
// stream in order with its final usage, every fault, the control endpoints,
// seeded fault rates, quotas, and a client that leaves mid-stream.
#include "sim/simserver.h"

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

// Splits an SSE body into events (the simulator writes `event:` then one `data:` line).
QList<Event> events(const QByteArray &body)
{
    QList<Event> result;
    for (const QByteArray &frame : body.split('\n')) {
        if (frame.startsWith("event: ")) {
            result.append(Event {QString::fromUtf8(frame.mid(7)), {}, false});
        } else if (frame.startsWith("data: ") && !result.isEmpty()) {
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

    std::unique_ptr<SimServer> start(SimConfig config = {})
    {
        auto server = std::make_unique<SimServer>(std::move(config));
        if (!server->listen())
            qFatal("cannot listen: %s", qPrintable(server->errorString()));
        return server;
    }

    // Sends and waits for the end, or gives up (aborting) after `patienceMs`.
    Exchange send(const SimServer &server, const QByteArray &verb, const QString &path,
        const QByteArray &body, int patienceMs = 10'000,
        const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        QUrl url = server.baseUrl();
        url.setPath(path);
        QNetworkRequest networkRequest(url);
        networkRequest.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        for (const auto &[name, value] : headers)
            networkRequest.setRawHeader(name, value);
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
