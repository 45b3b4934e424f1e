// The simulator's batch APIs through real HTTP: OpenAI files + batches and
// Anthropic Message Batches, their statuses under the speed control, their
// errors, cancel and expiry, and the request log. Statuses are held or
// released with POST /sim/batch-speed, so no test depends on timing.
#include "sim/simserver.h"
#include "simtesting.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace sluice::sim;
using namespace sluice::sim::test;
using namespace Qt::StringLiterals;

namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

const Headers kAnthropic = {{"anthropic-version", "2023-06-01"}};
constexpr double kHold = 3600; // seconds: a batch stays in its status for the test

struct Reply
{
    int status = 0;
    QJsonObject body;
    QByteArray raw;
    QByteArray contentType;

    [[nodiscard]] QString errorMessage() const
    {
        return body.value(u"error"_s)[u"message"_s].toString();
    }
};

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QList<QJsonObject> lines(const QByteArray &jsonl)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : jsonl.split('\n')) {
        if (!line.isEmpty())
            objects.append(QJsonDocument::fromJson(line).object());
    }
    return objects;
}

QJsonObject responsesBody(const QString &input)
{
    return {{u"model"_s, u"sim-small"_s}, {u"input"_s, input}};
}

QJsonObject schemaBody(const QString &input)
{
    QJsonObject body = responsesBody(input);
    body.insert(u"text"_s,
        QJsonObject {{u"format"_s,
            QJsonObject {{u"type"_s, u"json_schema"_s}, {u"name"_s, u"row"_s},
                {u"schema"_s,
                    QJsonObject {{u"type"_s, u"object"_s},
                        {u"properties"_s,
                            QJsonObject {{u"score"_s, QJsonObject {{u"type"_s, u"integer"_s}}}}},
                        {u"required"_s, QJsonArray {u"score"_s}}}}}}});
    return body;
}

QByteArray inputLine(
    const QString &customId, const QJsonObject &body, const QString &url = u"/v1/responses"_s)
{
    return json({{u"custom_id"_s, customId}, {u"method"_s, u"POST"_s}, {u"url"_s, url},
               {u"body"_s, body}})
        + '\n';
}

QJsonObject messagesParams(const QString &input)
{
    return {{u"model"_s, u"sim-small"_s}, {u"max_tokens"_s, 200},
        {u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, input}}}}};
}

} // namespace

class TestSimBatch : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;
    std::unique_ptr<SimServer> m_server;

    Reply send(const QByteArray &verb, const QString &path, const QByteArray &body = {},
        const Headers &headers = {})
    {
        QNetworkRequest request = simRequest(*m_server, path, headers);
        QNetworkReply *reply = m_network.sendCustomRequest(request, verb, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(10'000))
            qFatal("no answer from the simulator");
        Reply result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.raw = reply->readAll();
        result.body = QJsonDocument::fromJson(result.raw).object();
        result.contentType = reply->rawHeader("content-type");
        reply->deleteLater();
        return result;
    }

    Reply upload(const QByteArray &content, const QByteArray &purpose = "batch")
    {
        const QByteArray boundary = "test-boundary-7";
        QByteArray body = "--" + boundary
            + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n";
        body += "--" + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
              "Content-Type: application/jsonl\r\n\r\n"
            + content + "\r\n--" + boundary + "--\r\n";
        return send("POST", u"/v1/files"_s, body,
            {{"content-type", "multipart/form-data; boundary=" + boundary}});
    }

    void setSpeed(const QJsonObject &speed)
    {
        QCOMPARE(send("POST", u"/sim/batch-speed"_s, json(speed)).status, 200);
    }

    // Uploads `content` and creates a batch on `endpoint`; returns the batch object.
    QJsonObject createBatch(const QByteArray &content, const QString &endpoint = u"/v1/responses"_s)
    {
        const Reply file = upload(content);
        if (file.status != 200)
            qFatal("upload refused: %s", file.raw.constData());
        const Reply batch = send("POST", u"/v1/batches"_s,
            json({{u"input_file_id"_s, file.body.value(u"id"_s)}, {u"endpoint"_s, endpoint},
                {u"completion_window"_s, u"24h"_s}}));
        if (batch.status != 200)
            qFatal("batch refused: %s", batch.raw.constData());
        return batch.body;
    }

    QJsonObject batch(const QString &id) { return send("GET", u"/v1/batches/"_s + id).body; }

    QByteArray fileContent(const QJsonValue &fileId)
    {
        const Reply reply = send("GET", u"/v1/files/%1/content"_s.arg(fileId.toString()));
        if (reply.status != 200)
            qFatal("no file content: %s", reply.raw.constData());
        return reply.raw;
    }

    QJsonArray log() { return send("GET", u"/sim/log"_s).body.value(u"entries"_s).toArray(); }

private Q_SLOTS:
    void init()
    {
        m_server = startSim();
        // Released: a batch runs through its statuses at once unless a test holds it.
        setSpeed({{u"validating_seconds"_s, 0}, {u"seconds_per_request"_s, 0},
            {u"finalizing_seconds"_s, 0}});
    }

    void cleanup() { m_server.reset(); }

    void uploadRejectsBadFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QByteArray>("purpose");
        QTest::addColumn<QString>("message");
        const QByteArray good = inputLine(u"a"_s, responsesBody(u"hi"_s));
        QTest::newRow("not json") << good + "{oops\n" << QByteArray("batch") << u"line 2"_s;
        QTest::newRow("duplicate custom_id")
            << good + good << QByteArray("batch") << u"duplicate custom_id 'a'"_s;
        QTest::newRow("no custom_id") << json(
            {{u"method"_s, u"POST"_s}, {u"url"_s, u"/v1/responses"_s}, {u"body"_s, QJsonObject()}})
                                      << QByteArray("batch") << u"'custom_id'"_s;
        QTest::newRow("method") << json({{u"custom_id"_s, u"a"_s}, {u"method"_s, u"GET"_s},
            {u"url"_s, u"/v1/responses"_s}, {u"body"_s, QJsonObject()}})
                                << QByteArray("batch") << u"'method'"_s;
        QTest::newRow("url") << inputLine(u"a"_s, responsesBody(u"hi"_s), u"/v1/embeddings"_s)
                             << QByteArray("batch") << u"'url'"_s;
        QTest::newRow("body") << json({{u"custom_id"_s, u"a"_s}, {u"method"_s, u"POST"_s},
            {u"url"_s, u"/v1/responses"_s}, {u"body"_s, 3}})
                              << QByteArray("batch") << u"'body'"_s;
        QTest::newRow("empty") << QByteArray("\n") << QByteArray("batch") << u"no requests"_s;
        QTest::newRow("purpose") << good << QByteArray("fine-tune") << u"'purpose'"_s;
    }

    void uploadRejectsBadFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QByteArray, purpose);
        QFETCH(QString, message);
        const Reply reply = upload(content, purpose);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.body.value(u"error"_s)[u"type"_s].toString(), u"invalid_request_error"_s);
        QVERIFY2(reply.errorMessage().contains(message), qPrintable(reply.errorMessage()));
    }

    void uploadNeedsMultipart()
    {
        const Reply reply = send("POST", u"/v1/files"_s, "{}");
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.errorMessage().contains(u"multipart/form-data"_s));
    }

    void uploadedFileReadsBack()
    {
        const QByteArray content = inputLine(u"a"_s, responsesBody(u"hi"_s));
        const Reply file = upload(content);
        QCOMPARE(file.status, 200);
        const QString id = file.body.value(u"id"_s).toString();
        QVERIFY(id.startsWith(u"file-"_s));
        const QJsonObject meta = send("GET", u"/v1/files/"_s + id).body;
        QCOMPARE(meta.value(u"purpose"_s).toString(), u"batch"_s);
        QCOMPARE(meta.value(u"filename"_s).toString(), u"in.jsonl"_s);
        QCOMPARE(meta.value(u"bytes"_s).toInteger(), content.size());
        QCOMPARE(fileContent(id), content);
        QCOMPARE(send("GET", u"/v1/files/file-nope"_s).status, 404);
        QCOMPARE(send("DELETE", u"/v1/files/"_s + id).status, 405);
    }

    void statusesMoveWithTheSpeed()
    {
        setSpeed({{u"validating_seconds"_s, kHold}});
        const QByteArray content = inputLine(u"a"_s, responsesBody(u"one"_s))
            + inputLine(u"b"_s, responsesBody(u"two"_s));
        const QString id = createBatch(content).value(u"id"_s).toString();
        QVERIFY(id.startsWith(u"batch_"_s));
        QJsonObject status = batch(id);
        QCOMPARE(status.value(u"status"_s).toString(), u"validating"_s);
        QCOMPARE(status.value(u"request_counts"_s)[u"total"_s].toInteger(), 2);
        QVERIFY(status.value(u"in_progress_at"_s).isNull());

        setSpeed({{u"validating_seconds"_s, 0}, {u"seconds_per_request"_s, kHold}});
        status = batch(id);
        QCOMPARE(status.value(u"status"_s).toString(), u"in_progress"_s);
        QCOMPARE(status.value(u"request_counts"_s)[u"completed"_s].toInteger(), 0);
        QVERIFY(status.value(u"in_progress_at"_s).isDouble());

        setSpeed({{u"seconds_per_request"_s, 0}, {u"finalizing_seconds"_s, kHold}});
        status = batch(id);
        QCOMPARE(status.value(u"status"_s).toString(), u"finalizing"_s);
        QCOMPARE(status.value(u"request_counts"_s)[u"completed"_s].toInteger(), 2);
        QVERIFY(status.value(u"output_file_id"_s).isNull());

        setSpeed({{u"finalizing_seconds"_s, 0}});
        status = batch(id);
        QCOMPARE(status.value(u"status"_s).toString(), u"completed"_s);
        QVERIFY(status.value(u"completed_at"_s).isDouble());
        QVERIFY(status.value(u"error_file_id"_s).isNull());
        const QList<QJsonObject> output = lines(fileContent(status.value(u"output_file_id"_s)));
        QCOMPARE(output.size(), 2);
        QCOMPARE(output.at(0).value(u"custom_id"_s).toString(), u"a"_s);
        QCOMPARE(output.at(1).value(u"custom_id"_s).toString(), u"b"_s);
    }

    void linesAreAnsweredLikeLiveCalls_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QJsonObject>("body");
        QTest::newRow("responses, text") << u"/v1/responses"_s << responsesBody(u"Hello there"_s);
        QTest::newRow("responses, schema") << u"/v1/responses"_s << schemaBody(u"Rate this"_s);
        QTest::newRow("chat") << u"/v1/chat/completions"_s
                              << QJsonObject {{u"model"_s, u"sim-small"_s},
                                     {u"messages"_s,
                                         QJsonArray {QJsonObject {{u"role"_s, u"user"_s},
                                             {u"content"_s, u"Hi chat"_s}}}}};
    }

    void linesAreAnsweredLikeLiveCalls()
    {
        QFETCH(QString, endpoint);
        QFETCH(QJsonObject, body);
        const Reply live = send("POST", endpoint, json(body));
        QCOMPARE(live.status, 200);
        const QString id = createBatch(inputLine(u"row-1"_s, body, endpoint), endpoint)
                               .value(u"id"_s)
                               .toString();
        const QJsonObject status = batch(id);
        QCOMPARE(status.value(u"status"_s).toString(), u"completed"_s);
        const QList<QJsonObject> output = lines(fileContent(status.value(u"output_file_id"_s)));
        QCOMPARE(output.size(), 1);
        const QJsonObject response = output.at(0).value(u"response"_s).toObject();
        QCOMPARE(response.value(u"status_code"_s).toInt(), 200);
        QVERIFY(response.value(u"request_id"_s).toString().startsWith(u"req_"_s));
        QVERIFY(output.at(0).value(u"error"_s).isNull());
        QVERIFY(output.at(0).value(u"id"_s).toString().startsWith(u"batch_req_"_s));
        const QJsonObject answer = response.value(u"body"_s).toObject();
        if (endpoint == u"/v1/responses") {
            QCOMPARE(answer.value(u"output"_s)[0][u"content"_s][0][u"text"_s],
                live.body.value(u"output"_s)[0][u"content"_s][0][u"text"_s]);
        } else {
            QCOMPARE(answer.value(u"choices"_s)[0][u"message"_s][u"content"_s],
                live.body.value(u"choices"_s)[0][u"message"_s][u"content"_s]);
        }
        QCOMPARE(answer.value(u"usage"_s), live.body.value(u"usage"_s));
    }

    void aFaultyLineGoesToTheErrorFile()
    {
        QCOMPARE(send("POST", u"/sim/faults"_s, R"({"script":["none","http500","schema_invalid"]})")
                     .status,
            200);
        const QByteArray content = inputLine(u"a"_s, schemaBody(u"x"_s))
            + inputLine(u"b"_s, schemaBody(u"y"_s)) + inputLine(u"c"_s, schemaBody(u"z"_s));
        const QJsonObject status = batch(createBatch(content).value(u"id"_s).toString());
        QCOMPARE(status.value(u"status"_s).toString(), u"completed"_s);
        QCOMPARE(status.value(u"request_counts"_s)[u"completed"_s].toInteger(), 2);
        QCOMPARE(status.value(u"request_counts"_s)[u"failed"_s].toInteger(), 1);
        const QList<QJsonObject> errors = lines(fileContent(status.value(u"error_file_id"_s)));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).value(u"custom_id"_s).toString(), u"b"_s);
        QCOMPARE(errors.at(0).value(u"response"_s)[u"status_code"_s].toInt(), 500);
        QCOMPARE(errors.at(0).value(u"response"_s)[u"body"_s][u"error"_s][u"type"_s].toString(),
            u"server_error"_s);
        const QList<QJsonObject> output = lines(fileContent(status.value(u"output_file_id"_s)));
        QCOMPARE(output.size(), 2);
        QCOMPARE(output.at(1)
                     .value(u"response"_s)[u"body"_s][u"output"_s][0][u"content"_s][0][u"text"_s]
                     .toString(),
            u"{\"sluice_sim_fault\":\"schema_invalid\"}"_s);
    }

    void aLineOnAnotherEndpointFailsTheBatch()
    {
        const QByteArray content = inputLine(u"a"_s, responsesBody(u"x"_s))
            + inputLine(
                u"b"_s, QJsonObject {{u"model"_s, u"sim-small"_s}}, u"/v1/chat/completions"_s);
        const QJsonObject status = batch(createBatch(content).value(u"id"_s).toString());
        QCOMPARE(status.value(u"status"_s).toString(), u"failed"_s);
        const QJsonArray errors = status.value(u"errors"_s)[u"data"_s].toArray();
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0)[u"line"_s].toInt(), 2);
        QVERIFY(status.value(u"output_file_id"_s).isNull());
        QVERIFY(status.value(u"failed_at"_s).isDouble());
    }

    void createAndRouteErrors()
    {
        const QString fileId
            = upload(inputLine(u"a"_s, responsesBody(u"x"_s))).body.value(u"id"_s).toString();
        auto create = [this](const QJsonObject &body) {
            return send("POST", u"/v1/batches"_s, json(body));
        };
        const QJsonObject good {{u"input_file_id"_s, fileId}, {u"endpoint"_s, u"/v1/responses"_s},
            {u"completion_window"_s, u"24h"_s}};
        QJsonObject body = good;
        body.insert(u"input_file_id"_s, u"file-nope"_s);
        QCOMPARE(create(body).status, 400);
        body = good;
        body.insert(u"endpoint"_s, u"/v1/embeddings"_s);
        QCOMPARE(create(body).body.value(u"error"_s)[u"param"_s].toString(), u"endpoint"_s);
        body = good;
        body.insert(u"completion_window"_s, u"1h"_s);
        QCOMPARE(create(body).status, 400);
        body = good;
        body.remove(u"input_file_id"_s);
        QCOMPARE(create(body).body.value(u"error"_s)[u"code"_s].toString(),
            u"missing_required_parameter"_s);
        QCOMPARE(create(good).status, 200);

        QCOMPARE(send("GET", u"/v1/batches/batch_nope"_s).status, 404);
        QCOMPARE(send("GET", u"/v1/batches"_s).status, 405);
        QCOMPARE(send("GET", u"/v1/batches/batch_nope/cancel"_s).status, 405);
        QCOMPARE(send("POST", u"/v1/batches/batch_nope/other"_s).status, 404);
    }

    void cancelledBatchListsTheRowsNeverRun()
    {
        setSpeed({{u"seconds_per_request"_s, kHold}, {u"finalizing_seconds"_s, kHold}});
        const QString id = createBatch(
            inputLine(u"a"_s, responsesBody(u"x"_s)) + inputLine(u"b"_s, responsesBody(u"y"_s)))
                               .value(u"id"_s)
                               .toString();
        QCOMPARE(batch(id).value(u"status"_s).toString(), u"in_progress"_s);
        const Reply cancelled = send("POST", u"/v1/batches/%1/cancel"_s.arg(id));
        QCOMPARE(cancelled.status, 200);
        QCOMPARE(cancelled.body.value(u"status"_s).toString(), u"cancelling"_s);
        QVERIFY(cancelled.body.value(u"cancelling_at"_s).isDouble());

        setSpeed({{u"finalizing_seconds"_s, 0}});
        const QJsonObject status = batch(id);
        QCOMPARE(status.value(u"status"_s).toString(), u"cancelled"_s);
        const QList<QJsonObject> errors = lines(fileContent(status.value(u"error_file_id"_s)));
        QCOMPARE(errors.size(), 2);
        for (const QJsonObject &line : errors) {
            QVERIFY(line.value(u"response"_s).isNull());
            QCOMPARE(line.value(u"error"_s)[u"code"_s].toString(), u"batch_cancelled"_s);
        }
        QCOMPARE(send("POST", u"/v1/batches/%1/cancel"_s.arg(id)).status, 400);
    }

    void expiredBatchKeepsWhatWasDone()
    {
        setSpeed({{u"seconds_per_request"_s, kHold}});
        const QString id
            = createBatch(inputLine(u"a"_s, responsesBody(u"x"_s))).value(u"id"_s).toString();
        QCOMPARE(batch(id).value(u"status"_s).toString(), u"in_progress"_s);
        const Reply expired = send("POST", u"/sim/batch-expire"_s);
        QCOMPARE(expired.body.value(u"expired"_s).toInt(), 1);
        const QJsonObject status = batch(id);
        QCOMPARE(status.value(u"status"_s).toString(), u"expired"_s);
        QVERIFY(status.value(u"expired_at"_s).isDouble());
        const QList<QJsonObject> errors = lines(fileContent(status.value(u"error_file_id"_s)));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).value(u"error"_s)[u"code"_s].toString(), u"batch_expired"_s);
    }

    void anthropicBatchRunsToResults()
    {
        setSpeed({{u"seconds_per_request"_s, kHold}});
        const QJsonObject params = messagesParams(u"Hello Claude"_s);
        QJsonObject broken = params;
        broken.remove(u"max_tokens"_s);
        const QJsonObject request {{u"requests"_s,
            QJsonArray {QJsonObject {{u"custom_id"_s, u"ok-1"_s}, {u"params"_s, params}},
                QJsonObject {{u"custom_id"_s, u"bad-2"_s}, {u"params"_s, broken}}}}};
        const Reply created = send("POST", u"/v1/messages/batches"_s, json(request), kAnthropic);
        QCOMPARE(created.status, 200);
        const QString id = created.body.value(u"id"_s).toString();
        QVERIFY(id.startsWith(u"msgbatch_"_s));
        QCOMPARE(created.body.value(u"type"_s).toString(), u"message_batch"_s);
        QCOMPARE(created.body.value(u"processing_status"_s).toString(), u"in_progress"_s);
        QCOMPARE(created.body.value(u"request_counts"_s)[u"processing"_s].toInt(), 2);
        QVERIFY(created.body.value(u"results_url"_s).isNull());

        const Reply early
            = send("GET", u"/v1/messages/batches/%1/results"_s.arg(id), {}, kAnthropic);
        QCOMPARE(early.status, 400);
        QCOMPARE(early.body.value(u"type"_s).toString(), u"error"_s);

        setSpeed({{u"seconds_per_request"_s, 0}});
        const QJsonObject ended = send("GET", u"/v1/messages/batches/"_s + id, {}, kAnthropic).body;
        QCOMPARE(ended.value(u"processing_status"_s).toString(), u"ended"_s);
        QCOMPARE(ended.value(u"request_counts"_s)[u"succeeded"_s].toInt(), 1);
        QCOMPARE(ended.value(u"request_counts"_s)[u"errored"_s].toInt(), 1);
        const QUrl resultsUrl(ended.value(u"results_url"_s).toString());
        QCOMPARE(resultsUrl.path(), u"/v1/messages/batches/%1/results"_s.arg(id));

        const Reply results = send("GET", resultsUrl.path(), {}, kAnthropic);
        QCOMPARE(results.status, 200);
        const QList<QJsonObject> resultLines = lines(results.raw);
        QCOMPARE(resultLines.size(), 2);
        const Reply live = send("POST", u"/v1/messages"_s, json(params), kAnthropic);
        const QJsonObject succeeded = resultLines.at(0).value(u"result"_s).toObject();
        QCOMPARE(resultLines.at(0).value(u"custom_id"_s).toString(), u"ok-1"_s);
        QCOMPARE(succeeded.value(u"type"_s).toString(), u"succeeded"_s);
        QCOMPARE(succeeded.value(u"message"_s)[u"content"_s], live.body.value(u"content"_s));
        QCOMPARE(succeeded.value(u"message"_s)[u"usage"_s], live.body.value(u"usage"_s));
        const QJsonObject errored = resultLines.at(1).value(u"result"_s).toObject();
        QCOMPARE(errored.value(u"type"_s).toString(), u"errored"_s);
        QCOMPARE(errored.value(u"error"_s)[u"type"_s].toString(), u"error"_s);
        QCOMPARE(errored.value(u"error"_s)[u"error"_s][u"type"_s].toString(),
            u"invalid_request_error"_s);
    }

    void anthropicCancelAndExpiry()
    {
        setSpeed({{u"seconds_per_request"_s, kHold}});
        auto create = [this] {
            const QJsonObject request {{u"requests"_s,
                QJsonArray {QJsonObject {
                    {u"custom_id"_s, u"r1"_s}, {u"params"_s, messagesParams(u"x"_s)}}}}};
            return send("POST", u"/v1/messages/batches"_s, json(request), kAnthropic)
                .body.value(u"id"_s)
                .toString();
        };
        const QString cancelled = create();
        const Reply canceling
            = send("POST", u"/v1/messages/batches/%1/cancel"_s.arg(cancelled), {}, kAnthropic);
        QCOMPARE(canceling.body.value(u"processing_status"_s).toString(), u"canceling"_s);
        QVERIFY(canceling.body.value(u"cancel_initiated_at"_s).isString());
        const QJsonObject ended
            = send("GET", u"/v1/messages/batches/"_s + cancelled, {}, kAnthropic).body;
        QCOMPARE(ended.value(u"processing_status"_s).toString(), u"ended"_s);
        QCOMPARE(ended.value(u"request_counts"_s)[u"canceled"_s].toInt(), 1);
        QCOMPARE(
            lines(send("GET", u"/v1/messages/batches/%1/results"_s.arg(cancelled), {}, kAnthropic)
                      .raw)
                .at(0)
                .value(u"result"_s)[u"type"_s]
                .toString(),
            u"canceled"_s);

        const QString expired = create();
        QCOMPARE(send("POST", u"/sim/batch-expire"_s).body.value(u"expired"_s).toInt(), 1);
        QCOMPARE(
            lines(
                send("GET", u"/v1/messages/batches/%1/results"_s.arg(expired), {}, kAnthropic).raw)
                .at(0)
                .value(u"result"_s)[u"type"_s]
                .toString(),
            u"expired"_s);
    }

    void anthropicCreateErrors_data()
    {
        QTest::addColumn<QJsonObject>("request");
        QTest::addColumn<QString>("message");
        const QJsonObject params = messagesParams(u"x"_s);
        QTest::newRow("no requests") << QJsonObject {} << u"requests"_s;
        QTest::newRow("bad custom_id") << QJsonObject {{u"requests"_s,
            QJsonArray {QJsonObject {{u"custom_id"_s, u"has space"_s}, {u"params"_s, params}}}}}
                                       << u"requests.0.custom_id"_s;
        QTest::newRow("duplicate custom_id") << QJsonObject {{u"requests"_s,
            QJsonArray {QJsonObject {{u"custom_id"_s, u"a"_s}, {u"params"_s, params}},
                QJsonObject {{u"custom_id"_s, u"a"_s}, {u"params"_s, params}}}}}
                                             << u"duplicate custom_id 'a'"_s;
        QTest::newRow("no params")
            << QJsonObject {{u"requests"_s, QJsonArray {QJsonObject {{u"custom_id"_s, u"a"_s}}}}}
            << u"requests.0.params"_s;
    }

    void anthropicCreateErrors()
    {
        QFETCH(QJsonObject, request);
        QFETCH(QString, message);
        const Reply reply = send("POST", u"/v1/messages/batches"_s, json(request), kAnthropic);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.body.value(u"type"_s).toString(), u"error"_s);
        const QString text = reply.body.value(u"error"_s)[u"message"_s].toString();
        QVERIFY2(text.contains(message), qPrintable(text));
    }

    void keysAndVersionAreChecked()
    {
        SimConfig config;
        config.requiredApiKey = "sk-sim-test";
        m_server = startSim(config);
        QCOMPARE(send("GET", u"/v1/batches/batch_x"_s).status, 401);
        QCOMPARE(upload("x").status, 401);
        QCOMPARE(
            send("GET", u"/v1/batches/batch_x"_s, {}, {{"authorization", "Bearer sk-sim-test"}})
                .status,
            404);
        QCOMPARE(
            send("GET", u"/v1/messages/batches/m"_s, {}, {{"x-api-key", "sk-sim-test"}}).status,
            400); // no anthropic-version
        const Reply unknown = send("GET", u"/v1/messages/batches/m"_s, {},
            {{"x-api-key", "sk-sim-test"}, {"anthropic-version", "2023-06-01"}});
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.body.value(u"error"_s)[u"type"_s].toString(), u"not_found_error"_s);
        QCOMPARE(send("GET", u"/v1/messages/batches/m"_s, {},
                     {{"x-api-key", "wrong"}, {"anthropic-version", "2023-06-01"}})
                     .status,
            401);
    }

    void theLogShowsEachLineOnce()
    {
        setSpeed({{u"seconds_per_request"_s, kHold}});
        QByteArray content;
        for (int i = 0; i < 5; ++i)
            content += inputLine(u"row-%1"_s.arg(i), responsesBody(u"text %1"_s.arg(i)));
        const QString id = createBatch(content).value(u"id"_s).toString();
        for (int look = 0; look < 3; ++look)
            QCOMPARE(batch(id).value(u"status"_s).toString(), u"in_progress"_s);
        setSpeed({{u"seconds_per_request"_s, 0}});
        for (int look = 0; look < 3; ++look)
            QCOMPARE(batch(id).value(u"status"_s).toString(), u"completed"_s);

        QHash<QString, int> answered;
        int creates = 0;
        for (const QJsonValue &entry : log()) {
            if (entry[u"path"_s].toString() == u"/v1/batches"
                && entry[u"method"_s].toString() == u"POST") {
                ++creates;
                QCOMPARE(entry[u"batch_id"_s].toString(), id);
            }
            if (!entry[u"custom_id"_s].isString())
                continue;
            QCOMPARE(entry[u"batch_id"_s].toString(), id);
            QCOMPARE(entry[u"path"_s].toString(), u"/v1/responses"_s);
            QCOMPARE(entry[u"status"_s].toInt(), 200);
            QCOMPARE(entry[u"model"_s].toString(), u"sim-small"_s);
            ++answered[entry[u"custom_id"_s].toString()];
        }
        QCOMPARE(creates, 1);
        QCOMPARE(answered.size(), 5);
        for (auto it = answered.cbegin(); it != answered.cend(); ++it)
            QCOMPARE(it.value(), 1);
        // The live counters are untouched: batch lines meet no live limits.
        QCOMPARE(m_server->requestCount(), 0);
    }

    void speedControlRefusesNonsense()
    {
        QCOMPARE(send("POST", u"/sim/batch-speed"_s, R"({"seconds_per_request":-1})").status, 400);
        QCOMPARE(
            send("POST", u"/sim/batch-speed"_s, R"({"finalizing_seconds":"fast"})").status, 400);
        const Reply speed = send("POST", u"/sim/batch-speed"_s, R"({"seconds_per_request":0.5})");
        QCOMPARE(speed.body.value(u"seconds_per_request"_s).toDouble(), 0.5);
        QCOMPARE(speed.body.value(u"validating_seconds"_s).toDouble(), 0.0);
        QCOMPARE(send("POST", u"/sim/reset"_s).status, 200);
        QCOMPARE(send("POST", u"/sim/batch-speed"_s, "{}")
                     .body.value(u"seconds_per_request"_s)
                     .toDouble(),
            BatchSpeed {}.secondsPerRequest);
    }
};

QTEST_GUILESS_MAIN(TestSimBatch)
#include "tst_simbatch.moc"
