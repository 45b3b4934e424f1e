// RunPlan: rows, bad rows, duplicates and missing variables counted; input
// tokens as bytes / 4 plus the per-message overhead and the schema; output at
// the typical estimate and the cap; cost from the price book (unknown for an
// unpriced model); the ETA from the requests, tokens and concurrency bounds
// with --window-seconds.

#include "core/fingerprint.h"
#include "engine/batch/runplan.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;

namespace {

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

// `rows` rows {"id": "rN", "w": "abcd"}: the prompt "Say {{w}}" renders to 8 bytes.
QByteArray rowsOf(int rows)
{
    QByteArray text;
    for (int i = 0; i < rows; ++i)
        text += QStringLiteral("{\"id\":\"r%1\",\"w\":\"abcd\"}\n").arg(i).toUtf8();
    return text;
}

RunTemplate sayTemplate(const QString &model = QStringLiteral("gpt-5-mini"))
{
    RunTemplate t;
    t.providerId = QStringLiteral("openai-responses");
    t.model = model;
    t.promptTemplate = QStringLiteral("Say {{w}}");
    t.maxOutputTokens = 100;
    return t;
}

RunPlan plan(
    const QString &path, const RunTemplate &t, const PlanLimits &limits, const PriceBook *prices)
{
    DatasetReader reader;
    QString error;
    if (!reader.open(path, &error))
        qFatal("%s", qPrintable(error));
    return planRun(reader, t, prices, limits);
}

} // namespace

class TestRunPlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        PriceBookLoad load = PriceBook::builtin();
        QVERIFY(load.book);
        m_prices = std::move(load.book);
    }

    void countsTokensAndCost()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("a.jsonl"), rowsOf(10));
        const RunPlan p = plan(path, sayTemplate(), {}, &*m_prices);
        QCOMPARE(p.rows, 10);
        QCOMPARE(p.badRows, 0);
        // "Say abcd": 8 bytes = 2 tokens, + 4 for the message.
        QCOMPARE(p.inputTokens, 10 * 6);
        QCOMPARE(p.outputTokensTypical, 10 * 100); // the cap is below the typical 256
        QCOMPARE(p.outputTokensMax, 10 * 100);
        QVERIFY(p.outputCapped);
        // gpt-5-mini: $0.25 in, $2.00 out per million tokens.
        QVERIFY(p.costEstimate.known());
        QCOMPARE(*p.costEstimate.pico, 10 * (6 * 250'000 + 100 * 2'000'000));
        QCOMPARE(*p.costUpperBound.pico, *p.costEstimate.pico);
        QCOMPARE(p.toJson().value(QStringLiteral("cost_usd")).toDouble(),
            unitsFromPico(*p.costEstimate.pico));
    }

    void typicalOutputBelowTheCap()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("a.jsonl"), rowsOf(4));
        RunTemplate t = sayTemplate();
        t.maxOutputTokens.reset();
        const RunPlan p = plan(path, t, {}, &*m_prices);
        QCOMPARE(p.outputTokensTypical, 4 * RunPlan::kTypicalOutputTokens);
        QCOMPARE(p.outputTokensMax, 4 * RunPlan::kDefaultOutputCap);
        QVERIFY(!p.outputCapped);
        QVERIFY(*p.costUpperBound.pico > *p.costEstimate.pico);
    }

    void schemaAndInstructionsCount()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("a.jsonl"), rowsOf(1));
        RunTemplate t = sayTemplate();
        t.instructionsTemplate = QStringLiteral("Be brief"); // 8 bytes: 2 + 4
        const QJsonObject schema {{QStringLiteral("type"), QStringLiteral("object")}};
        t.outputSchema = schema;
        const qint64 schemaBytes = canonicalJson(schema).size(); // {"type":"object"}: 17
        const RunPlan p = plan(path, t, {}, &*m_prices);
        QCOMPARE(p.inputTokens, 6 + 6 + (schemaBytes + 3) / 4);
        QCOMPARE(estimateInputTokens(QString(), QStringLiteral("é"), 0), 1 + 4); // 2 bytes
    }

    void unpricedModelHasNoCost()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("a.jsonl"), rowsOf(3));
        const RunPlan p = plan(path, sayTemplate(QStringLiteral("no-such-model")), {}, &*m_prices);
        QVERIFY(!p.costEstimate.known());
        QVERIFY(!p.costEstimate.unknownReason.isEmpty());
        QVERIFY(p.toJson().value(QStringLiteral("cost_usd")).isNull());
        QVERIFY(p.toJson().value(QStringLiteral("cost_usd_max")).isNull());
        QVERIFY(p.toText().contains(u"unknown"));
    }

    void problemsDuplicatesAndMissingVariables()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("a.jsonl"),
            "{\"id\":\"a\",\"w\":\"x\"}\nnot json\n{\"id\":\"a\",\"w\":\"y\"}\n{\"id\":\"b\"}\n");
        const RunPlan p = plan(path, sayTemplate(), {}, &*m_prices);
        QCOMPARE(p.rows, 3);
        QCOMPARE(p.badRows, 1);
        QCOMPARE(p.problems.size(), 1);
        QCOMPARE(p.problems.constFirst().line, 2);
        QCOMPARE(p.duplicateIds, 1);
        QCOMPARE(p.renderFailures, 1);
        QVERIFY2(p.renderErrors.constFirst().contains(u"row b"),
            qPrintable(p.renderErrors.constFirst()));
        const QJsonObject json = p.toJson();
        QCOMPARE(json.value(QStringLiteral("bad_rows")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("problems")).toArray().size(), 1);
    }

    void etaFromTheLimits_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("rpm");
        QTest::addColumn<int>("tpm");
        QTest::addColumn<int>("window");
        QTest::addColumn<int>("concurrency");
        QTest::addColumn<double>("eta");
        QTest::addColumn<QString>("boundBy");
        // 10 rows at 6 a window: 2 windows, one wait of 60 s.
        QTest::newRow("rpm") << 10 << 6 << 0 << 60 << 16 << 60.0 << u"requests"_qs;
        // A 30 s window admits 3: 4 windows, 3 waits of 30 s.
        QTest::newRow("rpm, 30 s window") << 10 << 6 << 0 << 30 << 16 << 90.0 << u"requests"_qs;
        // 10 rows x (6 + 100) tokens = 1060 at 500 a window: 3 windows.
        QTest::newRow("tpm") << 10 << 0 << 500 << 60 << 16 << 120.0 << u"tokens"_qs;
        // No limits: ceil(10 / 2) x (1 s + 100 / 50 tok/s) = 15 s.
        QTest::newRow("concurrency") << 10 << 0 << 0 << 60 << 2 << 15.0 << u"concurrency"_qs;
    }

    void etaFromTheLimits()
    {
        QFETCH(int, rows);
        QFETCH(int, rpm);
        QFETCH(int, tpm);
        QFETCH(int, window);
        QFETCH(int, concurrency);
        QFETCH(double, eta);
        QFETCH(QString, boundBy);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("a.jsonl"), rowsOf(rows));
        PlanLimits limits;
        if (rpm > 0)
            limits.requestsPerMinute = rpm;
        if (tpm > 0)
            limits.tokensPerMinute = tpm;
        limits.windowSeconds = window;
        limits.concurrency = concurrency;
        const RunPlan p = plan(path, sayTemplate(), limits, &*m_prices);
        QCOMPARE(p.etaSeconds, eta);
        QCOMPARE(p.boundBy, boundBy);
        QCOMPARE(p.toJson().value(QStringLiteral("eta_bound_by")).toString(), boundBy);
    }

    void csvRowsToo()
    {
        QTemporaryDir dir;
        const QString path
            = writeFile(dir, QStringLiteral("a.csv"), "id,w\r\n1,abcd\r\n2,\"ab,d\"\r\n");
        const RunPlan p = plan(path, sayTemplate(), {}, &*m_prices);
        QCOMPARE(p.rows, 2);
        QCOMPARE(p.inputTokens, 2 * 6);
    }

private:
    std::optional<PriceBook> m_prices;
};

QTEST_GUILESS_MAIN(TestRunPlan)
#include "tst_runplan.moc"
