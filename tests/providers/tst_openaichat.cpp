#include "exchangetesting.h"
#include "providers/openaichat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace sluice;
using sluice::test::loadExchange;
using sluice::test::readTestData;
using sluice::test::streamThrough;
using sluice::test::tokens;

using Status = GenerationOutcome::Status;

namespace {

OpenAiChatProvider provider()
{
    return OpenAiChatProvider(QUrl(u"https://api.openai.com/v1"_qs), "sk-test-key");
}

HttpResponse answer(int status, QByteArray body)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

// One streamed chunk carrying a content delta and, optionally, a finish reason.
QByteArray chunk(QByteArrayView content, QByteArrayView finishReason = {})
{
    const QByteArray reason
        = finishReason.isEmpty() ? "null" : "\"" + finishReason.toByteArray() + "\"";
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":"
           "[{\"index\":0,\"delta\":{\"content\":\""
        + content.toByteArray() + "\"},\"finish_reason\":" + reason + "}]}\n\n";
}

const QByteArray kUsageChunk
    = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
      "{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,"
      "\"prompt_tokens_details\":{\"cached_tokens\":8}}}\n\n";

struct FixtureCase
{
    const char *name;
    QString path;
    int httpStatus;
    Status status;
    QString textStart;
    TokenUsage usage;
    QString errorClass;
    QString errorCode;
    QString requestId;
};

const QList<FixtureCase> &fixtureCases()
{
    const QString nr = u"recorded-openai/newrelic-python-agent/"_qs;
    const QString ex = u"recorded-openai/openapi-examples/"_qs;
    static const QList<FixtureCase> cases = {
        {"newrelic 00: plain answer", nr + u"00_chat_completions_200.json"_qs, 0, Status::Completed,
            u"six"_qs, tokens(33, 0, 10, 0), {}, {}, u"req_eaf6d4f88e5349c7aebbca3c58a00d61"_qs},
        {"newrelic 01: unknown model", nr + u"01_chat_completions_404.json"_qs, 0, Status::Failed,
            {}, {}, u"not_found"_qs, u"model_not_found"_qs,
            u"req_b26fb13afe114fd0927c1cd35e436a79"_qs},
        {"newrelic 02: wrong key", nr + u"02_chat_completions_401.json"_qs, 0, Status::Failed, {},
            {}, u"auth"_qs, u"invalid_api_key"_qs, u"req_805398c06fec4ad79e181dca89d1b6f6"_qs},
        {"vercel: long answer", u"recorded-openai/vercel-ai/chat__openai-text.json"_qs, 200,
            Status::Completed, u"**Holiday Name:** Galaxy Day"_qs, tokens(16, 0, 363, 0), {}, {},
            {}},
        {"example 0: default", ex + u"chat_completions__0_default.response.txt"_qs, 200,
            Status::Completed, u"Hello! How can I assist you today?"_qs, tokens(19, 0, 10, 0), {},
            {}, {}},
        {"example 1: image input", ex + u"chat_completions__1_image_input.response.txt"_qs, 200,
            Status::Completed, u"The image shows a wooden boardwalk"_qs, tokens(1117, 0, 46, 0), {},
            {}, {}},
        {"example 3: tool call, null content",
            ex + u"chat_completions__3_functions.response.txt"_qs, 200, Status::Completed, {},
            tokens(82, 0, 17, 0), {}, {}, {}},
        {"example 4: logprobs", ex + u"chat_completions__4_logprobs.response.txt"_qs, 200,
            Status::Completed, u"Hello! How can I assist you today?"_qs, tokens(9, 0, 9, 0), {}, {},
            {}},
    };
    return cases;
}

} // namespace

class TestOpenAiChat : public QObject
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
        QCOMPARE(outcome.errorCode, expected.errorCode);
        if (expected.textStart.isEmpty())
            QVERIFY2(outcome.text.isEmpty(), qPrintable(outcome.text));
        else
            QVERIFY2(outcome.text.startsWith(expected.textStart), qPrintable(outcome.text));
        QCOMPARE(outcome.usage, expected.usage);
        QCOMPARE(outcome.hasUsage, expected.status != Status::Failed);
        QCOMPARE(outcome.requestId, expected.requestId);
        if (outcome.status == Status::Failed)
            QVERIFY(!outcome.errorMessage.isEmpty());
    }

    // Every non-streaming chat body among the recorded fixtures is in the table.
    void everyRecordedChatBodyIsCovered()
    {
        QStringList tabled;
        for (const FixtureCase &fixture : fixtureCases())
            tabled.append(fixture.path);
        const QStringList recorded = sluice::test::recordedBodies(
            {u"*chat*.json"_qs, u"chat_completions__*.response.txt"_qs});
        for (const QString &path : recorded)
            QVERIFY2(tabled.contains(path), qPrintable(path + u" is not decoded by a test"_qs));
        QCOMPARE(recorded.size(), 8);
    }

    void decodesRecordedStream_data()
    {
        QTest::addColumn<qsizetype>("chunkSize");
        QTest::newRow("whole") << qsizetype(0);
        QTest::newRow("5 bytes") << qsizetype(5);
        QTest::newRow("1 byte") << qsizetype(1);
    }

    // Recorded without include_usage: no usage, and that is not an error.
    void decodesRecordedStream()
    {
        QFETCH(qsizetype, chunkSize);
        const auto [outcome, deltas] = streamThrough(provider(),
            loadExchange(
                u"recorded-openai/newrelic-python-agent/03_chat_completions_200_stream.sse"_qs, 0),
            chunkSize);
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(outcome.text, u"six"_qs);
        QCOMPARE(deltas, QStringList {u"six"_qs});
        QVERIFY(!outcome.hasUsage);
        QCOMPARE(outcome.model, u"gpt-5.1-2025-11-13"_qs);
        QCOMPARE(outcome.requestId, u"req_a4c60d91789f46cab7a127c0af78ae46"_qs);
        QCOMPARE(outcome.hints.limitTokens, 50000000);
    }

    // The documentation example is bare JSON lines with a `....` gap: made
    // into SSE, what is there decodes.
    void decodesDocumentedStreamWithGap()
    {
        QByteArray lines = readTestData(
            u"recorded-openai/openapi-examples/chat_completions__2_streaming.response.txt"_qs);
        lines.replace("....", "");
        const auto [outcome, deltas]
            = streamThrough(provider(), answer(200, sluice::test::chunksToSse(lines)));
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(deltas, QStringList {u"Hello"_qs});
        QCOMPARE(outcome.model, u"gpt-4o-mini"_qs);
    }

    void streamWithUsageChunk()
    {
        const QByteArray stream = ": OPENROUTER PROCESSING\n\n" + chunk("Hel") + chunk("lo")
            + ": OPENROUTER PROCESSING\n\n" + chunk("", "stop") + kUsageChunk + "data: [DONE]\n\n";
        const auto [outcome, deltas] = streamThrough(provider(), answer(200, stream), 3);
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(deltas, QStringList({u"Hel"_qs, u"lo"_qs}));
        QCOMPARE(outcome.text, u"Hello"_qs);
        QVERIFY(outcome.hasUsage);
        QCOMPARE(outcome.usage, tokens(12, 8, 3, 0));
    }

    void streamWithoutDoneEndsAtFinishReason()
    {
        const QByteArray stream = chunk("Hi") + chunk("", "stop") + kUsageChunk;
        const GenerationOutcome outcome = streamThrough(provider(), answer(200, stream)).outcome;
        QCOMPARE(outcome.status, Status::Completed);
        QCOMPARE(outcome.usage, tokens(12, 8, 3, 0));
    }

    void streamWithoutFinishIsTruncated()
    {
        const auto [outcome, deltas]
            = streamThrough(provider(), answer(200, chunk("Hi") + chunk(" there")), 4);
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::TruncatedStream);
        QCOMPARE(outcome.text, u"Hi there"_qs);
        QCOMPARE(deltas.size(), 2);
    }

    void streamLengthIsIncomplete()
    {
        const GenerationOutcome outcome = streamThrough(
            provider(), answer(200, chunk("Once") + chunk("", "length") + "data: [DONE]\n\n"))
                                              .outcome;
        QCOMPARE(outcome.status, Status::Incomplete);
        QCOMPARE(outcome.errorClass, ErrorClass::Incomplete);
        QCOMPARE(outcome.incompleteReason, u"max_output_tokens"_qs);
        QCOMPARE(outcome.text, u"Once"_qs);
    }

    void streamRefusal()
    {
        const QByteArray stream
            = "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can't\"}}]}\n\n"
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\" help.\"},"
              "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        const auto [outcome, deltas] = streamThrough(provider(), answer(200, stream));
        QCOMPARE(outcome.status, Status::Refused);
        QCOMPARE(outcome.refusal, u"I can't help."_qs);
        QVERIFY(deltas.isEmpty());
    }

    void errorChunkInStream()
    {
        const QByteArray stream = chunk("Hi")
            + "data: {\"error\":{\"message\":\"Rate limit exceeded\",\"code\":429}}\n\n";
        const GenerationOutcome outcome = streamThrough(provider(), answer(200, stream)).outcome;
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, ErrorClass::RateLimited);
        QCOMPARE(outcome.errorMessage, u"Rate limit exceeded"_qs);
        QCOMPARE(outcome.httpStatus, 200);
    }

    void errorStatusOfStreamRequest()
    {
        const GenerationOutcome outcome = streamThrough(provider(),
            loadExchange(
                u"recorded-openai/newrelic-python-agent/02_chat_completions_401.json"_qs, 0),
            16)
                                              .outcome;
        QCOMPARE(outcome.errorClass, ErrorClass::Auth);
        QCOMPARE(outcome.errorCode, u"invalid_api_key"_qs);
        QCOMPARE(outcome.httpStatus, 401);
    }

    void finishReasons_data()
    {
        QTest::addColumn<QString>("finishReason");
        QTest::addColumn<Status>("status");
        QTest::addColumn<QString>("incompleteReason");
        QTest::newRow("stop") << u"stop"_qs << Status::Completed << QString();
        QTest::newRow("tool_calls") << u"tool_calls"_qs << Status::Completed << QString();
        QTest::newRow("length") << u"length"_qs << Status::Incomplete << u"max_output_tokens"_qs;
        QTest::newRow("content_filter")
            << u"content_filter"_qs << Status::Incomplete << u"content_filter"_qs;
    }

    void finishReasons()
    {
        QFETCH(QString, finishReason);
        QFETCH(Status, status);
        QFETCH(QString, incompleteReason);
        const QJsonObject body {{u"object"_qs, u"chat.completion"_qs},
            {u"choices"_qs,
                QJsonArray {QJsonObject {{u"index"_qs, 0},
                    {u"message"_qs, QJsonObject {{u"content"_qs, u"partial"_qs}}},
                    {u"finish_reason"_qs, finishReason}}}}};
        const GenerationOutcome outcome
            = provider().decode(answer(200, QJsonDocument(body).toJson()));
        QCOMPARE(outcome.status, status);
        QCOMPARE(outcome.incompleteReason, incompleteReason);
        QCOMPARE(outcome.text, u"partial"_qs);
    }

    void refusalFieldIsRefused()
    {
        const GenerationOutcome outcome = provider().decode(answer(200,
            "{\"choices\":[{\"index\":0,\"message\":{\"content\":null,\"refusal\":"
            "\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}"));
        QCOMPARE(outcome.status, Status::Refused);
        QCOMPARE(outcome.errorClass, ErrorClass::Refused);
        QCOMPARE(outcome.refusal, u"I can't help with that."_qs);
    }

    // Error bodies of the compatible servers.
    void serverErrorBodies_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<ErrorClass>("errorClass");
        QTest::addColumn<QString>("message");
        QTest::newRow("Ollama: error as a string")
            << 404
            << QByteArray("{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}")
            << ErrorClass::NotFound << u"model \"llama9\" not found, try pulling it first"_qs;
        QTest::newRow("vLLM: flat error object")
            << 400
            << QByteArray("{\"object\":\"error\",\"message\":\"max_tokens is too large\","
                          "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}")
            << ErrorClass::BadRequest << u"max_tokens is too large"_qs;
        QTest::newRow("llama.cpp: OpenAI-style with numeric code")
            << 503
            << QByteArray("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":"
                          "\"unavailable_error\"}}")
            << ErrorClass::Server << u"Loading model"_qs;
        QTest::newRow("OpenRouter: 200 carrying an error")
            << 200
            << QByteArray("{\"error\":{\"message\":\"Provider returned error\",\"code\":429}}")
            << ErrorClass::RateLimited << u"Provider returned error"_qs;
        QTest::newRow("proxy: plain text") << 502 << QByteArray("Bad Gateway\n")
                                           << ErrorClass::Server << u"HTTP 502: Bad Gateway"_qs;
    }

    void serverErrorBodies()
    {
        QFETCH(int, httpStatus);
        QFETCH(QByteArray, body);
        QFETCH(ErrorClass, errorClass);
        QFETCH(QString, message);
        const GenerationOutcome outcome = provider().decode(answer(httpStatus, body));
        QCOMPARE(outcome.status, Status::Failed);
        QCOMPARE(outcome.errorClass, errorClass);
        QCOMPARE(outcome.errorMessage, message);
        QCOMPARE(outcome.httpStatus, httpStatus);
    }

    void notAChatCompletionIsMalformed()
    {
        QCOMPARE(provider().decode(answer(200, "{\"object\":\"response\"}")).errorClass,
            ErrorClass::MalformedResponse);
        QCOMPARE(
            provider().decode(answer(200, "<html>")).errorClass, ErrorClass::MalformedResponse);
    }

    void encodesRequest()
    {
        GenerationRequest request;
        request.model = u"gpt-5-mini"_qs;
        request.instructions = u"Be brief."_qs;
        request.input = u"Hello"_qs;
        request.maxOutputTokens = 64;
        request.temperature = 0.5;
        request.stream = true;
        request.outputSchema
            = OutputSchema {u"answer"_qs, QJsonObject {{u"type"_qs, u"object"_qs}}, true};

        const HttpRequest http = provider().encode(request);
        QCOMPARE(http.url.toString(), u"https://api.openai.com/v1/chat/completions"_qs);
        QVERIFY(http.headers.contains({"Authorization", "Bearer sk-test-key"}));
        QVERIFY(http.headers.contains({"Accept", "text/event-stream"}));
        const QJsonObject body = QJsonDocument::fromJson(http.body).object();
        QCOMPARE(body.value(u"model").toString(), u"gpt-5-mini"_qs);
        const QJsonArray messages = body.value(u"messages").toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].toObject().value(u"role").toString(), u"system"_qs);
        QCOMPARE(messages[0].toObject().value(u"content").toString(), u"Be brief."_qs);
        QCOMPARE(messages[1].toObject().value(u"role").toString(), u"user"_qs);
        QCOMPARE(messages[1].toObject().value(u"content").toString(), u"Hello"_qs);
        QCOMPARE(body.value(u"max_completion_tokens").toInt(), 64);
        QVERIFY(!body.contains(u"max_tokens"));
        QCOMPARE(body.value(u"temperature").toDouble(), 0.5);
        QCOMPARE(body.value(u"stream").toBool(), true);
        QCOMPARE(body.value(u"stream_options").toObject().value(u"include_usage").toBool(), true);
        const QJsonObject format = body.value(u"response_format").toObject();
        QCOMPARE(format.value(u"type").toString(), u"json_schema"_qs);
        const QJsonObject jsonSchema = format.value(u"json_schema").toObject();
        QCOMPARE(jsonSchema.value(u"name").toString(), u"answer"_qs);
        QCOMPARE(jsonSchema.value(u"strict").toBool(), true);
        QCOMPARE(jsonSchema.value(u"schema").toObject().value(u"type").toString(), u"object"_qs);
    }

    void tokenLimitFieldFollowsTheServer_data()
    {
        QTest::addColumn<QString>("baseUrl");
        QTest::addColumn<OpenAiChatProvider::TokenLimitField>("field");
        QTest::addColumn<QString>("sent");
        using Field = OpenAiChatProvider::TokenLimitField;
        QTest::newRow("OpenAI, auto")
            << u"https://api.openai.com/v1"_qs << Field::Auto << u"max_completion_tokens"_qs;
        QTest::newRow("Ollama, auto")
            << u"http://localhost:11434/v1"_qs << Field::Auto << u"max_tokens"_qs;
        QTest::newRow("vLLM, told") << u"http://gpu:8000/v1"_qs << Field::MaxCompletionTokens
                                    << u"max_completion_tokens"_qs;
        QTest::newRow("OpenAI, told")
            << u"https://api.openai.com/v1"_qs << Field::MaxTokens << u"max_tokens"_qs;
    }

    void tokenLimitFieldFollowsTheServer()
    {
        QFETCH(QString, baseUrl);
        QFETCH(OpenAiChatProvider::TokenLimitField, field);
        QFETCH(QString, sent);
        GenerationRequest request;
        request.maxOutputTokens = 100;
        const OpenAiChatProvider chat(QUrl(baseUrl), {}, field);
        const QJsonObject body = chat.encodeBody(request);
        QCOMPARE(body.value(sent).toInt(), 100);
        QCOMPARE(body.size(), 3); // model, messages and the one limit
        for (const auto &[name, value] : chat.encode(request).headers)
            QVERIFY(name.compare("Authorization", Qt::CaseInsensitive) != 0);
    }

    void describesItself()
    {
        QCOMPARE(provider().id(), u"openai-chat"_qs);
        QVERIFY(provider().capabilities().strictStructuredOutput);
        QVERIFY(provider().supportsModel(u"gpt-4o-mini"));
        QVERIFY(!provider().supportsModel(u"llama3.2"));
        const OpenAiChatProvider ollama(QUrl(u"http://localhost:11434/v1"_qs), {});
        QVERIFY(ollama.supportsModel(u"llama3.2"));
        QVERIFY(ollama.capabilities().streaming);
        QVERIFY(!ollama.capabilities().strictStructuredOutput);
        QVERIFY(!ollama.capabilities().batchApi);
        QCOMPARE(ollama.defaultBaseUrl(), QUrl(u"https://api.openai.com/v1"_qs));
    }
};

QTEST_APPLESS_MAIN(TestOpenAiChat)
#include "tst_openaichat.moc"
