// The Batch API dialects (providers/openaibatch.h, providers/anthropicbatch.h):
// the calls they build, the batch objects and the result lines they decode,
// with hand-written wire bodies from the providers' references.
#include "providers/anthropic.h"
#include "providers/anthropicbatch.h"
#include "providers/openaibatch.h"
#include "providers/openaichat.h"
#include "providers/openairesponses.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace sluice;
using namespace Qt::StringLiterals;

using Status = GenerationOutcome::Status;
using State = BatchStatus::State;
using Kind = BatchLineResult::Kind;

namespace {

const QUrl kOpenAi(u"https://api.openai.com/v1"_s);
const QUrl kAnthropic(u"https://api.anthropic.com/v1"_s);

GenerationRequest schemaRequest(const QString &model)
{
    GenerationRequest request;
    request.model = model;
    request.instructions = u"Be brief."_s;
    request.input = u"Capital of France?"_s;
    request.maxOutputTokens = 200;
    request.stream = true; // a batch line never streams
    request.outputSchema = OutputSchema {u"answer"_s,
        QJsonObject {{u"type"_s, u"object"_s},
            {u"properties"_s, QJsonObject {{u"city"_s, QJsonObject {{u"type"_s, u"string"_s}}}}},
            {u"required"_s, QJsonArray {u"city"_s}}, {u"additionalProperties"_s, false}},
        true};
    return request;
}

QJsonObject json(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}

HttpResponse answer(int status, const QJsonObject &body, HttpHeaders headers = {})
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    response.headers = std::move(headers);
    return response;
}

QByteArray jsonl(const QList<QJsonObject> &lines)
{
    QByteArray bytes;
    for (const QJsonObject &line : lines)
        bytes += QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    return bytes;
}

QJsonObject responsesBody(const QString &text)
{
    return QJsonObject {{u"id"_s, u"resp_1"_s}, {u"object"_s, u"response"_s},
        {u"status"_s, u"completed"_s}, {u"model"_s, u"gpt-5-mini-2025-08-07"_s},
        {u"output"_s,
            QJsonArray {QJsonObject {{u"type"_s, u"message"_s}, {u"role"_s, u"assistant"_s},
                {u"content"_s,
                    QJsonArray {QJsonObject {{u"type"_s, u"output_text"_s}, {u"text"_s, text}}}}}}},
        {u"usage"_s,
            QJsonObject {
                {u"input_tokens"_s, 12}, {u"output_tokens"_s, 7}, {u"total_tokens"_s, 19}}}};
}

QByteArray header(const HttpRequest &request, QByteArrayView name)
{
    for (const auto &[key, value] : request.headers) {
        if (name.compare(key, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace

class TestBatchCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAiLineCarriesTheLiveBody_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("url");
        QTest::newRow("responses") << u"openai-responses"_s << u"/v1/responses"_s;
        QTest::newRow("chat") << u"openai-chat"_s << u"/v1/chat/completions"_s;
    }

    void openAiLineCarriesTheLiveBody()
    {
        QFETCH(QString, dialect);
        QFETCH(QString, url);
        std::shared_ptr<const Provider> live;
        if (dialect == u"openai-chat")
            live = std::make_shared<OpenAiChatProvider>(kOpenAi, "sk-test");
        else
            live = std::make_shared<OpenAiResponsesProvider>(kOpenAi, "sk-test");
        const OpenAiBatchApi api(live);
        QCOMPARE(api.endpoint(), url);

        const GenerationRequest request = schemaRequest(u"gpt-5-mini"_s);
        const QByteArray line = api.inputLine(u"row-1"_s, request);
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        const QJsonObject object = json(line);
        QCOMPARE(object.value(u"custom_id"_s).toString(), u"row-1"_s);
        QCOMPARE(object.value(u"method"_s).toString(), u"POST"_s);
        QCOMPARE(object.value(u"url"_s).toString(), url);
        GenerationRequest plain = request;
        plain.stream = false;
        QCOMPARE(object.value(u"body"_s).toObject(), json(live->encode(plain).body));
        QVERIFY(!object.value(u"body"_s).toObject().contains(u"stream"_s));
    }

    void openAiCalls()
    {
        const OpenAiBatchApi api(std::make_shared<OpenAiResponsesProvider>(
            QUrl(u"http://127.0.0.1:8080/v1/"_s), "sk-secret"));
        const BatchCall upload = api.uploadFile("{\"a\":1}\n", u"rows.jsonl"_s);
        QCOMPARE(upload.method, BatchCall::Method::Post);
        QCOMPARE(upload.url.toString(), u"http://127.0.0.1:8080/v1/files"_s);
        QCOMPARE(header(upload, "authorization"), QByteArray("Bearer sk-secret"));
        const QByteArray type = header(upload, "content-type");
        QVERIFY2(type.startsWith("multipart/form-data; boundary="), type.constData());
        const QByteArray boundary = type.mid(type.indexOf('=') + 1);
        const QByteArray &body = upload.body;
        QVERIFY(body.startsWith("--" + boundary + "\r\n"));
        QVERIFY(body.contains("name=\"purpose\"\r\n\r\nbatch\r\n"));
        QVERIFY(body.contains("name=\"file\"; filename=\"rows.jsonl\""));
        QVERIFY(body.contains("\r\n\r\n{\"a\":1}\n\r\n--" + boundary + "--\r\n"));

        const BatchCall create = api.createBatch(u"file-1"_s, {{u"run"_s, u"r1"_s}});
        QCOMPARE(create.method, BatchCall::Method::Post);
        QCOMPARE(create.url.toString(), u"http://127.0.0.1:8080/v1/batches"_s);
        QCOMPARE(json(create.body),
            (QJsonObject {{u"input_file_id"_s, u"file-1"_s}, {u"endpoint"_s, u"/v1/responses"_s},
                {u"completion_window"_s, u"24h"_s},
                {u"metadata"_s, QJsonObject {{u"run"_s, u"r1"_s}}}}));

        const BatchCall retrieve = api.retrieveBatch(u"batch_1"_s);
        QCOMPARE(retrieve.method, BatchCall::Method::Get);
        QCOMPARE(retrieve.url.toString(), u"http://127.0.0.1:8080/v1/batches/batch_1"_s);
        QVERIFY(retrieve.body.isEmpty());
        QCOMPARE(header(retrieve, "authorization"), QByteArray("Bearer sk-secret"));
        const BatchCall cancel = api.cancelBatch(u"batch_1"_s);
        QCOMPARE(cancel.method, BatchCall::Method::Post);
        QCOMPARE(cancel.url.path(), u"/v1/batches/batch_1/cancel"_s);
        const BatchCall content = api.fileContent(u"file-9"_s);
        QCOMPARE(content.method, BatchCall::Method::Get);
        QCOMPARE(content.url.path(), u"/v1/files/file-9/content"_s);
    }

    void openAiBatchStatuses_data()
    {
        QTest::addColumn<QString>("wire");
        QTest::addColumn<State>("state");
        QTest::addColumn<bool>("final");
        QTest::addColumn<bool>("results");
        QTest::newRow("validating") << u"validating"_s << State::Validating << false << false;
        QTest::newRow("in_progress") << u"in_progress"_s << State::InProgress << false << false;
        QTest::newRow("finalizing") << u"finalizing"_s << State::Finalizing << false << false;
        QTest::newRow("completed") << u"completed"_s << State::Completed << true << true;
        QTest::newRow("failed") << u"failed"_s << State::Failed << true << false;
        QTest::newRow("expired") << u"expired"_s << State::Expired << true << true;
        QTest::newRow("cancelling") << u"cancelling"_s << State::Cancelling << false << false;
        QTest::newRow("cancelled") << u"cancelled"_s << State::Cancelled << true << true;
    }

    void openAiBatchStatuses()
    {
        QFETCH(QString, wire);
        QFETCH(State, state);
        QFETCH(bool, final);
        QFETCH(bool, results);
        const OpenAiBatchApi api(std::make_shared<OpenAiResponsesProvider>(kOpenAi, "k"));
        const BatchReply<BatchStatus> reply = api.decodeBatch(answer(200,
            {{u"id"_s, u"batch_abc"_s}, {u"object"_s, u"batch"_s}, {u"status"_s, wire},
                {u"output_file_id"_s, u"file-out"_s}, {u"error_file_id"_s, QJsonValue()},
                {u"request_counts"_s,
                    QJsonObject {{u"total"_s, 50}, {u"completed"_s, 45}, {u"failed"_s, 3}}}}));
        QVERIFY(reply.ok());
        const BatchStatus &status = *reply.value;
        QCOMPARE(status.id, u"batch_abc"_s);
        QCOMPARE(status.state, state);
        QCOMPARE(status.providerStatus, wire);
        QCOMPARE(status.isFinal(), final);
        QCOMPARE(status.hasResults(), results);
        QCOMPARE(status.total, 50);
        QCOMPARE(status.succeeded, 45);
        QCOMPARE(status.failed, 3);
        QCOMPARE(status.outputFileId, u"file-out"_s);
        QVERIFY(status.errorFileId.isEmpty());
    }

    void openAiFailedBatchSaysWhy()
    {
        const OpenAiBatchApi api(std::make_shared<OpenAiResponsesProvider>(kOpenAi, "k"));
        const BatchReply<BatchStatus> reply = api.decodeBatch(answer(200,
            {{u"id"_s, u"batch_abc"_s}, {u"status"_s, u"failed"_s},
                {u"errors"_s,
                    QJsonObject {{u"object"_s, u"list"_s},
                        {u"data"_s,
                            QJsonArray {QJsonObject {{u"code"_s, u"invalid_url"_s},
                                {u"message"_s, u"bad url"_s}, {u"line"_s, 3}}}}}}}));
        QVERIFY(reply.ok());
        QCOMPARE(reply.value->errors, QStringList {u"line 3: bad url (invalid_url)"_s});
    }

    void openAiCallFailuresDecodeAsLiveErrors()
    {
        const OpenAiBatchApi api(std::make_shared<OpenAiResponsesProvider>(kOpenAi, "k"));
        const BatchReply<BatchStatus> limited = api.decodeBatch(answer(429,
            {{u"error"_s,
                QJsonObject {{u"message"_s, u"slow down"_s}, {u"type"_s, u"requests"_s},
                    {u"code"_s, u"rate_limit_exceeded"_s}}}},
            {{"retry-after-ms", "1500"}}));
        QVERIFY(!limited.ok());
        QCOMPARE(limited.failure.errorClass, ErrorClass::RateLimited);
        QVERIFY(limited.failure.hints.retryAfter.has_value());
        QCOMPARE(
            std::chrono::duration_cast<std::chrono::milliseconds>(*limited.failure.hints.retryAfter)
                .count(),
            1500);

        const BatchReply<QString> auth = api.decodeFile(answer(401,
            {{u"error"_s,
                QJsonObject {
                    {u"message"_s, u"Incorrect API key"_s}, {u"code"_s, u"invalid_api_key"_s}}}}));
        QCOMPARE(auth.failure.errorClass, ErrorClass::Auth);

        HttpResponse lost;
        lost.transportError = ErrorClass::Network;
        lost.transportMessage = u"connection refused"_s;
        QCOMPARE(api.decodeBatch(lost).failure.errorClass, ErrorClass::Network);
        QCOMPARE(api.decodeBatch(answer(200, {{u"object"_s, u"batch"_s}})).failure.errorClass,
            ErrorClass::MalformedResponse);
        HttpResponse notJson;
        notJson.status = 200;
        notJson.body = "<html>";
        QCOMPARE(api.decodeFile(notJson).failure.errorClass, ErrorClass::MalformedResponse);
        QCOMPARE(*api.decodeFile(answer(200, {{u"id"_s, u"file-7"_s}})).value, u"file-7"_s);
    }

    void openAiResultLines()
    {
        const OpenAiBatchApi api(std::make_shared<OpenAiResponsesProvider>(kOpenAi, "k"));
        const QByteArray file
            = jsonl({
                  {{u"id"_s, u"batch_req_1"_s}, {u"custom_id"_s, u"ok"_s},
                      {u"response"_s,
                          QJsonObject {{u"status_code"_s, 200}, {u"request_id"_s, u"req_9"_s},
                              {u"body"_s, responsesBody(u"{\"city\":\"Paris\"}"_s)}}},
                      {u"error"_s, QJsonValue()}},
                  {{u"id"_s, u"batch_req_2"_s}, {u"custom_id"_s, u"bad"_s},
                      {u"response"_s,
                          QJsonObject {{u"status_code"_s, 400},
                              {u"body"_s,
                                  QJsonObject {{u"error"_s,
                                      QJsonObject {{u"message"_s, u"Invalid 'model'"_s},
                                          {u"type"_s, u"invalid_request_error"_s}}}}}}},
                      {u"error"_s, QJsonValue()}},
                  {{u"id"_s, u"batch_req_3"_s}, {u"custom_id"_s, u"late"_s},
                      {u"response"_s, QJsonValue()},
                      {u"error"_s,
                          QJsonObject {{u"code"_s, u"batch_expired"_s},
                              {u"message"_s,
                                  u"This request could not be executed before the "
                                  "completion window expired."_s}}}},
                  {{u"id"_s, u"batch_req_4"_s}, {u"custom_id"_s, u"stopped"_s},
                      {u"response"_s, QJsonValue()},
                      {u"error"_s,
                          QJsonObject {
                              {u"code"_s, u"batch_cancelled"_s}, {u"message"_s, u"cancelled"_s}}}},
              })
            + "not json\n\n";
        QStringList problems;
        const QList<BatchLineResult> results = api.decodeResults(file, &problems);
        QCOMPARE(results.size(), 4);
        QCOMPARE(problems, QStringList {u"line 5: not a result line with a custom_id"_s});

        const BatchLineResult &ok = results.at(0);
        QCOMPARE(ok.customId, u"ok"_s);
        QCOMPARE(ok.kind, Kind::Answered);
        QCOMPARE(ok.outcome.status, Status::Completed);
        QCOMPARE(ok.outcome.text, u"{\"city\":\"Paris\"}"_s);
        QCOMPARE(ok.outcome.usage.input, 12);
        QCOMPARE(ok.outcome.usage.output, 7);
        QCOMPARE(ok.outcome.requestId, u"req_9"_s);
        QCOMPARE(ok.outcome.model, u"gpt-5-mini-2025-08-07"_s);

        QCOMPARE(results.at(1).kind, Kind::Answered);
        QCOMPARE(results.at(1).outcome.status, Status::Failed);
        QCOMPARE(results.at(1).outcome.errorClass, ErrorClass::BadRequest);
        QCOMPARE(results.at(1).outcome.httpStatus, 400);

        QCOMPARE(results.at(2).kind, Kind::Expired);
        QCOMPARE(results.at(2).outcome.errorClass, ErrorClass::Timeout);
        QCOMPARE(results.at(2).outcome.errorCode, u"batch_expired"_s);
        QCOMPARE(results.at(3).kind, Kind::Cancelled);
        QCOMPARE(results.at(3).outcome.status, Status::Failed);
    }

    void anthropicEntryCarriesTheLiveBody()
    {
        const auto live = std::make_shared<AnthropicProvider>(kAnthropic, "sk-ant-secret");
        const AnthropicBatchApi api(live);
        const GenerationRequest request = schemaRequest(u"claude-sonnet-4-5"_s);
        const QJsonObject entry = json(api.requestEntry(u"row-1"_s, request));
        QCOMPARE(entry.value(u"custom_id"_s).toString(), u"row-1"_s);
        GenerationRequest plain = request;
        plain.stream = false;
        QCOMPARE(entry.value(u"params"_s).toObject(), live->encodeBody(plain));
        QVERIFY(!entry.value(u"params"_s).toObject().contains(u"stream"_s));

        const BatchCall create = api.createBatch(
            {api.requestEntry(u"a"_s, request), api.requestEntry(u"b"_s, request)});
        QCOMPARE(create.method, BatchCall::Method::Post);
        QCOMPARE(create.url.toString(), u"https://api.anthropic.com/v1/messages/batches"_s);
        QCOMPARE(header(create, "x-api-key"), QByteArray("sk-ant-secret"));
        QCOMPARE(header(create, "anthropic-version"), QByteArray("2023-06-01"));
        const QJsonArray requests = json(create.body).value(u"requests"_s).toArray();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(1)[u"custom_id"_s].toString(), u"b"_s);

        QCOMPARE(api.retrieveBatch(u"msgbatch_1"_s).method, BatchCall::Method::Get);
        QCOMPARE(
            api.retrieveBatch(u"msgbatch_1"_s).url.path(), u"/v1/messages/batches/msgbatch_1"_s);
        QCOMPARE(api.cancelBatch(u"msgbatch_1"_s).url.path(),
            u"/v1/messages/batches/msgbatch_1/cancel"_s);
        BatchStatus status;
        status.id = u"msgbatch_1"_s;
        QCOMPARE(api.results(status).url.path(), u"/v1/messages/batches/msgbatch_1/results"_s);
        status.resultsUrl = QUrl(u"https://files.example/msgbatch_1/results"_s);
        QCOMPARE(api.results(status).url, status.resultsUrl);
        QCOMPARE(api.results(status).method, BatchCall::Method::Get);
    }

    void anthropicBatchStatuses_data()
    {
        QTest::addColumn<QString>("wire");
        QTest::addColumn<bool>("cancelInitiated");
        QTest::addColumn<State>("state");
        QTest::newRow("in_progress") << u"in_progress"_s << false << State::InProgress;
        QTest::newRow("canceling") << u"canceling"_s << true << State::Cancelling;
        QTest::newRow("ended") << u"ended"_s << false << State::Completed;
        QTest::newRow("ended after a cancel") << u"ended"_s << true << State::Cancelled;
    }

    void anthropicBatchStatuses()
    {
        QFETCH(QString, wire);
        QFETCH(bool, cancelInitiated);
        QFETCH(State, state);
        const AnthropicBatchApi api(std::make_shared<AnthropicProvider>(kAnthropic, "k"));
        const BatchReply<BatchStatus> reply = api.decodeBatch(answer(200,
            {{u"id"_s, u"msgbatch_1"_s}, {u"type"_s, u"message_batch"_s},
                {u"processing_status"_s, wire},
                {u"cancel_initiated_at"_s,
                    cancelInitiated ? QJsonValue(u"2026-11-30T04:00:00Z"_s) : QJsonValue()},
                {u"results_url"_s,
                    wire == u"ended" ? QJsonValue(u"https://x/results"_s) : QJsonValue()},
                {u"request_counts"_s,
                    QJsonObject {{u"processing"_s, 4}, {u"succeeded"_s, 10}, {u"errored"_s, 3},
                        {u"canceled"_s, 2}, {u"expired"_s, 1}}}}));
        QVERIFY(reply.ok());
        QCOMPARE(reply.value->state, state);
        QCOMPARE(reply.value->total, 20);
        QCOMPARE(reply.value->succeeded, 10);
        QCOMPARE(reply.value->failed, 3);
        QCOMPARE(reply.value->cancelled, 2);
        QCOMPARE(reply.value->expired, 1);
        QCOMPARE(reply.value->resultsUrl.isEmpty(), wire != u"ended");

        const BatchReply<BatchStatus> overloaded = api.decodeBatch(answer(529,
            {{u"type"_s, u"error"_s},
                {u"error"_s,
                    QJsonObject {{u"type"_s, u"overloaded_error"_s}, {u"message"_s, u"busy"_s}}}}));
        QCOMPARE(overloaded.failure.errorClass, ErrorClass::Overloaded);
    }

    void anthropicResultLines()
    {
        const AnthropicBatchApi api(std::make_shared<AnthropicProvider>(kAnthropic, "k"));
        const QJsonObject message {{u"id"_s, u"msg_1"_s}, {u"type"_s, u"message"_s},
            {u"role"_s, u"assistant"_s}, {u"model"_s, u"claude-sonnet-4-5"_s},
            {u"content"_s,
                QJsonArray {QJsonObject {{u"type"_s, u"tool_use"_s}, {u"id"_s, u"toolu_1"_s},
                    {u"name"_s, u"answer"_s},
                    {u"input"_s, QJsonObject {{u"city"_s, u"Paris"_s}}}}}},
            {u"stop_reason"_s, u"tool_use"_s},
            {u"usage"_s,
                QJsonObject {{u"input_tokens"_s, 20}, {u"cache_read_input_tokens"_s, 5},
                    {u"cache_creation_input_tokens"_s, 0}, {u"output_tokens"_s, 9}}}};
        auto errored = [](const QString &type) {
            return QJsonObject {{u"type"_s, u"errored"_s},
                {u"error"_s,
                    QJsonObject {{u"type"_s, u"error"_s},
                        {u"error"_s, QJsonObject {{u"type"_s, type}, {u"message"_s, u"no"_s}}}}}};
        };
        const QByteArray file = jsonl({
            {{u"custom_id"_s, u"ok"_s},
                {u"result"_s, QJsonObject {{u"type"_s, u"succeeded"_s}, {u"message"_s, message}}}},
            {{u"custom_id"_s, u"bad"_s}, {u"result"_s, errored(u"invalid_request_error"_s)}},
            {{u"custom_id"_s, u"busy"_s}, {u"result"_s, errored(u"overloaded_error"_s)}},
            {{u"custom_id"_s, u"stopped"_s},
                {u"result"_s, QJsonObject {{u"type"_s, u"canceled"_s}}}},
            {{u"custom_id"_s, u"late"_s}, {u"result"_s, QJsonObject {{u"type"_s, u"expired"_s}}}},
            {{u"custom_id"_s, u"odd"_s}, {u"result"_s, QJsonObject {{u"type"_s, u"later"_s}}}},
        });
        QStringList problems;
        const QList<BatchLineResult> results = api.decodeResults(file, &problems);
        QCOMPARE(problems, QStringList {u"line 6: unknown result type 'later'"_s});
        QCOMPARE(results.size(), 5);
        QCOMPARE(results.at(0).kind, Kind::Answered);
        QCOMPARE(results.at(0).outcome.status, Status::Completed);
        QCOMPARE(results.at(0).outcome.text, u"{\"city\":\"Paris\"}"_s);
        QCOMPARE(results.at(0).outcome.usage.input, 25); // normalised: cache reads included
        QCOMPARE(results.at(0).outcome.usage.cached, 5);
        QCOMPARE(results.at(0).outcome.usage.output, 9);
        QCOMPARE(results.at(1).outcome.errorClass, ErrorClass::BadRequest);
        QCOMPARE(results.at(1).outcome.httpStatus, 400);
        QCOMPARE(results.at(2).outcome.errorClass, ErrorClass::Overloaded);
        QCOMPARE(results.at(3).kind, Kind::Cancelled);
        QCOMPARE(results.at(4).kind, Kind::Expired);
        QCOMPARE(results.at(4).outcome.errorClass, ErrorClass::Timeout);
    }

    void keysStayOutOfDecodedErrors()
    {
        const OpenAiBatchApi api(std::make_shared<OpenAiResponsesProvider>(kOpenAi, "sk-MARKER"));
        const BatchReply<BatchStatus> reply = api.decodeBatch(answer(
            404, {{u"error"_s, QJsonObject {{u"message"_s, u"No batch found with id 'x'."_s}}}}));
        QCOMPARE(reply.failure.errorClass, ErrorClass::NotFound);
        QVERIFY(!reply.failure.errorMessage.contains(u"MARKER"_s));
    }
};

QTEST_GUILESS_MAIN(TestBatchCodec)
#include "tst_batchcodec.moc"
