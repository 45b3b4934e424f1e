#include "core/fingerprint.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <functional>

using namespace sluice;

namespace {

QJsonValue parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object().value(QLatin1StringView("v"));
}

Endpoint openAi()
{
    return Endpoint {u"openai-responses"_qs, u"https://api.openai.com/v1"_qs};
}

GenerationRequest baseRequest()
{
    GenerationRequest request;
    request.model = u"gpt-5-mini"_qs;
    request.instructions = u"Be brief."_qs;
    request.input = u"Hi"_qs;
    request.maxOutputTokens = 100;
    request.temperature = 0.2;
    return request;
}

GenerationRequest schemaRequest(const QByteArray &schemaJson)
{
    GenerationRequest request = baseRequest();
    request.outputSchema
        = OutputSchema {u"answer"_qs, QJsonDocument::fromJson(schemaJson).object(), true};
    return request;
}

using Change = std::function<void(Endpoint &, GenerationRequest &)>;

} // namespace

Q_DECLARE_METATYPE(Change)

class TestFingerprint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void numbers_data()
    {
        // ECMAScript Number::toString, as RFC 8785 asks (its appendix B).
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("canonical");
        QTest::newRow("zero") << QByteArray("0") << QByteArray("0");
        QTest::newRow("minus zero") << QByteArray("-0.0") << QByteArray("0");
        QTest::newRow("integer") << QByteArray("100") << QByteArray("100");
        QTest::newRow("integral double") << QByteArray("1.0") << QByteArray("1");
        QTest::newRow("negative") << QByteArray("-5") << QByteArray("-5");
        QTest::newRow("fraction") << QByteArray("0.7") << QByteArray("0.7");
        QTest::newRow("shortest round trip")
            << QByteArray("0.30000000000000004") << QByteArray("0.30000000000000004");
        QTest::newRow("decimal") << QByteArray("123.456") << QByteArray("123.456");
        QTest::newRow("1e20 is fixed") << QByteArray("1e20") << QByteArray("100000000000000000000");
        QTest::newRow("1e21 is exponential") << QByteArray("1e21") << QByteArray("1e+21");
        QTest::newRow("small fixed") << QByteArray("0.000001") << QByteArray("0.000001");
        QTest::newRow("small exponential") << QByteArray("1e-7") << QByteArray("1e-7");
        QTest::newRow("small with digits") << QByteArray("1.5e-7") << QByteArray("1.5e-7");
        QTest::newRow("large with digits") << QByteArray("3.3e+25") << QByteArray("3.3e+25");
        QTest::newRow("largest") << QByteArray("1.7976931348623157e308")
                                 << QByteArray("1.7976931348623157e+308");
        QTest::newRow("smallest") << QByteArray("5e-324") << QByteArray("5e-324");
        QTest::newRow("2^53") << QByteArray("9007199254740992") << QByteArray("9007199254740992");
        QTest::newRow("rfc 8785 example")
            << QByteArray("333333333.33333329") << QByteArray("333333333.3333333");
    }

    void numbers()
    {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, canonical);
        QCOMPARE(canonicalJson(parse("{\"v\": " + json + "}")), canonical);
    }

    void strings()
    {
        // RFC 8785, 3.2.2.2: the minimal escapes, everything else as UTF-8.
        const QString text = u"\u20ac$\u000f\nA'B\"\\\\\"/\t\b\f\r\u001f\u00e9"_qs;
        QCOMPARE(canonicalJson(text),
            QByteArray("\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\\t\\b\\f\\r\\u001f"
                       "\xc3\xa9\""));
    }

    void keysSortByUtf16CodeUnits()
    {
        // RFC 8785, 3.2.3: the example's keys, in the order it gives.
        QJsonObject object;
        object.insert(u"\u20ac"_qs, u"Euro Sign"_qs);
        object.insert(u"\r"_qs, u"Carriage Return"_qs);
        object.insert(u"\ufb33"_qs, u"Hebrew Letter Dalet With Dagesh"_qs);
        object.insert(u"1"_qs, u"One"_qs);
        object.insert(u"\U0001F600"_qs, u"Emoji: Grinning Face"_qs);
        object.insert(u"\u0080"_qs, u"Control"_qs);
        object.insert(u"\u00f6"_qs, u"Latin Small Letter O With Diaeresis"_qs);
        const QByteArray canonical = canonicalJson(object);
        qsizetype last = -1;
        for (const char *key : {"\"\\r\":", "\"1\":", "\"\xc2\x80\":", "\"\xc3\xb6\":",
                 "\"\xe2\x82\xac\":", "\"\xf0\x9f\x98\x80\":", "\"\xef\xac\xb3\":"}) {
            const qsizetype at = canonical.indexOf(key);
            QVERIFY2(at > last, key);
            last = at;
        }
    }

    void noWhitespaceAndKeyOrderIndependent()
    {
        const QJsonValue a = parse(R"({"v": {"b": [true, null, "x", {"d": 1, "c": 2}], "a": {}}})");
        const QJsonValue b = parse(R"({"v": {"a": {}, "b": [true, null, "x", {"c": 2, "d": 1}]}})");
        QCOMPARE(canonicalJson(a), QByteArray(R"({"a":{},"b":[true,null,"x",{"c":2,"d":1}]})"));
        QCOMPARE(canonicalJson(a), canonicalJson(b));
    }

    void knownFingerprint()
    {
        // sha256 of the canonical document, computed independently:
        // {"endpoint":"https://api.openai.com/v1","format":1,"input":"Hi",
        //  "instructions":"Be brief.","max_output_tokens":100,"model":"gpt-5-mini",
        //  "output_schema":null,"provider":"openai-responses","temperature":0.2}
        QCOMPARE(requestFingerprint(openAi(), baseRequest()),
            u"d1fe315fd46d732e72dfc48cffbb61d7a090a5edd89110e97c7184373f2e31c5"_qs);
        // The same with "output_schema":{"name":"answer","schema":{"type":"object"},
        // "strict":true}.
        QCOMPARE(requestFingerprint(openAi(), schemaRequest(R"({"type": "object"})")),
            u"178529010ed857052c149b0e449fab16bc030d1301346cf938b895bfeed06454"_qs);
    }

    void schemaKeyOrderDoesNotMatter()
    {
        const QString a
            = requestFingerprint(openAi(), schemaRequest(R"({"type": "object", "required": ["a"],
                "properties": {"a": {"type": "string", "enum": ["x", "y"]}, "b": {"type": "integer"}}})"));
        const QString b = requestFingerprint(
            openAi(), schemaRequest(R"({"properties": {"b": {"type": "integer"},
                "a": {"enum": ["x", "y"], "type": "string"}}, "required": ["a"], "type": "object"})"));
        QCOMPARE(a, b);
        QCOMPARE(a.size(), 64);
        QCOMPARE(requestFingerprint(openAi(), baseRequest()),
            requestFingerprint(openAi(), baseRequest()));
    }

    void everyFieldChangesIt_data()
    {
        QTest::addColumn<Change>("change");
        QTest::newRow("provider") << Change(
            [](Endpoint &e, GenerationRequest &) { e.providerId = u"openai-chat"_qs; });
        QTest::newRow("host") << Change(
            [](Endpoint &e, GenerationRequest &) { e.baseUrl = u"https://example.test/v1"_qs; });
        QTest::newRow("port") << Change([](Endpoint &e, GenerationRequest &) {
            e.baseUrl = u"https://api.openai.com:8443/v1"_qs;
        });
        QTest::newRow("path") << Change(
            [](Endpoint &e, GenerationRequest &) { e.baseUrl = u"https://api.openai.com/v2"_qs; });
        QTest::newRow("model") << Change(
            [](Endpoint &, GenerationRequest &r) { r.model = u"gpt-5"_qs; });
        QTest::newRow("instructions")
            << Change([](Endpoint &, GenerationRequest &r) { r.instructions = u"Be verbose."_qs; });
        QTest::newRow("no instructions")
            << Change([](Endpoint &, GenerationRequest &r) { r.instructions.clear(); });
        QTest::newRow("input") << Change(
            [](Endpoint &, GenerationRequest &r) { r.input = u"Hi!"_qs; });
        QTest::newRow("schema") << Change([](Endpoint &, GenerationRequest &r) {
            r.outputSchema = OutputSchema {u"answer"_qs, {}, false};
        });
        QTest::newRow("schema body") << Change([](Endpoint &, GenerationRequest &r) {
            r.outputSchema
                = OutputSchema {u"answer"_qs, QJsonObject {{u"type"_qs, u"object"_qs}}, false};
        });
        QTest::newRow("max output tokens")
            << Change([](Endpoint &, GenerationRequest &r) { r.maxOutputTokens = 101; });
        QTest::newRow("no max output tokens")
            << Change([](Endpoint &, GenerationRequest &r) { r.maxOutputTokens.reset(); });
        QTest::newRow("temperature")
            << Change([](Endpoint &, GenerationRequest &r) { r.temperature = 0.3; });
        QTest::newRow("no temperature")
            << Change([](Endpoint &, GenerationRequest &r) { r.temperature.reset(); });
    }

    void everyFieldChangesIt()
    {
        QFETCH(Change, change);
        Endpoint endpoint = openAi();
        GenerationRequest request = baseRequest();
        const QString before = requestFingerprint(endpoint, request);
        change(endpoint, request);
        QVERIFY(requestFingerprint(endpoint, request) != before);
    }

    void schemaFieldsChangeIt()
    {
        const QByteArray schema = R"({"type": "object"})";
        const QString base = requestFingerprint(openAi(), schemaRequest(schema));
        GenerationRequest renamed = schemaRequest(schema);
        renamed.outputSchema->name = u"other"_qs;
        QVERIFY(requestFingerprint(openAi(), renamed) != base);
        GenerationRequest loose = schemaRequest(schema);
        loose.outputSchema->strict = false;
        QVERIFY(requestFingerprint(openAi(), loose) != base);
        QVERIFY(requestFingerprint(openAi(), schemaRequest(R"({"type": "array"})")) != base);
    }

    void deliveryAndCredentialsDoNotChangeIt_data()
    {
        QTest::addColumn<Change>("change");
        QTest::newRow("stream") << Change(
            [](Endpoint &, GenerationRequest &r) { r.stream = true; });
        QTest::newRow("store") << Change([](Endpoint &, GenerationRequest &r) { r.store = true; });
        QTest::newRow("trailing slash") << Change(
            [](Endpoint &e, GenerationRequest &) { e.baseUrl = u"https://api.openai.com/v1/"_qs; });
        QTest::newRow("host case") << Change(
            [](Endpoint &e, GenerationRequest &) { e.baseUrl = u"https://API.OpenAI.com/v1"_qs; });
        QTest::newRow("user info") << Change([](Endpoint &e, GenerationRequest &) {
            e.baseUrl = u"https://user:secret@api.openai.com/v1"_qs;
        });
        QTest::newRow("query") << Change([](Endpoint &e, GenerationRequest &) {
            e.baseUrl = u"https://api.openai.com/v1?key=secret"_qs;
        });
    }

    void deliveryAndCredentialsDoNotChangeIt()
    {
        QFETCH(Change, change);
        Endpoint endpoint = openAi();
        GenerationRequest request = baseRequest();
        const QString before = requestFingerprint(endpoint, request);
        change(endpoint, request);
        QCOMPARE(requestFingerprint(endpoint, request), before);
    }
};

QTEST_APPLESS_MAIN(TestFingerprint)
#include "tst_fingerprint.moc"
