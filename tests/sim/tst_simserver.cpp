// SimServer through real HTTP (QNetworkAccessManager against an in-process
// server on a free port): answers, errors, limits, keys, latency, the log.
#include "sim/simserver.h"
#include "simtesting.h"
#include "testdata.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace sluice::sim;
using namespace sluice::sim::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

struct Reply
{
    int status = 0;
    QJsonObject body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    qint64 elapsedMs = 0;

    [[nodiscard]] QJsonObject error() const { return body.value(u"error"_s).toObject(); }
    [[nodiscard]] QString text() const
    {
        return body.value(u"output"_s)[0][u"content"_s][0][u"text"_s].toString();
    }
};

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The value at a path such as "output/0/content/0/text".
QJsonValue at(QJsonValue value, const QString &path)
{
    for (const QString &step : path.split(u'/')) {
        bool isIndex = false;
        const int index = step.toInt(&isIndex);
        value = isIndex ? value.toArray().at(index) : value.toObject().value(step);
    }
    return value;
}

QJsonObject prompt(const QString &input, const QString &model = u"sim-small"_s)
{
    return QJsonObject {{u"model"_s, model}, {u"input"_s, input}};
}

} // namespace

class TestSimServer : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;

    std::unique_ptr<SimServer> start(SimConfig config = {}) { return startSim(std::move(config)); }

    Reply send(const SimServer &server, const QByteArray &verb, const QString &path,
        const QByteArray &body = {}, const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        const QNetworkRequest request = simRequest(server, path, headers);
        QElapsedTimer clock;
        clock.start();
        QNetworkReply *reply = m_network.sendCustomRequest(request, verb, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(10'000))
            qFatal("no answer from the simulator");
        Reply result;
        result.elapsedMs = clock.elapsed();
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = QJsonDocument::fromJson(reply->readAll()).object();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            result.headers.insert(name.toLower(), value);
        reply->deleteLater();
        return result;
    }

    Reply post(const SimServer &server, const QByteArray &body,
        const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        return send(server, "POST", u"/v1/responses"_s, body, headers);
    }

private Q_SLOTS:
    void baseUrl()
    {
        const auto server = start();
        QVERIFY(server->port() > 0);
        QCOMPARE(server->baseUrl().toString(), u"http://127.0.0.1:%1/v1"_s.arg(server->port()));
    }

    void plainAnswer()
    {
        const auto server = start();
        const Reply reply = post(*server, json(prompt(u"How many letters are in Python?"_s)));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(QRegularExpression(u"^req_[0-9a-f]{32}$"_s)
                    .match(QString::fromLatin1(reply.headers.value("x-request-id")))
                    .hasMatch());
        QVERIFY(!reply.headers.contains("x-ratelimit-limit-requests")); // no limits set

        const QJsonObject &body = reply.body;
        QVERIFY(body.value(u"id"_s).toString().startsWith(u"resp_"_s));
        QCOMPARE(body.value(u"object"_s).toString(), u"response"_s);
        QCOMPARE(body.value(u"status"_s).toString(), u"completed"_s);
        QCOMPARE(body.value(u"model"_s).toString(), u"sim-small"_s);
        QVERIFY(body.value(u"created_at"_s).toInteger() > 1'700'000'000);
        QVERIFY(body.value(u"error"_s).isNull());
        QVERIFY(body.value(u"incomplete_details"_s).isNull());

        const QJsonObject message = body.value(u"output"_s).toArray().at(0).toObject();
        QCOMPARE(message.value(u"type"_s).toString(), u"message"_s);
        QCOMPARE(message.value(u"role"_s).toString(), u"assistant"_s);
        QCOMPARE(message.value(u"status"_s).toString(), u"completed"_s);
        QVERIFY(message.value(u"id"_s).toString().startsWith(u"msg_"_s));
        const QJsonObject part = message.value(u"content"_s).toArray().at(0).toObject();
        QCOMPARE(part.value(u"type"_s).toString(), u"output_text"_s);
        QVERIFY(part.value(u"annotations"_s).isArray());
        QVERIFY2(
            reply.text().contains(u"How many letters are in Python?"_s), qPrintable(reply.text()));

        const QJsonObject usage = body.value(u"usage"_s).toObject();
        const qint64 input = usage.value(u"input_tokens"_s).toInteger();
        const qint64 output = usage.value(u"output_tokens"_s).toInteger();
        QCOMPARE(input, qint64(8)); // ceil(31 characters / 4)
        QCOMPARE(output, (reply.text().size() + 3) / 4);
        QCOMPARE(usage.value(u"total_tokens"_s).toInteger(), input + output);
        QCOMPARE(usage.value(u"input_tokens_details"_s)[u"cached_tokens"_s].toInt(-1), 0);
        QCOMPARE(usage.value(u"output_tokens_details"_s)[u"reasoning_tokens"_s].toInt(-1), 0);
    }

    // The recorded OpenAI exchange, replayed: the simulator accepts the real
    // request, and its answer has the recorded body's fields with the same
    // JSON types, the same error shape and the same rate-limit headers.
    void matchesRecordedOpenAi()
    {
        const QString folder = u"recorded-openai/newrelic-python-agent/"_s;
        const QJsonObject meta = QJsonDocument::fromJson(
            sluice::test::readTestData(folder + u"14_responses_200.meta.json"_s))
                                     .object();
        const QJsonObject recorded = QJsonDocument::fromJson(
            sluice::test::readTestData(folder + u"14_responses_200.json"_s))
                                         .object();
        SimConfig config;
        config.requestsPerMinute = 10'000;
        config.tokensPerMinute = 50'000'000;
        const auto server = start(config);
        const Reply reply = post(*server, json(meta.value(u"request"_s)[u"body"_s].toObject()));
        QCOMPARE(reply.status, 200);
        for (const QString &path : {u"id"_s, u"object"_s, u"created_at"_s, u"status"_s, u"model"_s,
                 u"error"_s, u"incomplete_details"_s, u"instructions"_s, u"max_output_tokens"_s,
                 u"output/0/type"_s, u"output/0/id"_s, u"output/0/status"_s, u"output/0/role"_s,
                 u"output/0/content/0/type"_s, u"output/0/content/0/text"_s,
                 u"output/0/content/0/annotations"_s, u"usage/input_tokens"_s,
                 u"usage/input_tokens_details/cached_tokens"_s, u"usage/output_tokens"_s,
                 u"usage/output_tokens_details/reasoning_tokens"_s, u"usage/total_tokens"_s}) {
            QVERIFY2(at(reply.body, path).type() == at(recorded, path).type(), qPrintable(path));
        }
        QCOMPARE(reply.body.value(u"instructions"_s), recorded.value(u"instructions"_s));
        QCOMPARE(reply.body.value(u"max_output_tokens"_s), recorded.value(u"max_output_tokens"_s));

        const QJsonObject recordedHeaders = meta.value(u"response"_s)[u"headers"_s].toObject();
        for (auto it = recordedHeaders.begin(); it != recordedHeaders.end(); ++it) {
            if (it.key().startsWith(u"x-ratelimit-"_s) || it.key() == u"x-request-id")
                QVERIFY2(reply.headers.contains(it.key().toLatin1()), qPrintable(it.key()));
        }

        const QJsonObject recordedError = QJsonDocument::fromJson(
            sluice::test::readTestData(folder + u"16_responses_400.json"_s))
                                              .object();
        const Reply bad = post(*server, R"({"input":"hi"})");
        QCOMPARE(bad.body.keys(), recordedError.keys());
        QCOMPARE(bad.error().keys(), recordedError.value(u"error"_s).toObject().keys());
    }

    void inputItemsAndInstructions()
    {
        const auto server = start();
        const QJsonObject request {{u"model"_s, u"sim-large"_s},
            {u"instructions"_s, u"Be brief."_s},
            {u"input"_s,
                QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"First line"_s}},
                    QJsonObject {{u"role"_s, u"user"_s},
                        {u"content"_s,
                            QJsonArray {QJsonObject {
                                {u"type"_s, u"input_text"_s}, {u"text"_s, u"second part"_s}}}}}}}};
        const Reply reply = post(*server, json(request));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body.value(u"model"_s).toString(), u"sim-large"_s);
        QVERIFY(reply.text().contains(u"second part"_s));
        // "Be brief." (9) + "First line" (10) + "\n" + "second part" (11) = 31 -> 8
        QCOMPARE(reply.body.value(u"usage"_s)[u"input_tokens"_s].toInt(), 8);
    }

    void deterministic()
    {
        const auto server = start();
        const QString a = post(*server, json(prompt(u"row one"_s))).text();
        QCOMPARE(post(*server, json(prompt(u"row one"_s))).text(), a);
        QVERIFY(post(*server, json(prompt(u"row two"_s))).text() != a);
        QVERIFY(post(*server, json(prompt(u"row one"_s, u"sim-large"_s))).text() != a);
        QJsonObject withInstructions = prompt(u"row one"_s);
        withInstructions.insert(u"instructions"_s, u"Answer in French."_s);
        QVERIFY(post(*server, json(withInstructions)).text() != a);
        // A second server (a second run) answers the same.
        const auto other = start();
        QCOMPARE(post(*other, json(prompt(u"row one"_s))).text(), a);
    }

    void jsonSchemaAnswer()
    {
        const auto server = start();
        const QJsonObject schema {{u"type"_s, u"object"_s},
            {u"properties"_s,
                QJsonObject {{u"city"_s, QJsonObject {{u"type"_s, u"string"_s}}},
                    {u"population"_s, QJsonObject {{u"type"_s, u"integer"_s}, {u"minimum"_s, 1}}}}},
            {u"required"_s, QJsonArray {u"city"_s, u"population"_s}},
            {u"additionalProperties"_s, false}};
        QJsonObject request = prompt(u"row 1"_s);
        request.insert(u"text"_s,
            QJsonObject {{u"format"_s,
                QJsonObject {{u"type"_s, u"json_schema"_s}, {u"name"_s, u"city"_s},
                    {u"schema"_s, schema}, {u"strict"_s, true}}}});
        const Reply first = post(*server, json(request));
        QCOMPARE(first.status, 200);
        const QJsonObject answer = QJsonDocument::fromJson(first.text().toUtf8()).object();
        QCOMPARE(answer.keys(), (QStringList {u"city"_s, u"population"_s}));
        QVERIFY(answer.value(u"population"_s).toInteger() >= 1);

        request.insert(u"input"_s, u"row 2"_s);
        QVERIFY(post(*server, json(request)).text() != first.text());

        request.insert(
            u"text"_s, QJsonObject {{u"format"_s, QJsonObject {{u"type"_s, u"json_object"_s}}}});
        const QJsonDocument object
            = QJsonDocument::fromJson(post(*server, json(request)).text().toUtf8());
        QVERIFY(object.isObject());
    }

    void badRequests_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("param");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not json") << QByteArray("{model: sim") << QString() << u"JSON"_s;
        QTest::newRow("not an object") << QByteArray("[1,2]") << QString() << u"object"_s;
        QTest::newRow("missing model")
            << QByteArray(R"({"input":"hi"})") << u"model"_s << u"'model'"_s;
        QTest::newRow("model not a string")
            << QByteArray(R"({"model":5,"input":"hi"})") << u"model"_s << u"a number"_s;
        QTest::newRow("missing input")
            << QByteArray(R"({"model":"m"})") << u"input"_s << u"'input'"_s;
        QTest::newRow("input not text")
            << QByteArray(R"({"model":"m","input":true})") << u"input"_s << u"a boolean"_s;
        QTest::newRow("item without content")
            << QByteArray(R"({"model":"m","input":[{"role":"user"}]})") << u"input[0].content"_s
            << u"content"_s;
        QTest::newRow("unknown format")
            << QByteArray(R"({"model":"m","input":"x","text":{"format":{"type":"xml"}}})")
            << u"text.format.type"_s << u"xml"_s;
        QTest::newRow("schema missing") << QByteArray(
            R"({"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n"}}})")
                                        << u"text.format.schema"_s << u"schema"_s;
        QTest::newRow("max_output_tokens too small")
            << QByteArray(R"({"model":"m","input":"x","max_output_tokens":5})")
            << u"max_output_tokens"_s << u">= 16"_s;
        QTest::newRow("stream not a boolean")
            << QByteArray(R"({"model":"m","input":"x","stream":"yes"})") << u"stream"_s
            << u"boolean"_s;
    }

    void badRequests()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, param);
        QFETCH(QString, mentions);
        const auto server = start();
        const Reply reply = post(*server, body);
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.headers.contains("x-request-id"));
        const QJsonObject error = reply.error();
        QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
        QVERIFY(error.contains(u"code"_s));
        QCOMPARE(error.value(u"param"_s).toString(), param);
        QVERIFY(error.value(u"param"_s).isNull() == param.isEmpty());
        QVERIFY2(error.value(u"message"_s).toString().contains(mentions),
            qPrintable(error.value(u"message"_s).toString()));
    }

    void unknownRouteAndMethod()
    {
        const auto server = start();
        const Reply missing = send(*server, "POST", u"/v1/nothing"_s, "{}");
        QCOMPARE(missing.status, 404);
        QVERIFY(missing.error().value(u"message"_s).toString().contains(u"/v1/nothing"_s));
        QCOMPARE(missing.error().value(u"type"_s).toString(), u"invalid_request_error"_s);

        const Reply wrongMethod = send(*server, "GET", u"/v1/responses"_s);
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(wrongMethod.headers.value("allow"), QByteArray("POST"));
        QVERIFY(wrongMethod.error().value(u"message"_s).toString().contains(u"GET"_s));

        const Reply models = send(*server, "GET", u"/v1/models"_s);
        QCOMPARE(models.status, 200);
        QCOMPARE(models.body.value(u"object"_s).toString(), u"list"_s);
        QVERIFY(models.body.value(u"data"_s).toArray().size() >= 2);
        QCOMPARE(server->requestCount(), 1); // only /v1/responses counts
    }

    void maxOutputTokensMakesIncomplete()
    {
        const auto server = start();
        QJsonObject request = prompt(u"a prompt whose simulated answer is longer than 64 chars"_s);
        request.insert(u"max_output_tokens"_s, 16);
        const Reply reply = post(*server, json(request));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body.value(u"status"_s).toString(), u"incomplete"_s);
        QCOMPARE(reply.body.value(u"incomplete_details"_s)[u"reason"_s].toString(),
            u"max_output_tokens"_s);
        QCOMPARE(reply.body.value(u"usage"_s)[u"output_tokens"_s].toInt(), 16);
        QCOMPARE(reply.text().size(), 64);

        request.insert(u"max_output_tokens"_s, 1000);
        QCOMPARE(post(*server, json(request)).body.value(u"status"_s).toString(), u"completed"_s);
    }

    void latency()
    {
        SimConfig config;
        config.latency = 300ms;
        config.latencyJitter = 50ms;
        const auto server = start(config);
        const Reply slow = post(*server, json(prompt(u"wait"_s)));
        QCOMPARE(slow.status, 200);
        QVERIFY2(slow.elapsedMs >= 250, qPrintable(QString::number(slow.elapsedMs)));

        const Reply overridden
            = post(*server, json(prompt(u"wait"_s)), {{"x-sim-latency-ms", "0"}});
        QCOMPARE(overridden.status, 200);

        const auto quick = start();
        const Reply asked = post(*quick, json(prompt(u"wait"_s)), {{"x-sim-latency-ms", "200"}});
        QVERIFY2(asked.elapsedMs >= 200, qPrintable(QString::number(asked.elapsedMs)));
        QCOMPARE(post(*quick, json(prompt(u"x"_s)), {{"x-sim-latency-ms", "soon"}}).status, 400);
    }

    void requestsPerMinute()
    {
        SimConfig config;
        config.requestsPerMinute = 2;
        const auto server = start(config);
        // Refused for its header before the window counts it.
        QCOMPARE(post(*server, json(prompt(u"zero"_s)), {{"x-sim-latency-ms", "-1"}}).status, 400);
        const Reply first = post(*server, json(prompt(u"one"_s)));
        QCOMPARE(first.status, 200);
        QCOMPARE(first.headers.value("x-ratelimit-limit-requests"), QByteArray("2"));
        QCOMPARE(first.headers.value("x-ratelimit-remaining-requests"), QByteArray("1"));
        QVERIFY(!first.headers.contains("x-ratelimit-limit-tokens")); // no token limit set
        const QRegularExpression goDuration(u"^(\\d+m)?\\d+(\\.\\d+)?s$|^\\d+ms$"_s);
        QVERIFY(
            goDuration.match(QString::fromLatin1(first.headers.value("x-ratelimit-reset-requests")))
                .hasMatch());

        const Reply second = post(*server, json(prompt(u"two"_s)));
        QCOMPARE(second.status, 200);
        QCOMPARE(second.headers.value("x-ratelimit-remaining-requests"), QByteArray("0"));

        const Reply third = post(*server, json(prompt(u"three"_s)));
        QCOMPARE(third.status, 429);
        QCOMPARE(third.error().value(u"code"_s).toString(), u"rate_limit_exceeded"_s);
        QCOMPARE(third.error().value(u"type"_s).toString(), u"requests"_s);
        const qint64 retryMs = third.headers.value("retry-after-ms").toLongLong();
        QVERIFY2(retryMs > 50'000 && retryMs <= 60'000, qPrintable(QString::number(retryMs)));
        QCOMPARE(third.headers.value("retry-after").toLongLong(), (retryMs + 999) / 1000);
        QCOMPARE(third.headers.value("x-ratelimit-remaining-requests"), QByteArray("0"));
        QCOMPARE(server->requestCount(), 4);
    }

    void tokensPerMinute()
    {
        SimConfig config;
        config.tokensPerMinute = 100;
        const auto server = start(config);
        QJsonObject request = prompt(u"short"_s);
        request.insert(u"max_output_tokens"_s, 60); // counted on arrival: max(60, 2)
        const Reply first = post(*server, json(request));
        QCOMPARE(first.status, 200);
        QCOMPARE(first.headers.value("x-ratelimit-limit-tokens"), QByteArray("100"));
        QCOMPARE(first.headers.value("x-ratelimit-remaining-tokens"), QByteArray("40"));
        const Reply second = post(*server, json(request));
        QCOMPARE(second.status, 429);
        QCOMPARE(second.error().value(u"type"_s).toString(), u"tokens"_s);
        QVERIFY(second.headers.contains("retry-after-ms"));
        // A small request still fits (1 token).
        QCOMPARE(post(*server, json(prompt(u"tiny"_s))).status, 200);
    }

    void requiredKey()
    {
        SimConfig config;
        config.requiredApiKey = "sk-sim-secret";
        const auto server = start(config);
        const Reply none = post(*server, json(prompt(u"hi"_s)));
        QCOMPARE(none.status, 401);
        QCOMPARE(none.error().value(u"type"_s).toString(), u"invalid_request_error"_s);
        const Reply wrong
            = post(*server, json(prompt(u"hi"_s)), {{"Authorization", "Bearer sk-guess"}});
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.error().value(u"code"_s).toString(), u"invalid_api_key"_s);
        QVERIFY(!wrong.error().value(u"message"_s).toString().contains(u"sk-"_s));
        const Reply right
            = post(*server, json(prompt(u"hi"_s)), {{"Authorization", "Bearer sk-sim-secret"}});
        QCOMPARE(right.status, 200);
    }

    void requestLog()
    {
        QTemporaryDir dir;
        SimConfig config;
        config.logPath = dir.filePath(u"requests.jsonl"_s);
        const auto server = start(config);
        QSignalSpy served(server.get(), &SimServer::requestServed);
        const Reply a = post(*server, json(prompt(u"same"_s)));
        const Reply b = post(*server, json(prompt(u"same"_s)));
        const Reply bad = post(*server, "{");
        QCOMPARE(served.count(), 3);

        QFile file(config.logPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QList<QJsonObject> entries;
        for (const QByteArray &line : lines) {
            const QJsonDocument document = QJsonDocument::fromJson(line);
            QVERIFY(document.isObject());
            entries.append(document.object());
        }
        const QList<Reply> replies {a, b, bad};
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const QJsonObject &entry = entries.at(i);
            QCOMPARE(entry.value(u"request_id"_s).toString().toLatin1(),
                replies.at(i).headers.value("x-request-id"));
            QCOMPARE(entry.value(u"path"_s).toString(), u"/v1/responses"_s);
            QCOMPARE(entry.value(u"status"_s).toInt(), replies.at(i).status);
            QVERIFY(entry.contains(u"time"_s));
            QCOMPARE(entry, served.at(i).at(0).toJsonObject());
        }
        QCOMPARE(entries.at(0).value(u"model"_s).toString(), u"sim-small"_s);
        QVERIFY(QRegularExpression(u"^[0-9a-f]{64}$"_s)
                    .match(entries.at(0).value(u"input_sha256"_s).toString())
                    .hasMatch());
        QCOMPARE(entries.at(1).value(u"input_sha256"_s), entries.at(0).value(u"input_sha256"_s));
        QCOMPARE(entries.at(2).value(u"status"_s).toInt(), 400);
    }

    void clientLeavesDuringDelay()
    {
        const auto server = start();
        QUrl url = server->baseUrl();
        url.setPath(u"/v1/responses"_s);
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        request.setRawHeader("x-sim-latency-ms", "400");
        QNetworkReply *reply = m_network.post(request, json(prompt(u"gone"_s)));
        QTest::qWait(100);
        reply->abort();
        reply->deleteLater();
        QTest::qWait(600); // the delayed answer finds no client
        const Reply next = post(*server, json(prompt(u"still there?"_s)));
        QCOMPARE(next.status, 200);
        QCOMPARE(server->requestCount(), 2);
    }

    void listenFailure()
    {
        const auto server = start();
        SimServer second;
        QVERIFY(!second.listen(server->port()));
        QVERIFY(!second.errorString().isEmpty());
        QCOMPARE(second.port(), quint16(0));

        SimConfig config;
        config.logPath = u"/nonexistent-dir/requests.jsonl"_s;
        SimServer badLog(config);
        QVERIFY(!badLog.listen());
        QVERIFY(badLog.errorString().contains(u"request log"_s));
    }
};

QTEST_GUILESS_MAIN(TestSimServer)
#include "tst_simserver.moc"
