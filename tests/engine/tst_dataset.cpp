// The dataset reader: RFC 4180 CSV (quotes, doubled quotes, embedded line
// ends, CRLF, a BOM, no final newline) and JSONL, record by record; bad
// records become problems with their line while the others are read; ids
// come from the id field or the index, which counts bad records too.
#include "engine/batch/dataset.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;

namespace {

struct ReadAll
{
    QList<DatasetRow> rows;
    QList<DatasetProblem> problems;
    qint64 problemCount = 0;
    QStringList columns;
};

ReadAll readAll(DatasetReader &reader)
{
    ReadAll all;
    DatasetRow row;
    while (reader.next(row))
        all.rows.append(row);
    all.problems = reader.problems();
    all.problemCount = reader.problemCount();
    all.columns = reader.columns();
    return all;
}

QStringList idsOf(const QList<DatasetRow> &rows)
{
    QStringList ids;
    for (const DatasetRow &row : rows)
        ids << row.id;
    return ids;
}

} // namespace

class TestDataset : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;

    /// A new file in the temporary folder holding exactly `bytes`.
    QString write(const QByteArray &bytes, const QString &suffix)
    {
        const QString path = m_dir.filePath(QStringLiteral("data%1.%2").arg(++m_files).arg(suffix));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    ReadAll read(const QByteArray &bytes, const QString &suffix,
        const QString &idField = QStringLiteral("id"))
    {
        DatasetReader reader;
        QString error;
        if (!reader.open(write(bytes, suffix), &error, {}, idField))
            qFatal("open failed: %s", qPrintable(error));
        return readAll(reader);
    }

    QString openError(const QByteArray &bytes, const QString &suffix)
    {
        DatasetReader reader;
        QString error;
        if (reader.open(write(bytes, suffix), &error))
            return QStringLiteral("(opened)");
        return error;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void formatFromExtension()
    {
        QCOMPARE(DatasetReader::formatForPath(QStringLiteral("a/b.JSONL")),
            DatasetReader::Format::Jsonl);
        QCOMPARE(
            DatasetReader::formatForPath(QStringLiteral("b.ndjson")), DatasetReader::Format::Jsonl);
        QCOMPARE(DatasetReader::formatForPath(QStringLiteral("b.Csv")), DatasetReader::Format::Csv);
        QVERIFY(!DatasetReader::formatForPath(QStringLiteral("b.txt")));

        DatasetReader reader;
        QString error;
        const QString txt = write("id,x\n1,2\n", QStringLiteral("txt"));
        QVERIFY(!reader.open(txt, &error));
        QVERIFY2(error.contains(txt) && error.contains(QStringLiteral(".csv")), qPrintable(error));
        // The format given wins over the extension.
        QVERIFY2(reader.open(txt, &error, DatasetReader::Format::Csv), qPrintable(error));
        QCOMPARE(reader.format(), DatasetReader::Format::Csv);
        QCOMPARE(readAll(reader).rows.size(), 1);

        const QString missing = m_dir.filePath(QStringLiteral("missing.csv"));
        QVERIFY(!reader.open(missing, &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot open ")) && error.contains(missing),
            qPrintable(error));
    }

    void readErrorIsNotTheEnd()
    {
        // Reading /proc/self/mem from offset 0 fails with EIO.
        const QString mem = QStringLiteral("/proc/self/mem");
        DatasetReader reader;
        QString error;
        QVERIFY(!reader.open(mem, &error, DatasetReader::Format::Csv));
        QVERIFY2(
            error.startsWith(QStringLiteral("cannot read /proc/self/mem: ")), qPrintable(error));
        QVERIFY2(reader.open(mem, &error, DatasetReader::Format::Jsonl), qPrintable(error));
        DatasetRow row;
        QVERIFY(!reader.next(row));
        QVERIFY(!reader.next(row));
        QCOMPARE(reader.problemCount(), 1);
        QCOMPARE(reader.problems()[0].line, 1);
        QVERIFY2(reader.problems()[0].message.startsWith(QStringLiteral("cannot read further (")),
            qPrintable(reader.problems()[0].message));
    }

    void csvQuotedFields()
    {
        const ReadAll all = read("id,text,n\n"
                                 "a,plain,1\n"
                                 "b,\"with, comma\",2\n"
                                 "c,\"say \"\"hi\"\"\",3\n"
                                 "d,\"\",4\n"
                                 "e,5\" screen,5\n"
                                 "f,,\n",
            QStringLiteral("csv"));
        QCOMPARE(all.problemCount, 0);
        QCOMPARE(all.columns, QStringList({"id", "text", "n"}));
        QCOMPARE(all.rows.size(), 6);
        QCOMPARE(all.rows[0].values.value("text"), QStringLiteral("plain"));
        QCOMPARE(all.rows[1].values.value("text"), QStringLiteral("with, comma"));
        QCOMPARE(all.rows[2].values.value("text"), QStringLiteral("say \"hi\""));
        QCOMPARE(all.rows[3].values.value("text"), QString());
        QCOMPARE(all.rows[4].values.value("text"), QStringLiteral("5\" screen"));
        QCOMPARE(all.rows[5].values.value("text"), QString());
        QCOMPARE(all.rows[5].values.value("n"), QString());
        QCOMPARE(all.rows[5].values.size(), 3);
        QCOMPARE(idsOf(all.rows), QStringList({"a", "b", "c", "d", "e", "f"}));
        for (int i = 0; i < all.rows.size(); ++i) {
            QCOMPARE(all.rows[i].index, i);
            QCOMPARE(all.rows[i].line, i + 2);
        }
    }

    void csvEmbeddedLineEndsKeepLineNumbers()
    {
        const ReadAll all = read("id,text\r\n"
                                 "a,\"one\r\ntwo\r\nthree\"\r\n"
                                 "b,\"x\ny\"\r\n"
                                 "c,after\r\n",
            QStringLiteral("csv"));
        QCOMPARE(all.problemCount, 0);
        QCOMPARE(all.rows.size(), 3);
        QCOMPARE(all.rows[0].values.value("text"), QStringLiteral("one\r\ntwo\r\nthree"));
        QCOMPARE(all.rows[0].line, 2);
        QCOMPARE(all.rows[1].values.value("text"), QStringLiteral("x\ny"));
        QCOMPARE(all.rows[1].line, 5);
        QCOMPARE(all.rows[2].values.value("text"), QStringLiteral("after"));
        QCOMPARE(all.rows[2].line, 7);
    }

    void csvBomCrlfNoFinalNewline()
    {
        const ReadAll all = read(
            "\xEF\xBB\xBFid,name\r\n1,\xC3\xA9t\xC3\xA9\r\n2,\"last\"", QStringLiteral("csv"));
        QCOMPARE(all.columns, QStringList({"id", "name"})); // not "\uFEFFid"
        QCOMPARE(all.rows.size(), 2);
        QCOMPARE(all.rows[0].values.value("name"), QStringLiteral("\u00E9t\u00E9"));
        QCOMPARE(all.rows[1].values.value("name"), QStringLiteral("last"));
        QCOMPARE(idsOf(all.rows), QStringList({"1", "2"}));
        QCOMPARE(all.problemCount, 0);

        // A BOM on JSONL too; a lone CR inside a value is data.
        const ReadAll jsonl
            = read("\xEF\xBB\xBF{\"id\":\"x\",\"t\":\"a\\rb\"}", QStringLiteral("jsonl"));
        QCOMPARE(jsonl.problemCount, 0);
        QCOMPARE(idsOf(jsonl.rows), QStringList({"x"}));
        QCOMPARE(jsonl.rows[0].values.value("t"), QStringLiteral("a\rb"));
        const ReadAll cr = read("id,t\n1,a\rb\n", QStringLiteral("csv"));
        QCOMPARE(cr.rows[0].values.value("t"), QStringLiteral("a\rb"));
    }

    void csvBlankLinesAreNoRecords()
    {
        const ReadAll all = read("\nid,t\n\na\n\r\nb\n\n", QStringLiteral("csv"));
        QCOMPARE(all.problems.size(), 2); // one field where the header has two
        QCOMPARE(all.problems[0].line, 4);
        QCOMPARE(all.problems[1].line, 6);
        const ReadAll good = read("id,t\n\n1,a\n\r\n\n2,b\n\n", QStringLiteral("csv"));
        QCOMPARE(good.problemCount, 0);
        QCOMPARE(idsOf(good.rows), QStringList({"1", "2"}));
        QCOMPARE(good.rows[1].index, 1); // blank lines are not counted
        QCOMPARE(good.rows[1].line, 6);
        // A quoted empty value is a record, not a blank line.
        const ReadAll single = read("t\n\"\"\nx\n", QStringLiteral("csv"));
        QCOMPARE(single.rows.size(), 2);
        QCOMPARE(single.rows[0].values.value("t"), QString());
        QCOMPARE(idsOf(single.rows), QStringList({"0", "1"}));
    }

    void csvBadRecordsAreReportedAndOthersRead()
    {
        const ReadAll all = read("id,a,b\n"
                                 "r0,1,2\n"
                                 "r1,1\n"
                                 ",1,2\n"
                                 "r3,\"x\"y,2\n"
                                 "r4,1,2,3\n"
                                 "r5,\"multi\nline\",2\n"
                                 "r6,\"never closed,2\nr7,1,2\n",
            QStringLiteral("csv"));
        QCOMPARE(idsOf(all.rows), QStringList({"r0", "2", "r5"}));
        QCOMPARE(all.rows[1].index, 2);
        QCOMPARE(all.rows[2].index, 5);
        QCOMPARE(all.rows[2].line, 7);
        QCOMPARE(all.problemCount, 4);
        QCOMPARE(all.problems.size(), 4);
        QCOMPARE(all.problems[0].line, 3);
        QCOMPARE(all.problems[0].message, QStringLiteral("2 fields where the header has 3"));
        QCOMPARE(
            all.problems[0].describe(), QStringLiteral("line 3: 2 fields where the header has 3"));
        QCOMPARE(all.problems[1].line, 5);
        QVERIFY2(all.problems[1].message.startsWith(
                     QStringLiteral("text after the closing quote of field 2")),
            qPrintable(all.problems[1].message));
        QCOMPARE(all.problems[2].line, 6);
        QCOMPARE(all.problems[2].message, QStringLiteral("4 fields where the header has 3"));
        // The unclosed quote runs to the end of the file: the record starts on line 9.
        QCOMPARE(all.problems[3].line, 9);
        QVERIFY2(all.problems[3].message.contains(QStringLiteral("not closed")),
            qPrintable(all.problems[3].message));
    }

    void csvHeaderErrors()
    {
        QString error = openError("", QStringLiteral("csv"));
        QVERIFY2(error.contains(QStringLiteral("is empty")), qPrintable(error));
        error = openError("\n\r\n", QStringLiteral("csv"));
        QVERIFY2(error.contains(QStringLiteral("is empty")), qPrintable(error));
        error = openError("id,,x\n1,2,3\n", QStringLiteral("csv"));
        QVERIFY2(error.contains(QStringLiteral("column 2 of the header has no name")),
            qPrintable(error));
        error = openError("id,x,x\n", QStringLiteral("csv"));
        QVERIFY2(error.contains(QStringLiteral("column \"x\" appears twice")), qPrintable(error));
        error = openError("id,\"x\n", QStringLiteral("csv"));
        QVERIFY2(error.contains(QStringLiteral("header (line 1)")), qPrintable(error));
        // A header alone is a dataset without rows.
        const ReadAll empty = read("id,x\n", QStringLiteral("csv"));
        QCOMPARE(empty.rows.size(), 0);
        QCOMPARE(empty.columns, QStringList({"id", "x"}));
    }

    void jsonlValuesAsText()
    {
        const ReadAll all
            = read("{\"id\":\"a\",\"s\":\"text\",\"n\":3,\"f\":1.5,\"big\":9007199254740993,"
                   "\"t\":true,\"z\":null,\"o\":{\"k\":[1,\"x\"]},\"arr\":[]}\n"
                   "{\"id\":7,\"extra\":\"e\"}\n",
                QStringLiteral("jsonl"));
        QCOMPARE(all.problemCount, 0);
        QCOMPARE(all.rows.size(), 2);
        const QHash<QString, QString> &v = all.rows[0].values;
        QCOMPARE(v.value("s"), QStringLiteral("text"));
        QCOMPARE(v.value("n"), QStringLiteral("3"));
        QCOMPARE(v.value("f"), QStringLiteral("1.5"));
        QCOMPARE(v.value("big"), QStringLiteral("9007199254740993"));
        QCOMPARE(v.value("t"), QStringLiteral("true"));
        QVERIFY(v.contains("z"));
        QCOMPARE(v.value("z"), QString());
        QCOMPARE(v.value("o"), QStringLiteral("{\"k\":[1,\"x\"]}"));
        QCOMPARE(v.value("arr"), QStringLiteral("[]"));
        QCOMPARE(idsOf(all.rows), QStringList({"a", "7"}));
        // First-seen order across records (keys of one object come sorted).
        QCOMPARE(
            all.columns, QStringList({"arr", "big", "f", "id", "n", "o", "s", "t", "z", "extra"}));
    }

    void jsonlProblemsKeepLines()
    {
        const ReadAll all = read("{\"q\":\"a\"}\n"
                                 "\n"
                                 "   \r\n"
                                 "[1,2]\n"
                                 "{\"q\": \"unterminated\n"
                                 "{\"q\":\"b\"}\r\n"
                                 "not json\n"
                                 "\"just a string\"\n"
                                 "{\"q\":\"c\"}",
            QStringLiteral("jsonl"));
        QCOMPARE(idsOf(all.rows), QStringList({"0", "3", "6"}));
        QCOMPARE(all.rows[1].line, 6);
        QCOMPARE(all.rows[2].line, 9);
        QCOMPARE(all.rows[2].values.value("q"), QStringLiteral("c"));
        QCOMPARE(all.problemCount, 4);
        QCOMPARE(all.problems[0].line, 4);
        QCOMPARE(all.problems[0].message, QStringLiteral("not a JSON object (an array)"));
        QCOMPARE(all.problems[1].line, 5);
        QCOMPARE(all.problems[2].line, 7);
        QCOMPARE(all.problems[3].line, 8);
        QCOMPARE(all.problems[1].describe(),
            QStringLiteral("line 5: not a JSON object (unterminated string)"));
        QCOMPARE(all.problems[2].message, QStringLiteral("not a JSON object (illegal value)"));
        QCOMPARE(all.problems[3].message, QStringLiteral("not a JSON object (illegal value)"));
    }

    void idFieldOrIndex()
    {
        // Empty or missing id: the index, which counts the bad record at 2.
        const ReadAll all
            = read("{\"id\":\"x\"}\n{\"id\":\"\"}\nbad\n{\"other\":1}\n{\"id\":null}\n",
                QStringLiteral("jsonl"));
        QCOMPARE(idsOf(all.rows), QStringList({"x", "1", "3", "4"}));
        // Another id field.
        const ReadAll key
            = read("key,id\nk1,i1\n,i2\n", QStringLiteral("csv"), QStringLiteral("key"));
        QCOMPARE(idsOf(key.rows), QStringList({"k1", "1"}));
        // No id column at all.
        const ReadAll none = read("a\nx\ny\n", QStringLiteral("csv"));
        QCOMPARE(idsOf(none.rows), QStringList({"0", "1"}));
    }

    void rewindReadsAgain()
    {
        DatasetReader reader;
        QString error;
        QVERIFY(
            reader.open(write("\xEF\xBB\xBFid,a\n1,x\nbad\n2,y\n", QStringLiteral("csv")), &error));
        const ReadAll first = readAll(reader);
        QCOMPARE(first.problemCount, 1);
        QVERIFY2(reader.rewind(&error), qPrintable(error));
        QCOMPARE(reader.problemCount(), 0);
        QCOMPARE(reader.columns(), QStringList({"id", "a"}));
        const ReadAll second = readAll(reader);
        QCOMPARE(idsOf(second.rows), idsOf(first.rows));
        QCOMPARE(second.rows[1].index, 2);
        QCOMPARE(second.problemCount, 1);
        QCOMPARE(second.problems[0].line, 3);

        DatasetReader jsonl;
        QVERIFY(jsonl.open(write("{\"b\":1}\n{\"a\":2}\n", QStringLiteral("jsonl")), &error));
        DatasetRow row;
        QVERIFY(jsonl.next(row));
        QCOMPARE(jsonl.columns(), QStringList({"b"}));
        QVERIFY(jsonl.rewind(&error));
        QCOMPARE(readAll(jsonl).rows.size(), 2);
        QCOMPARE(jsonl.columns(), QStringList({"b", "a"}));

        DatasetReader closed;
        QVERIFY(!closed.rewind(&error));
        QVERIFY(!closed.next(row));
    }

    void problemsAreCappedButCounted()
    {
        QByteArray bytes = "id,a\n";
        const int bad = DatasetReader::kMaxKeptProblems + 5;
        for (int i = 0; i < bad; ++i)
            bytes += "only-one-field\n";
        bytes += "ok,1\n";
        const ReadAll all = read(bytes, QStringLiteral("csv"));
        QCOMPARE(all.problemCount, bad);
        QCOMPARE(all.problems.size(), DatasetReader::kMaxKeptProblems);
        QCOMPARE(idsOf(all.rows), QStringList({"ok"}));
        QCOMPARE(all.rows[0].index, bad);
    }

    void overlongRecordIsAProblemNotTheRestOfTheFile()
    {
        // An unclosed quote would swallow everything after it; past the limit
        // the record is a problem and its bytes are not kept.
        QByteArray bytes = "id,t\n1,\"open\n";
        const QByteArray filler(1 << 20, 'x');
        while (bytes.size() <= DatasetReader::kMaxRecordBytes)
            bytes += filler + '\n';
        const ReadAll all = read(bytes, QStringLiteral("csv"));
        QCOMPARE(all.rows.size(), 0);
        QCOMPARE(all.problemCount, 1);
        QCOMPARE(all.problems[0].line, 2);
        QVERIFY2(all.problems[0].message.contains(QStringLiteral("MiB")),
            qPrintable(all.problems[0].message));

        QByteArray lines = "{\"id\":\"a\",\"t\":\"";
        while (lines.size() <= DatasetReader::kMaxRecordBytes)
            lines += filler;
        lines += "\"}\n{\"id\":\"b\"}\n";
        const ReadAll jsonl = read(lines, QStringLiteral("jsonl"));
        QCOMPARE(idsOf(jsonl.rows), QStringList({"b"}));
        QCOMPARE(jsonl.rows[0].index, 1);
        QCOMPARE(jsonl.rows[0].line, 2);
        QCOMPARE(jsonl.problemCount, 1);
        QCOMPARE(jsonl.problems[0].line, 1);
    }

    void hundredThousandRows_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("csv") << QStringLiteral("csv");
        QTest::newRow("jsonl") << QStringLiteral("jsonl");
    }

    void hundredThousandRows()
    {
        // CRLF line ends, doubled quotes and embedded line ends land on every
        // position of the 1 MiB read chunks somewhere in 100k rows.
        QFETCH(QString, suffix);
        constexpr int kRows = 100'000;
        const bool csv = suffix == u"csv";
        QByteArray bytes = csv ? "id,question,n\r\n" : "";
        auto question
            = [](int i) { return QStringLiteral("Is \"%1\" prime?\r\nAnswer, briefly.").arg(i); };
        for (int i = 0; i < kRows; ++i) {
            if (csv) {
                QString quoted = question(i);
                quoted.replace(u'"', QStringLiteral("\"\""));
                bytes += QStringLiteral("row-%1,\"%2\",%3\r\n").arg(i).arg(quoted).arg(i).toUtf8();
            } else {
                QString escaped = question(i);
                escaped.replace(u'"', QStringLiteral("\\\""))
                    .replace(QStringLiteral("\r\n"), QStringLiteral("\\r\\n"));
                bytes += QStringLiteral("{\"id\":\"row-%1\",\"question\":\"%2\",\"n\":%3}\r\n")
                             .arg(i)
                             .arg(escaped)
                             .arg(i)
                             .toUtf8();
            }
        }
        const QString path = write(bytes, suffix);
        DatasetReader reader;
        QString error;
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        DatasetRow row;
        int count = 0;
        while (reader.next(row))
            ++count;
        qInfo("%d %s rows (%lld bytes) read in %lld ms", count, qPrintable(suffix),
            qint64(bytes.size()), timer.elapsed());
        QCOMPARE(count, kRows);

        QVERIFY2(reader.rewind(&error), qPrintable(error));
        count = 0;
        bool allMatch = true;
        while (reader.next(row)) {
            allMatch = allMatch && row.index == count
                && row.id == QStringLiteral("row-%1").arg(count)
                && row.values.value(QStringLiteral("question")) == question(count)
                && row.values.value(QStringLiteral("n")) == QString::number(count)
                && row.line == (csv ? 2 + 2 * qint64(count) : count + 1);
            ++count;
        }
        QCOMPARE(count, kRows);
        QVERIFY(allMatch);
        QCOMPARE(reader.problemCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
