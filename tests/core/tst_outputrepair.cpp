#include "core/outputrepair.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sluice;

namespace {

QJsonValue json(const QByteArray &text)
{
    return QJsonDocument::fromJson("[" + text + "]").array().first();
}

bool isObject(const QJsonValue &value)
{
    return value.isObject();
}

} // namespace

class TestOutputRepair : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validJsonIsTakenAsIs()
    {
        const RepairResult r = repairJsonOutput(u"  {\"city\": \"Lyon\", \"n\": [1, 2]}\n"_qs);
        QVERIFY(r.ok());
        QVERIFY(!r.repaired());
        QCOMPARE(r.step, RepairStep::AsIs);
        QCOMPARE(*r.value, json(R"({"city": "Lyon", "n": [1, 2]})"));
        QCOMPARE(r.attempts.size(), 1);
        QVERIFY(r.attempts[0].accepted);
        QCOMPARE(r.attempts[0].description, u"took the answer"_qs);
    }

    void scalarsParseAsIs()
    {
        QCOMPARE(*repairJsonOutput(u"42"_qs).value, QJsonValue(42));
        QCOMPARE(*repairJsonOutput(u"\"text\""_qs).value, QJsonValue(u"text"_qs));
        QVERIFY(!repairJsonOutput(u"1 2"_qs).ok());
    }

    void fencedJsonTurnsIntoTheJson_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("fence");
        QTest::newRow("json fence") << u"```json\n{\"a\": 1}\n```"_qs << u"```json"_qs;
        QTest::newRow("bare fence") << u"```\n{\"a\": 1}\n```\n"_qs << u"```"_qs;
        QTest::newRow("tilde fence") << u"~~~JSON\n{\"a\": 1}\n~~~"_qs << u"~~~JSON"_qs;
        QTest::newRow("prose around the fence")
            << u"Here you go:\n\n```json\n{\"a\": 1}\n```\nAnything else?"_qs << u"```json"_qs;
        QTest::newRow("longer closing fence") << u"```json\n{\"a\": 1}\n`````"_qs << u"```json"_qs;
        QTest::newRow("indented fence") << u"  ```json\n  {\"a\": 1}\n  ```"_qs << u"```json"_qs;
        QTest::newRow("unclosed fence (cut answer)")
            << u"```json\n{\"a\": 1}\n"_qs << u"```json, unclosed"_qs;
    }

    void fencedJsonTurnsIntoTheJson()
    {
        QFETCH(QString, text);
        QFETCH(QString, fence);
        const RepairResult r = repairJsonOutput(text, isObject);
        QVERIFY(r.ok());
        QVERIFY(r.repaired());
        QCOMPARE(r.step, RepairStep::StripCodeFences);
        QCOMPARE(*r.value, json(R"({"a": 1})"));
        QCOMPARE(r.attempts.size(), 2);
        QCOMPARE(r.attempts[0].step, RepairStep::AsIs);
        QVERIFY(!r.attempts[0].parsed);
        QVERIFY(r.attempts[0].description.startsWith(u"the answer is not JSON: "_qs));
        QCOMPARE(r.attempts[1].step, RepairStep::StripCodeFences);
        QVERIFY(r.attempts[1].accepted);
        QCOMPARE(r.attempts[1].description, u"took fenced block 1 of 1 (%1)"_qs.arg(fence));
    }

    void acceptorChoosesAmongFencedBlocks()
    {
        const QString text = u"```\n[1, 2]\n```\nand the answer:\n```json\n{\"ok\": true}\n```"_qs;
        const RepairResult any = repairJsonOutput(text);
        QCOMPARE(*any.value, json("[1, 2]"));
        const RepairResult object = repairJsonOutput(text, isObject);
        QCOMPARE(*object.value, json(R"({"ok": true})"));
        QCOMPARE(object.attempts[1].description,
            u"fenced block 1 of 2 (```) is JSON but not accepted; "
            "took fenced block 2 of 2 (```json)"_qs);
    }

    void proseAroundTheJson()
    {
        const QString text = u"Sure! Here is the result: {\"a\": 1, \"b\": [true]} Let me know."_qs;
        const RepairResult r = repairJsonOutput(text);
        QVERIFY(r.ok());
        QCOMPARE(r.step, RepairStep::ExtractFromProse);
        QCOMPARE(*r.value, json(R"({"a": 1, "b": [true]})"));
        QCOMPARE(r.attempts.size(), 3);
        QCOMPARE(r.attempts[1].description, u"no code fence"_qs);
        QCOMPARE(r.attempts[2].description, u"took the object at characters 26-47"_qs);
    }

    void bracesInsideStringsDoNotCount()
    {
        const QString text = u"Answer: {\"text\": \"a } tricky { one\", \"q\": \"say \\\"}\\\" "
                             "now\", \"n\": {\"m\": [1, \"]\"]}} and a stray } after"_qs;
        const RepairResult r = repairJsonOutput(text);
        QVERIFY(r.ok());
        QCOMPARE(r.step, RepairStep::ExtractFromProse);
        QJsonObject expected;
        expected.insert(u"text"_qs, u"a } tricky { one"_qs);
        expected.insert(u"q"_qs, u"say \"}\" now"_qs);
        expected.insert(u"n"_qs, QJsonObject {{u"m"_qs, QJsonArray {1, u"]"_qs}}});
        QCOMPARE(*r.value, QJsonValue(expected));
    }

    void acceptorSkipsEarlierCandidates()
    {
        const QString text = u"As shown in [1], the answer is {\"score\": 3}."_qs;
        QCOMPARE(*repairJsonOutput(text).value, json("[1]"));
        const RepairResult r = repairJsonOutput(text, isObject);
        QCOMPARE(*r.value, json(R"({"score": 3})"));
        QCOMPARE(r.attempts[2].description,
            u"the array at characters 12-15 is JSON but not accepted; "
            "took the object at characters 31-43"_qs);
    }

    void onlyTopLevelValuesAreCandidates()
    {
        // The outer object is not JSON; its inner object must not pass for it.
        const RepairResult r = repairJsonOutput(u"{a: 1, \"b\": {\"c\": 2}}"_qs);
        QVERIFY(!r.ok());
        QCOMPARE(r.attempts.size(), 3);
        QVERIFY2(
            r.attempts[2].description.startsWith(u"the object at characters 0-21 is not JSON: "_qs),
            qPrintable(r.attempts[2].description));
    }

    void unbalancedOpeningIsSkipped()
    {
        const RepairResult r = repairJsonOutput(u"Use { carefully: [\"x\"] is fine"_qs);
        QVERIFY(r.ok());
        QCOMPARE(*r.value, json(R"(["x"])"));
    }

    void degenerateAnswerStaysCheap()
    {
        // A model stuck repeating an opening bracket up to its token limit.
        const QString text = QString(200'000, u'[') + u" {\"a\": 1}"_qs;
        QElapsedTimer timer;
        timer.start();
        const RepairResult r = repairJsonOutput(text);
        QVERIFY(!r.ok());
        QVERIFY(r.attempts[2].description.endsWith(
            u"stopped looking after 256 unbalanced openings"_qs));
        QVERIFY(timer.elapsed() < 5'000);
    }

    void nothingJsonFails()
    {
        const RepairResult r = repairJsonOutput(u"I cannot answer that."_qs);
        QVERIFY(!r.ok());
        QVERIFY(!r.repaired());
        QCOMPARE(r.attempts.size(), 3);
        for (const RepairAttempt &attempt : r.attempts) {
            QVERIFY(!attempt.parsed);
            QVERIFY(!attempt.accepted);
        }
        QCOMPARE(r.attempts[1].description, u"no code fence"_qs);
        QCOMPARE(r.attempts[2].description, u"no balanced object or array"_qs);
    }

    void rejectedEverywhereFails()
    {
        const RepairResult r = repairJsonOutput(u"[1, 2]"_qs, isObject);
        QVERIFY(!r.ok());
        QVERIFY(r.attempts[0].parsed);
        QVERIFY(!r.attempts[0].accepted);
        QCOMPARE(r.attempts[0].description, u"the answer is JSON but not accepted"_qs);
        QVERIFY(r.attempts[2].parsed);
        QVERIFY(!r.attempts[2].accepted);
    }

    void stepNames()
    {
        QCOMPARE(repairStepName(RepairStep::AsIs), u"as-is"_qs);
        QCOMPARE(repairStepName(RepairStep::StripCodeFences), u"strip code fences"_qs);
        QCOMPARE(repairStepName(RepairStep::ExtractFromProse), u"extract from prose"_qs);
    }
};

QTEST_APPLESS_MAIN(TestOutputRepair)
#include "tst_outputrepair.moc"
