#include "exchangetesting.h"
#include "providers/anthropic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;
using sluice::test::loadExchange;
using sluice::test::readTestData;
using sluice::test::streamThrough;

using Status = GenerationOutcome::Status;

namespace {

AnthropicProvider provider()
{
    return AnthropicProvider(QUrl(u"https://api.anthropic.com/v1"_qs), "sk-ant-test");
}

// Anthropic usage already normalised to OpenAI accounting.
TokenUsage usage(qint64 input, qint64 cached, qint64 cacheWrite, qint64 output)
{
    TokenUsage tokens;
    tokens.input = input;
    tokens.cached = cached;
    tokens.cacheWrite = cacheWrite;
    tokens.output = output;
    return tokens;
}

GenerationRequest structuredRequest()
{
    GenerationRequest request;
    request.model = u"claude-sonnet-4-5"_qs;
    request.input = u"Capital of France?"_qs;
    request.outputSchema = OutputSchema {u"answer"_qs,
        QJsonObject {{u"type"_qs, u"object"_qs},
            {u"properties"_qs,
                QJsonObject {{u"city"_qs, QJsonObject {{u"type"_qs, u"string"_qs}}}}}},
        true};
    return request;
}

struct FixtureCase
{
    const char *name;
    QString path;
    int httpStatus;
    Status status;
    QString text;
    TokenUsage usage;
    ErrorClass errorClass;
};

const QList<FixtureCase> &fixtureCases()
{
    static const QList<FixtureCase> cases = {
        {"text with cache reads and writes", u"anthropic/text.json"_qs, 200, Status::Completed,
            u"Paris is the capital of France."_qs, usage(20 + 100 + 2048, 2048, 100, 9),
            ErrorClass::None},
        {"forced tool", u"anthropic/forced_tool.json"_qs, 200, Status::Completed,
            u"{\"city\":\"Paris\",\"population\":2102650}"_qs, usage(412, 0, 0, 57),
            ErrorClass::None},
        {"output_config", u"anthropic/output_config.json"_qs, 200, Status::Completed,
            u"{\"city\":\"Paris\",\"population\":2102650}"_qs, usage(301, 0, 0, 18),
            ErrorClass::None},
        {"max_tokens", u"anthropic/max_tokens.json"_qs, 200, Status::Incomplete,
            u"Once upon a time, in a"_qs, usage(12, 0, 0, 16), ErrorClass::Incomplete},
        {"refusal", u"anthropic/refusal.json"_qs, 200, Status::Refused, {}, usage(20, 0, 0, 7),
            ErrorClass::Refused},
        {"overloaded 529", u"anthropic/overloaded_529.json"_qs, 529, Status::Failed, {}, {},
            ErrorClass::Overloaded},
        {"rate limited 429", u"anthropic/rate_limit_429.json"_qs, 0, Status::Failed, {}, {},
            ErrorClass::RateLimited},
    };
    return cases;
}

} // namespace

class TestAnthropic : public QObject
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
        QCOMPARE(outcome.errorClass, expected.errorClass);
        QCOMPARE(outcome.text, expected.text);
        QCOMPARE(outcome.usage, expected.usage);
        if (outcome.status == Status::Failed)
            QVERIFY(!outcome.errorMessage.isEmpty());
        if (outcome.status == Status::Refused)
            QCOMPARE(outcome.refusal, u"I can't help with that."_qs);
        if (outcome.status == Status::Incomplete)
            QCOMPARE(outcome.incompleteReason, u"max_output_tokens"_qs);
    }

    void rateLimitAnswerCarriesHints()
    {
        const GenerationOutcome outcome
            = provider().decode(loadExchange(u"anthropic/rate_limit_429.json"_qs, 0));
        QCOMPARE(outcome.httpStatus, 429);
        QCOMPARE(outcome.errorCode, u"rate_limit_error"_qs);
        QCOMPARE(outcome.requestId, u"req_018EeWyXxfu5pfWkrYcMdjWG"_qs);
        QCOMPARE(outcome.hints.limitRequests, 50);
        QCOMPARE(outcome.hints.remainingRequests, 0);
        QCOMPARE(outcome.hints.limitTokens, 50000);
        QCOMPARE(outcome.hints.remainingTokens, 48000);
        QCOMPARE(outcome.hints.retryAfter, Duration(12s));
        QVERIFY(outcome.hints.resetRequests); // in the past here: 0
    }

    void errorTypes_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QString>("type");
        QTest::addColumn<ErrorClass>("errorClass");
        QTest::addColumn<QString>("message");
        QTest::newRow("400 invalid_request_error")
            << 400 << u"invalid_request_error"_qs << ErrorClass::BadRequest << u"why"_qs;
        // Out of credit is a 400 invalid_request_error: only the message tells.
        QTest::newRow("400 credit balance too low")
            << 400 << u"invalid_request_error"_qs << ErrorClass::QuotaExhausted
            << u"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."_qs;
        QTest::newRow("401 authentication_error")
            << 401 << u"authentication_error"_qs << ErrorClass::Auth << u"why"_qs;
        QTest::newRow("402 billing_error")
            << 402 << u"billing_error"_qs << ErrorClass::QuotaExhausted << u"why"_qs;
        QTest::newRow("403 permission_error")
            << 403 << u"permission_error"_qs << ErrorClass::Auth << u"why"_qs;
        QTest::newRow("404 not_found_error")
            << 404 << u"not_found_error"_qs << ErrorClass::NotFound << u"why"_qs;
        QTest::newRow("413 request_too_large")
            << 413 << u"request_too_large"_qs << ErrorClass::BadRequest << u"why"_qs;
        QTest::newRow("429 rate_limit_error")
            << 429 << u"rate_limit_error"_qs << ErrorClass::RateLimited << u"why"_qs;
        QTest::newRow("500 api_error") << 500 << u"api_error"_qs << ErrorClass::Server << u"why"_qs;
        QTest::newRow("504 timeout_error")
            << 504 << u"timeout_error"_qs << ErrorClass::Timeout << u"why"_qs;
        QTest::newRow("529 overloaded_error")
            << 529 << u"overloaded_error"_qs << ErrorClass::Overloaded << u"why"_qs;
        QTest::newRow("503 unknown type")
            << 503 << u"something_new"_qs << ErrorClass::Server << u"why"_qs;
    }

    void errorTypes()
    {
        QFETCH(int, httpStatus);
        QFETCH(QString, type);
        QFETCH(ErrorClass, errorClass);
        QFETCH(QString, message);
        HttpResponse response;
        response.status = httpStatus;
        response.body = QJsonDocument(
            QJsonObject {{u"type"_qs, u"error"_qs},
                {u"error"_qs, QJsonObject {{u"type"_qs, type}, {u"message"_qs, message}}}})
                            .toJson();
        const GenerationOutcome outcome = provider().decode(response);
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, errorClass);
        QCOMPARE(outcome.errorCode, type);
        QCOMPARE(outcome.errorMessage, message);
    }

    void errorWithoutBodyUsesStatus()
    {
        HttpResponse response;
        response.status = 529;
        response.body = "<html>overloaded</html>";
        QCOMPARE(provider().decode(response).errorClass, ErrorClass::Overloaded);
        response.status = 200;
        QCOMPARE(provider().decode(response).errorClass, ErrorClass::MalformedResponse);
    }

    void streamedText_data()
    {
        QTest::addColumn<qsizetype>("chunkSize");
        QTest::newRow("whole") << qsizetype(0);
        QTest::newRow("9 bytes") << qsizetype(9);
        QTest::newRow("1 byte") << qsizetype(1);
    }

    void streamedText()
    {
        QFETCH(qsizetype, chunkSize);
        HttpResponse head = loadExchange(u"anthropic/text.sse"_qs, 200);
        head.headers.emplaceBack("request-id", "req_stream");
        const auto [outcome, deltas] = streamThrough(provider(), head, chunkSize);
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(deltas, QStringList({u"Hello"_qs, u", world!"_qs}));
        QCOMPARE(outcome.text, u"Hello, world!"_qs);
        QCOMPARE(outcome.usage, usage(25 + 1024, 1024, 0, 15));
        QCOMPARE(outcome.responseId, u"msg_01StreamText"_qs);
        QCOMPARE(outcome.requestId, u"req_stream"_qs);
    }

    void streamedForcedTool()
    {
        const auto [outcome, deltas]
            = streamThrough(provider(), loadExchange(u"anthropic/forced_tool.sse"_qs, 200), 4);
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(outcome.text, u"{\"city\": \"Paris\", \"population\": 2102650}"_qs);
        QCOMPARE(deltas.join(QString()), outcome.text);
        QCOMPARE(QJsonDocument::fromJson(outcome.text.toUtf8()).object().value(u"city").toString(),
            u"Paris"_qs);
        QCOMPARE(outcome.usage, usage(412, 0, 0, 57));
    }

    void streamedErrorEvent()
    {
        const auto [outcome, deltas]
            = streamThrough(provider(), loadExchange(u"anthropic/error.sse"_qs, 200), 11);
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::Overloaded);
        QCOMPARE(outcome.errorCode, u"overloaded_error"_qs);
        QCOMPARE(deltas, QStringList {u"Hel"_qs});
        QCOMPARE(outcome.httpStatus, 200);
    }

    void streamWithoutMessageStopIsTruncated()
    {
        HttpResponse head = loadExchange(u"anthropic/text.sse"_qs, 200);
        head.body = sluice::test::cutBefore(head.body, "event: message_stop");
        const GenerationOutcome outcome = streamThrough(provider(), head, 2).outcome;
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::TruncatedStream);
        QCOMPARE(outcome.text, u"Hello, world!"_qs);
        QVERIFY(outcome.hasUsage); // what was consumed so far, for the gate
        QCOMPARE(outcome.usage.output, 15);
    }

    void streamedRefusalAndMaxTokens()
    {
        HttpResponse head = loadExchange(u"anthropic/text.sse"_qs, 200);
        head.body.replace("\"end_turn\"", "\"refusal\"");
        GenerationOutcome outcome = streamThrough(provider(), head).outcome;
        QCOMPARE(outcome.status, Status::Refused);
        QCOMPARE(outcome.refusal, u"Hello, world!"_qs);
        QVERIFY(outcome.text.isEmpty());

        head.body.replace("\"refusal\"", "\"max_tokens\"");
        outcome = streamThrough(provider(), head).outcome;
        QCOMPARE(outcome.status, Status::Incomplete);
        QCOMPARE(outcome.incompleteReason, u"max_output_tokens"_qs);
    }

    void errorStatusOfStreamRequest()
    {
        const GenerationOutcome outcome
            = streamThrough(provider(), loadExchange(u"anthropic/overloaded_529.json"_qs, 529), 8)
                  .outcome;
        QCOMPARE(outcome.errorClass, ErrorClass::Overloaded);
        QCOMPARE(outcome.httpStatus, 529);
    }

    void encodesPlainRequest()
    {
        GenerationRequest request;
        request.model = u"claude-haiku-4-5"_qs;
        request.instructions = u"Be brief."_qs;
        request.input = u"Hello"_qs;
        request.temperature = 0.2;
        request.stream = true;
        const HttpRequest http = provider().encode(request);
        QCOMPARE(http.url.toString(), u"https://api.anthropic.com/v1/messages"_qs);
        QVERIFY(http.headers.contains({"x-api-key", "sk-ant-test"}));
        QVERIFY(http.headers.contains({"anthropic-version", "2023-06-01"}));
        for (const auto &[name, value] : http.headers)
            QVERIFY(name.compare("Authorization", Qt::CaseInsensitive) != 0);
        const QJsonObject body = QJsonDocument::fromJson(http.body).object();
        QCOMPARE(body.value(u"model").toString(), u"claude-haiku-4-5"_qs);
        QCOMPARE(body.value(u"max_tokens").toInt(), 4096); // the documented default
        QCOMPARE(body.value(u"system").toString(), u"Be brief."_qs);
        QCOMPARE(body.value(u"temperature").toDouble(), 0.2);
        QCOMPARE(body.value(u"stream").toBool(), true);
        const QJsonArray messages = body.value(u"messages").toArray();
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages[0].toObject().value(u"role").toString(), u"user"_qs);
        QCOMPARE(messages[0].toObject().value(u"content").toString(), u"Hello"_qs);
        QVERIFY(!body.contains(u"tools"));
        QVERIFY(!body.contains(u"output_config"));

        request.maxOutputTokens = 300;
        QCOMPARE(provider().encodeBody(request).value(u"max_tokens").toInt(), 300);
    }

    void encodesForcedTool()
    {
        const QJsonObject body = provider().encodeBody(structuredRequest());
        const QJsonArray tools = body.value(u"tools").toArray();
        QCOMPARE(tools.size(), 1);
        QCOMPARE(tools[0].toObject().value(u"name").toString(), u"answer"_qs);
        QCOMPARE(tools[0].toObject().value(u"input_schema").toObject(),
            structuredRequest().outputSchema->schema);
        QCOMPARE(body.value(u"tool_choice").toObject(),
            QJsonObject({{u"type"_qs, u"tool"_qs}, {u"name"_qs, u"answer"_qs}}));
        QVERIFY(!body.contains(u"output_config"));
    }

    void encodesOutputConfig()
    {
        AnthropicProvider::Options options;
        options.structuredOutput = AnthropicProvider::StructuredOutput::OutputConfig;
        options.defaultMaxTokens = 1024;
        const AnthropicProvider native(QUrl(u"https://api.anthropic.com/v1"_qs), {}, options);
        const QJsonObject body = native.encodeBody(structuredRequest());
        const QJsonObject format
            = body.value(u"output_config").toObject().value(u"format").toObject();
        QCOMPARE(format.value(u"type").toString(), u"json_schema"_qs);
        QCOMPARE(format.value(u"schema").toObject(), structuredRequest().outputSchema->schema);
        QVERIFY(!body.contains(u"tools"));
        QCOMPARE(body.value(u"max_tokens").toInt(), 1024);
        QVERIFY(native.capabilities().strictStructuredOutput);
        for (const auto &[name, value] : native.encode(structuredRequest()).headers)
            QVERIFY(name != "x-api-key");
    }

    void describesItself()
    {
        const AnthropicProvider vendor = provider();
        QCOMPARE(vendor.id(), u"anthropic"_qs);
        QCOMPARE(vendor.authStyle(), AuthStyle::ApiKeyHeader);
        QCOMPARE(vendor.defaultBaseUrl(), QUrl(u"https://api.anthropic.com/v1"_qs));
        QVERIFY(vendor.capabilities().streaming);
        QVERIFY(vendor.capabilities().batchApi);
        QVERIFY(!vendor.capabilities().strictStructuredOutput); // a forced tool is not enforced
        QVERIFY(vendor.supportsModel(u"claude-sonnet-4-5"));
        QVERIFY(!vendor.supportsModel(u"gpt-5"));
        QVERIFY(
            AnthropicProvider(QUrl(u"http://127.0.0.1:9/v1"_qs), {}).supportsModel(u"sim-small"));
    }
};

QTEST_APPLESS_MAIN(TestAnthropic)
#include "tst_anthropic.moc"
