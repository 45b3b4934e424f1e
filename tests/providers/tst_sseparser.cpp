#include "providers/sseparser.h"
#include "testdata.h"

#include <QDirIterator>
#include <QTest>

using namespace sluice;
using sluice::test::readTestData;
using sluice::test::testDataPath;

namespace {

// An event as a comparable list: type, data, id.
using Recorded = QList<QByteArrayList>;

class Recorder
{
public:
    Recorder()
        : m_parser([this](const SseEvent &event) {
            m_events.append({event.type, event.data, event.id});
            if (event.isDone())
                ++m_done;
        })
    { }

    void feed(QByteArrayView bytes) { m_parser.feed(bytes); }
    bool finish() { return m_parser.finish(); }
    [[nodiscard]] const Recorded &events() const { return m_events; }
    [[nodiscard]] const SseParser &parser() const { return m_parser; }
    [[nodiscard]] int doneCount() const { return m_done; }

private:
    Recorded m_events;
    int m_done = 0;
    SseParser m_parser;
};

Recorded parseWhole(QByteArrayView bytes)
{
    Recorder recorder;
    recorder.feed(bytes);
    return recorder.events();
}

// Every `.sse` stream under tests/data, recorded or hand-written.
QStringList sseFixtures()
{
    QStringList paths;
    const QString root = testDataPath({});
    QDirIterator it(root, {u"*.sse"_qs}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        paths.append(QDir(root).relativeFilePath(it.next()));
    paths.sort();
    return paths;
}

QByteArray withLineEnds(QByteArray bytes, QByteArrayView lineEnd)
{
    return bytes.replace("\n", lineEnd.toByteArray());
}

} // namespace

class TestSseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fieldsOfOneEvent()
    {
        const Recorded events = parseWhole("event: response.created\ndata: {\"a\":1}\nid: 7\n\n");
        QCOMPARE(events, Recorded({{"response.created", "{\"a\":1}", "7"}}));
    }

    void multiLineDataIsJoinedWithNewlines()
    {
        QCOMPARE(parseWhole("data: one\ndata:two\ndata:  three\n\n"),
            Recorded({{"", "one\ntwo\n three", ""}}));
    }

    void commentsAndUnknownFieldsAreIgnored()
    {
        QCOMPARE(parseWhole(": OPENROUTER PROCESSING\n\n:\nfoo: bar\ndata: x\n: mid\n\n"),
            Recorded({{"", "x", ""}}));
    }

    void idPersistsAndEventTypeDoesNot()
    {
        QCOMPARE(parseWhole("event: a\nid: 1\ndata: x\n\ndata: y\n\nid\ndata: z\n\n"),
            Recorded({{"a", "x", "1"}, {"", "y", "1"}, {"", "z", ""}}));
    }

    void blankLinesWithoutDataDispatchNothing()
    {
        QCOMPARE(parseWhole("\n\nevent: ping\n\n\n"), Recorded());
        // `data` alone (no colon) and `data:` are an empty data line: dispatched.
        QCOMPARE(parseWhole("data\n\ndata:\n\n"), Recorded({{"", "", ""}, {"", "", ""}}));
    }

    void retryKeepsTheLastValidValue()
    {
        Recorder recorder;
        recorder.feed("retry: 1500\n\n");
        QCOMPARE(recorder.parser().retryMs(), 1500);
        recorder.feed("retry: soon\nretry: -1\n\n");
        QCOMPARE(recorder.parser().retryMs(), 1500);
        QVERIFY(recorder.events().isEmpty());
    }

    void doneIsSurfaced()
    {
        Recorder recorder;
        recorder.feed("data: {\"x\":1}\n\ndata: [DONE]\n\n");
        QCOMPARE(recorder.events().size(), 2);
        QCOMPARE(recorder.doneCount(), 1);
    }

    void everyLineEndStyle_data()
    {
        QTest::addColumn<QByteArray>("lineEnd");
        QTest::newRow("LF") << QByteArray("\n");
        QTest::newRow("CR") << QByteArray("\r");
        QTest::newRow("CRLF") << QByteArray("\r\n");
    }

    void everyLineEndStyle()
    {
        QFETCH(QByteArray, lineEnd);
        const QByteArray stream
            = withLineEnds("event: e\ndata: a\ndata: b\n\ndata: c\n\n", lineEnd);
        const Recorded expected = {{"e", "a\nb", ""}, {"", "c", ""}};
        QCOMPARE(parseWhole(stream), expected);
        Recorder bytewise;
        for (char byte : stream)
            bytewise.feed(QByteArrayView(&byte, 1));
        QCOMPARE(bytewise.events(), expected);
        QVERIFY(!bytewise.parser().hasPendingEvent());
    }

    void crlfSplitAcrossChunksIsOneLineEnd()
    {
        Recorder recorder;
        recorder.feed("data: a\r");
        recorder.feed("\n\r");
        QCOMPARE(recorder.events(), Recorded({{"", "a", ""}}));
        recorder.feed("\ndata: b\r");
        recorder.feed("\r");
        QCOMPARE(recorder.events(), Recorded({{"", "a", ""}, {"", "b", ""}}));
    }

    void leadingBomIsSkippedEvenWhenSplit()
    {
        const QByteArray stream = "\xEF\xBB\xBF"
                                  "data: x\n\n";
        QCOMPARE(parseWhole(stream), Recorded({{"", "x", ""}}));
        Recorder bytewise;
        for (char byte : stream)
            bytewise.feed(QByteArrayView(&byte, 1));
        QCOMPARE(bytewise.events(), Recorded({{"", "x", ""}}));
        // Only a leading one: a BOM later is part of the line (an unknown field here).
        QCOMPARE(parseWhole("data: x\n\n\xEF\xBB\xBF"
                            "data: y\n\n"),
            Recorded({{"", "x", ""}}));
    }

    void bytesThatOnlyStartLikeABomAreKept()
    {
        QCOMPARE(parseWhole("\xEF"
                            "data: x\n\n"),
            Recorded());
        QCOMPARE(parseWhole("\xEF\xBB"
                            ":c\ndata: x\n\n"),
            Recorded({{"", "x", ""}}));
    }

    void unterminatedEventIsPendingNotDispatched()
    {
        Recorder recorder;
        recorder.feed("data: {\"partial\":");
        QVERIFY(recorder.parser().hasPendingEvent());
        recorder.feed("1}\n");
        QVERIFY(recorder.parser().hasPendingEvent());
        QVERIFY(recorder.events().isEmpty());
        recorder.feed("\n");
        QVERIFY(!recorder.parser().hasPendingEvent());
        QCOMPARE(recorder.events().size(), 1);
    }

    void finishDispatchesCompleteLinesOnly()
    {
        Recorder cut;
        cut.feed("data: a\n\ndata: {\"partial\":");
        QVERIFY(!cut.finish());
        QCOMPARE(cut.events(), Recorded({{"", "a", ""}}));

        Recorder unclosed; // the stream closed right after its last data line
        unclosed.feed("event: done\r\ndata: b\r\n");
        QVERIFY(unclosed.finish());
        QCOMPARE(unclosed.events(), Recorded({{"done", "b", ""}}));
        QVERIFY(!unclosed.parser().hasPendingEvent());

        Recorder closed;
        closed.feed("data: c\n\n");
        QVERIFY(closed.finish());
        QCOMPARE(closed.events().size(), 1);
    }

    // The property: however the bytes of a stream are split, the events are
    // the same. Every `.sse` fixture, with LF, CR and CRLF line ends, split in
    // two at every position and fed one byte at a time.
    void anySplitGivesTheSameEvents_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("lineEnd");
        const QStringList fixtures = sseFixtures();
        QVERIFY(fixtures.size() >= 2);
        for (const QString &path : fixtures) {
            QTest::addRow("%s LF", qPrintable(path)) << path << QByteArray("\n");
            QTest::addRow("%s CR", qPrintable(path)) << path << QByteArray("\r");
            QTest::addRow("%s CRLF", qPrintable(path)) << path << QByteArray("\r\n");
        }
    }

    void anySplitGivesTheSameEvents()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, lineEnd);
        const QByteArray stream = withLineEnds(readTestData(path), lineEnd);
        const Recorded whole = parseWhole(stream);
        QVERIFY2(!whole.isEmpty(), qPrintable(path));
        QCOMPARE(whole, parseWhole(withLineEnds(readTestData(path), "\n")));

        for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
            Recorder split;
            split.feed(QByteArrayView(stream).first(cut));
            split.feed(QByteArrayView(stream).sliced(cut));
            if (split.events() != whole)
                QFAIL(qPrintable(u"split at byte %1 differs"_qs.arg(cut)));
        }
        Recorder bytewise;
        for (char byte : stream)
            bytewise.feed(QByteArrayView(&byte, 1));
        QCOMPARE(bytewise.events(), whole);
    }
};

QTEST_APPLESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
