#include "exchangetesting.h"
#include "providers/openairesponses.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace sluice;
using sluice::test::loadExchange;
using sluice::test::readTestData;
using sluice::test::streamThrough;
using sluice::test::tokens;

using Status = GenerationOutcome::Status;

namespace {

OpenAiResponsesProvider provider()
{
    return OpenAiResponsesProvider(QUrl(u"https://api.openai.com/v1"_qs), "sk-test-key");
}

// One decoded body and what it must decode to. `httpStatus` is used when no
// `.meta.json` recorded it (the documentation examples and hand-written files).
struct FixtureCase
{
    const char *name;
    QString path;
    int httpStatus;
    Status status;
    QString textStart;
    TokenUsage usage;
    QString errorClass;
    QString requestId;
};

const QString kRecordedStream
    = u"recorded-openai/newrelic-python-agent/17_responses_200_stream.sse"_qs;

const QList<FixtureCase> &fixtureCases()
{
    const QString nr = u"recorded-openai/newrelic-python-agent/"_qs;
    const QString ex = u"recorded-openai/openapi-examples/"_qs;
    static const QList<FixtureCase> cases = {
        {"newrelic 14: plain answer", nr + u"14_responses_200.json"_qs, 0, Status::Completed,
            u"six"_qs, tokens(33, 0, 11, 0), {}, u"req_d1266ca570484342b5fd1b897dde95c3"_qs},
        {"newrelic 15: JSON answer", nr + u"15_responses_200.json"_qs, 0, Status::Completed,
            u"{\"count\":6}"_qs, tokens(68, 0, 19, 0), {},
            u"req_c70a38cacc144d4d87a10cd018a98e06"_qs},
        {"newrelic 16: unknown model", nr + u"16_responses_400.json"_qs, 0, Status::Failed, {}, {},
            u"not_found"_qs, u"req_4306870cef6b4870b27586cafaf08c5c"_qs},
        {"newrelic 18: unknown model, stream requested", nr + u"18_responses_400_stream.json"_qs, 0,
            Status::Failed, {}, {}, u"not_found"_qs, u"req_dd4bcf4889c6469fb37d6e5d609e1f32"_qs},
        {"vercel: insufficient quota",
            u"recorded-openai/vercel-ai/responses__openai-error.1.json"_qs, 429, Status::Failed, {},
            {}, u"quota_exhausted"_qs, {}},
        {"example 0: text input", ex + u"responses__0_text_input.response.txt"_qs, 200,
            Status::Completed, u"In a peaceful grove beneath a silver moon"_qs,
            tokens(36, 0, 87, 0), {}, {}},
        {"example 1: image input", ex + u"responses__1_image_input.response.txt"_qs, 200,
            Status::Completed, u"The image depicts a scenic landscape"_qs, tokens(328, 0, 52, 0),
            {}, {}},
        {"example 2: file input", ex + u"responses__2_file_input.response.txt"_qs, 200,
            Status::Completed, u"The file seems to contain excerpts"_qs, tokens(8438, 0, 398, 0),
            {}, {}},
        {"example 3: web search item first", ex + u"responses__3_web_search.response.txt"_qs, 200,
            Status::Completed, u"As of today, March 9, 2025"_qs, tokens(328, 0, 356, 0), {}, {}},
        {"example 4: file search item first", ex + u"responses__4_file_search.response.txt"_qs, 200,
            Status::Completed, u"The attributes of an ancient brown dragon"_qs,
            tokens(18307, 0, 348, 0), {}, {}},
        {"example 6: function call, no text, no input details",
            ex + u"responses__6_functions.response.txt"_qs, 200, Status::Completed, {},
            tokens(291, 0, 23, 0), {}, {}},
        {"example 7: reasoning tokens inside output",
            ex + u"responses__7_reasoning.response.txt"_qs, 200, Status::Completed,
            u"The classic tongue twister"_qs, tokens(81, 0, 1035, 832), {}, {}},
        {"own: refusal", u"responses/refusal.json"_qs, 200, Status::Refused, {},
            tokens(20, 0, 7, 0), u"refused"_qs, {}},
        {"own: incomplete", u"responses/incomplete_max_tokens.json"_qs, 200, Status::Incomplete,
            u"Once upon a"_qs, tokens(12, 0, 16, 0), u"incomplete"_qs, {}},
        {"own: failed with server_error", u"responses/failed_server_error.json"_qs, 200,
            Status::Failed, {}, {}, u"server"_qs, {}},
        {"own: reasoning item first, cached tokens", u"responses/reasoning_first.json"_qs, 200,
            Status::Completed, u"Paris is the capital."_qs, tokens(1200, 1024, 300, 256), {}, {}},
    };
    return cases;
}

} // namespace

class TestOpenAiResponses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesFixture_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < fixtureCases().size(); ++i)
            QTest::newRow(fixtureCases()[i].name) << i;
    }

    void decodesFixture()
    {
        QFETCH(int, index);
        const FixtureCase &expected = fixtureCases()[index];
        const GenerationOutcome outcome
            = provider().decode(loadExchange(expected.path, expected.httpStatus));
        QCOMPARE(outcome.status, expected.status);
        QCOMPARE(errorClassName(outcome.errorClass), expected.errorClass);
        if (expected.textStart.isEmpty())
            QVERIFY2(outcome.text.isEmpty(), qPrintable(outcome.text));
        else
            QVERIFY2(outcome.text.startsWith(expected.textStart), qPrintable(outcome.text));
        QCOMPARE(outcome.usage, expected.usage);
        QCOMPARE(outcome.requestId, expected.requestId);
        if (outcome.status == Status::Failed)
            QVERIFY(!outcome.errorMessage.isEmpty());
        if (outcome.status == Status::Refused)
            QCOMPARE(outcome.refusal, u"I can't help with that."_qs);
        if (outcome.status == Status::Incomplete)
            QCOMPARE(outcome.incompleteReason, u"max_output_tokens"_qs);
    }

    // Every non-streaming Responses API body among the recorded fixtures is
    // in the table, so a fixture added later cannot be silently left out.
    void everyRecordedResponsesBodyIsCovered()
    {
        QStringList tabled;
        for (const FixtureCase &fixture : fixtureCases())
            tabled.append(fixture.path);
        const QStringList recorded = sluice::test::recordedBodies(
            {u"*responses*.json"_qs, u"responses__*.response.txt"_qs});
        for (const QString &path : recorded)
            QVERIFY2(tabled.contains(path), qPrintable(path + u" is not decoded by a test"_qs));
        QCOMPARE(recorded.size(), 12);
    }

    void failedTransportKeepsItsClass()
    {
        HttpResponse response;
        response.transportError = ErrorClass::Timeout;
        response.transportMessage = u"no answer"_qs;
        const GenerationOutcome outcome = provider().decode(response);
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::Timeout);
        QCOMPARE(outcome.httpStatus, 0);
    }

    void nonJsonAnswerIsMalformed()
    {
        HttpResponse response;
        response.status = 200;
        response.body = "<html>gateway</html>";
        const GenerationOutcome outcome = provider().decode(response);
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::MalformedResponse);
    }

    void errorStatusesWithoutBody_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<ErrorClass>("errorClass");
        QTest::newRow("400") << 400 << ErrorClass::BadRequest;
        QTest::newRow("401") << 401 << ErrorClass::Auth;
        QTest::newRow("403") << 403 << ErrorClass::Auth;
        QTest::newRow("404") << 404 << ErrorClass::NotFound;
        QTest::newRow("408") << 408 << ErrorClass::Timeout;
        QTest::newRow("422") << 422 << ErrorClass::BadRequest;
        QTest::newRow("429") << 429 << ErrorClass::RateLimited;
        QTest::newRow("500") << 500 << ErrorClass::Server;
        QTest::newRow("503") << 503 << ErrorClass::Server;
        QTest::newRow("529") << 529 << ErrorClass::Overloaded;
    }

    void errorStatusesWithoutBody()
    {
        QFETCH(int, httpStatus);
        QFETCH(ErrorClass, errorClass);
        HttpResponse response;
        response.status = httpStatus;
        response.body = "upstream error";
        const GenerationOutcome outcome = provider().decode(response);
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, errorClass);
        QCOMPARE(outcome.httpStatus, httpStatus);
    }

    void encodesRequest()
    {
        GenerationRequest request;
        request.model = u"gpt-5-mini"_qs;
        request.instructions = u"Be brief."_qs;
        request.input = u"Hello"_qs;
        request.maxOutputTokens = 64;
        request.outputSchema
            = OutputSchema {u"answer"_qs, QJsonObject {{u"type"_qs, u"object"_qs}}, true};

        const HttpRequest http
            = OpenAiResponsesProvider(QUrl(u"http://127.0.0.1:9/v1/"_qs), "k").encode(request);
        QCOMPARE(http.url.toString(), u"http://127.0.0.1:9/v1/responses"_qs);
        QVERIFY(http.headers.contains({"Authorization", "Bearer k"}));
        const QJsonObject body = QJsonDocument::fromJson(http.body).object();
        QCOMPARE(body.value(u"model").toString(), u"gpt-5-mini"_qs);
        QCOMPARE(body.value(u"instructions").toString(), u"Be brief."_qs);
        QCOMPARE(body.value(u"input").toString(), u"Hello"_qs);
        QCOMPARE(body.value(u"max_output_tokens").toInt(), 64);
        QCOMPARE(body.value(u"store").toBool(true), false);
        QVERIFY(!body.contains(u"stream"));
        const QJsonObject format = body.value(u"text").toObject().value(u"format").toObject();
        QCOMPARE(format.value(u"type").toString(), u"json_schema"_qs);
        QCOMPARE(format.value(u"name").toString(), u"answer"_qs);
        QCOMPARE(format.value(u"strict").toBool(), true);
        QCOMPARE(format.value(u"schema").toObject().value(u"type").toString(), u"object"_qs);
    }

    // The recorded stream, fed whole, in 7-byte chunks and byte by byte.
    void decodesRecordedStream_data()
    {
        QTest::addColumn<qsizetype>("chunkSize");
        QTest::newRow("whole") << qsizetype(0);
        QTest::newRow("7 bytes") << qsizetype(7);
        QTest::newRow("1 byte") << qsizetype(1);
    }

    void decodesRecordedStream()
    {
        QFETCH(qsizetype, chunkSize);
        const auto [outcome, deltas]
            = streamThrough(provider(), loadExchange(kRecordedStream, 200), chunkSize);
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(outcome.text, u"six"_qs);
        QCOMPARE(deltas, QStringList {u"six"_qs});
        QCOMPARE(outcome.usage, tokens(33, 0, 11, 0));
        QVERIFY(outcome.hasUsage);
        QCOMPARE(outcome.httpStatus, 200);
        QCOMPARE(outcome.requestId, u"req_fbfda88bc0894e559d9072ca8c3084cc"_qs);
        QCOMPARE(outcome.responseId, u"resp_084003240a4a517f006a5eb79531888198a839b9300e4e2a27"_qs);
        QCOMPARE(outcome.hints.remainingRequests, 9999);
    }

    // The documentation example has literal `...` lines between events: an
    // unknown field to SSE, so what is there still decodes.
    void decodesDocumentedStreamWithGaps()
    {
        const auto [outcome, deltas] = streamThrough(provider(),
            loadExchange(
                u"recorded-openai/openapi-examples/responses__5_streaming.response.txt"_qs, 200));
        QVERIFY2(outcome.status == Status::Completed, qPrintable(outcome.errorMessage));
        QCOMPARE(deltas, QStringList {u"Hi"_qs});
        QCOMPARE(outcome.text, u"Hi there! How can I assist you today?"_qs);
        QCOMPARE(outcome.usage, tokens(37, 0, 11, 0));
    }

    // vercel-ai's recorded stream: an `error` event (insufficient_quota), then
    // response.failed.
    void errorEventInStreamIsQuotaExhausted()
    {
        HttpResponse head;
        head.status = 200;
        head.body = sluice::test::chunksToSse(
            readTestData(u"recorded-openai/vercel-ai/responses__openai-error.1.chunks.txt"_qs));
        const auto [outcome, deltas] = streamThrough(provider(), head, 64);
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::QuotaExhausted);
        QCOMPARE(outcome.errorCode, u"insufficient_quota"_qs);
        QVERIFY(outcome.errorMessage.startsWith(u"You exceeded your current quota"));
        QVERIFY(deltas.isEmpty());
    }

    void failedTerminalEventKeepsItsClass()
    {
        HttpResponse head;
        head.status = 200;
        head.body = "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":"
                    "{\"object\":\"response\",\"status\":\"failed\",\"error\":{\"code\":"
                    "\"server_error\",\"message\":\"boom\"},\"output\":[]}}\n\n";
        const GenerationOutcome outcome = streamThrough(provider(), head).outcome;
        QCOMPARE(outcome.errorClass, ErrorClass::Server);
        QCOMPARE(outcome.errorMessage, u"boom"_qs);
    }

    void refusalDeltasAreNotText()
    {
        HttpResponse head;
        head.status = 200;
        head.body = "data: {\"type\":\"response.refusal.delta\",\"delta\":\"I can't\"}\n\n"
                    "data: {\"type\":\"response.refusal.delta\",\"delta\":\" help.\"}\n\n"
                    "data: {\"type\":\"response.completed\",\"response\":{\"object\":"
                    "\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"message\","
                    "\"content\":[{\"type\":\"refusal\",\"refusal\":\"I can't help.\"}]}],"
                    "\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}}\n\n";
        const auto [outcome, deltas] = streamThrough(provider(), head, 5);
        QCOMPARE(outcome.status, Status::Refused);
        QCOMPARE(outcome.errorClass, ErrorClass::Refused);
        QCOMPARE(outcome.refusal, u"I can't help."_qs);
        QVERIFY(outcome.text.isEmpty());
        QVERIFY(deltas.isEmpty());
        QCOMPARE(outcome.usage, tokens(5, 0, 3, 0));
    }

    void incompleteTerminalEvent()
    {
        HttpResponse head;
        head.status = 200;
        head.body
            = "data: {\"type\":\"response.output_text.delta\",\"delta\":\"Once\"}\n\n"
              "data: {\"type\":\"response.incomplete\",\"response\":{\"object\":"
              "\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":"
              "\"max_output_tokens\"},\"usage\":{\"input_tokens\":4,\"output_tokens\":16}}}\n\n";
        const GenerationOutcome outcome = streamThrough(provider(), head).outcome;
        QCOMPARE(outcome.status, Status::Incomplete);
        QCOMPARE(outcome.incompleteReason, u"max_output_tokens"_qs);
        QCOMPARE(outcome.text, u"Once"_qs); // the terminal event had no output: streamed text
        QCOMPARE(outcome.usage, tokens(4, 0, 16, 0));
    }

    void streamWithoutTerminalEventIsTruncated()
    {
        HttpResponse head = loadExchange(kRecordedStream, 200);
        head.body = sluice::test::cutBefore(head.body, "event: response.completed");
        const auto [outcome, deltas] = streamThrough(provider(), head, 3);
        QCOMPARE(deltas, QStringList {u"six"_qs});
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::TruncatedStream);
        QCOMPARE(outcome.text, u"six"_qs);
        QVERIFY(!outcome.hasUsage);
        QCOMPARE(outcome.requestId, u"req_fbfda88bc0894e559d9072ca8c3084cc"_qs);

        head.transportError = ErrorClass::Timeout;
        head.transportMessage = u"idle timeout"_qs;
        QCOMPARE(streamThrough(provider(), head).outcome.errorClass, ErrorClass::Timeout);
    }

    void emptyStreamIsTruncated()
    {
        HttpResponse head;
        head.status = 200;
        QCOMPARE(streamThrough(provider(), head).outcome.errorClass, ErrorClass::TruncatedStream);
        head.body = ": keep-alive\n\n";
        QCOMPARE(streamThrough(provider(), head).outcome.errorClass, ErrorClass::TruncatedStream);
    }

    void badEventDataIsMalformed()
    {
        HttpResponse head;
        head.status = 200;
        head.body
            = "data: {not json\n\ndata: {\"type\":\"response.completed\",\"response\":{}}\n\n";
        QCOMPARE(streamThrough(provider(), head).outcome.errorClass, ErrorClass::MalformedResponse);
    }

    // A stream request answered with an error status decodes like a plain one.
    void errorStatusOfStreamRequest()
    {
        const GenerationOutcome outcome = streamThrough(provider(),
            loadExchange(
                u"recorded-openai/newrelic-python-agent/18_responses_400_stream.json"_qs, 0),
            10)
                                              .outcome;
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::NotFound);
        QCOMPARE(outcome.httpStatus, 400);
        QCOMPARE(outcome.requestId, u"req_dd4bcf4889c6469fb37d6e5d609e1f32"_qs);
    }

    // A server that ignores `stream: true` answers with one JSON body.
    void plainAnswerToStreamRequest()
    {
        const GenerationOutcome outcome = streamThrough(provider(),
            loadExchange(u"recorded-openai/newrelic-python-agent/14_responses_200.json"_qs, 0), 100)
                                              .outcome;
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(outcome.text, u"six"_qs);
    }

    void streamTransportFailureBeforeAnswer()
    {
        HttpResponse head;
        head.transportError = ErrorClass::Network;
        head.transportMessage = u"connection refused"_qs;
        const GenerationOutcome outcome = streamThrough(provider(), head).outcome;
        QCOMPARE(outcome.errorClass, ErrorClass::Network);
        QCOMPARE(outcome.httpStatus, 0);
    }

    void encodesStreamRequest()
    {
        GenerationRequest request;
        request.stream = true;
        const HttpRequest http = provider().encode(request);
        QVERIFY(http.headers.contains({"Accept", "text/event-stream"}));
        QCOMPARE(QJsonDocument::fromJson(http.body).object().value(u"stream").toBool(), true);
    }

    void describesItself()
    {
        const OpenAiResponsesProvider vendor = provider();
        QVERIFY(vendor.capabilities().streaming);
        QVERIFY(vendor.capabilities().strictStructuredOutput);
        QVERIFY(vendor.capabilities().batchApi);
        QCOMPARE(vendor.authStyle(), AuthStyle::Bearer);
        QCOMPARE(vendor.defaultBaseUrl(), QUrl(u"https://api.openai.com/v1"_qs));
        QVERIFY(vendor.supportsModel(u"gpt-5-mini"));
        QVERIFY(vendor.supportsModel(u"o3"));
        QVERIFY(!vendor.supportsModel(u"claude-sonnet-4-5"));
        // Another server knows its own models.
        QVERIFY(OpenAiResponsesProvider(QUrl(u"http://127.0.0.1:9/v1"_qs), {})
                    .supportsModel(u"sim-small"));
    }

    void sendsNoAuthorizationWithoutKey()
    {
        const HttpRequest http = OpenAiResponsesProvider(QUrl(u"http://127.0.0.1:9/v1"_qs), {})
                                     .encode(GenerationRequest {});
        for (const auto &[name, value] : http.headers)
            QVERIFY(name.compare("Authorization", Qt::CaseInsensitive) != 0);
    }
};

QTEST_APPLESS_MAIN(TestOpenAiResponses)
#include "tst_openairesponses.moc"
