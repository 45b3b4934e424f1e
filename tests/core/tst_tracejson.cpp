// traceToJson: the shape the run store keeps and the exports read
// (docs/trace-format.md).
#include "core/tracejson.h"
#include "manualclock.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;

class TestTraceJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void idsAreFixedWidthHex()
    {
        test::ManualClock clock;
        Trace trace(clock);
        const std::uint64_t root = trace.begin(QStringLiteral("request"));
        for (int i = 0; i < 20; ++i)
            trace.end(trace.begin(QStringLiteral("attempt"), root));
        trace.end(root);

        const QJsonObject json = traceToJson(trace);
        QCOMPARE(json.value(u"trace_id").toString(), trace.traceId());
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$"))
                    .match(json.value(u"trace_id").toString())
                    .hasMatch());
        const QJsonArray spans = json.value(u"spans").toArray();
        QCOMPARE(spans.size(), 21);
        const QRegularExpression spanId(QStringLiteral("^[0-9a-f]{16}$"));
        for (const QJsonValue &span : spans)
            QVERIFY(spanId.match(span[u"span_id"].toString()).hasMatch());
        QCOMPARE(spans.at(0)[u"span_id"].toString(), QStringLiteral("0000000000000001"));
        QCOMPARE(spans.at(20)[u"span_id"].toString(), QStringLiteral("0000000000000015"));
    }

    void spansKeepTheirShape()
    {
        test::ManualClock clock;
        Trace trace(clock);
        const QDateTime before = QDateTime::currentDateTimeUtc();
        const std::uint64_t root = trace.begin(QStringLiteral("request"));
        trace.setAttribute(root, QStringLiteral("model"), QStringLiteral("gpt-test"));
        const std::uint64_t attempt = trace.begin(QStringLiteral("attempt"), root);
        trace.setAttribute(attempt, QStringLiteral("http_status"), 429);
        clock.advance(1500us);
        trace.end(attempt);
        clock.advance(2ms);
        trace.begin(QStringLiteral("backoff"), root); // still running
        trace.end(root);

        const QJsonArray spans = traceToJson(trace).value(u"spans").toArray();
        QCOMPARE(spans.size(), 3);
        const QJsonObject request = spans.at(0).toObject();
        QCOMPARE(request.value(u"name").toString(), QStringLiteral("request"));
        QVERIFY(request.value(u"parent_span_id").isNull());
        QCOMPARE(request.value(u"duration_ms").toDouble(), 3.5);
        QCOMPARE(request.value(u"attributes").toObject(),
            QJsonObject({{QStringLiteral("model"), QStringLiteral("gpt-test")}}));

        const QJsonObject first = spans.at(1).toObject();
        QCOMPARE(first.value(u"parent_span_id").toString(), request.value(u"span_id").toString());
        QCOMPARE(first.value(u"duration_ms").toDouble(), 1.5);
        QCOMPARE(first.value(u"attributes").toObject().value(u"http_status").toInt(), 429);

        // A span that never ended has no duration, not a made-up one.
        QVERIFY(spans.at(2)[u"duration_ms"].isNull());

        // Wall start: ISO 8601 UTC with milliseconds.
        const QString start = request.value(u"start").toString();
        QVERIFY2(QRegularExpression(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"))
                     .match(start)
                     .hasMatch(),
            qPrintable(start));
        const QDateTime parsed = QDateTime::fromString(start, Qt::ISODateWithMs);
        QVERIFY(parsed >= before.addMSecs(-1));
        QVERIFY(parsed <= QDateTime::currentDateTimeUtc());
    }

    void emptyTrace()
    {
        const QJsonObject json = traceToJson(Trace());
        QVERIFY(json.value(u"spans").toArray().isEmpty());
        QCOMPARE(json.value(u"trace_id").toString(), QString());
    }
};

QTEST_GUILESS_MAIN(TestTraceJson)
#include "tst_tracejson.moc"
