#include "engine/batch/dataset.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstring>

namespace sluice {

namespace {

constexpr qint64 kChunkBytes = 1 << 20;

QString describeRecordLimit()
{
    return QStringLiteral("record longer than %1 MiB (an unclosed quote?)")
        .arg(DatasetReader::kMaxRecordBytes >> 20);
}

} // namespace

QString datasetValueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return {};
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Double: {
        // Qt's writer formats a number only inside a document: `[3]` -> `3`.
        const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
        return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
    }
    }
    return {};
}

QString DatasetProblem::describe() const
{
    return QStringLiteral("line %1: %2").arg(line).arg(message);
}

/// The file, read in 1 MiB chunks; bytes are handed out one by one or a line
/// at a time, and `line` counts the newlines consumed (1-based).
struct DatasetReader::State
{
    QFile file;
    QString path;
    Format format = Format::Jsonl;
    QString idField;
    QStringList columns;
    QSet<QString> seenColumns; ///< JSONL: the fields in `columns`
    QList<DatasetProblem> problems;
    qint64 problemCount = 0;
    qint64 nextIndex = 0;

    QByteArray buffer;
    qsizetype pos = 0;
    qint64 line = 1;
    bool eof = false;
    QString readError; ///< why reading stopped before the end, if it did
    bool readErrorReported = false;

    bool refill()
    {
        if (eof)
            return false;
        buffer.resize(kChunkBytes);
        const qint64 n = file.read(buffer.data(), kChunkBytes);
        if (n <= 0) {
            if (n < 0)
                readError = file.errorString();
            buffer.clear();
            pos = 0;
            eof = true;
            return false;
        }
        buffer.resize(n);
        pos = 0;
        return true;
    }
    /// The next byte, or -1 at the end of the file.
    int get()
    {
        if (pos == buffer.size() && !refill())
            return -1;
        return static_cast<unsigned char>(buffer.at(pos++));
    }
    int peek()
    {
        if (pos == buffer.size() && !refill())
            return -1;
        return static_cast<unsigned char>(buffer.at(pos));
    }

    /// The next physical line without its LF or CRLF; false at the end of the
    /// file. A line longer than the record limit is consumed but not kept.
    bool readLine(QByteArray &out, bool &tooLong)
    {
        out.clear();
        tooLong = false;
        if (pos == buffer.size() && !refill())
            return false;
        for (;;) {
            const char *start = buffer.constData() + pos;
            const qsizetype available = buffer.size() - pos;
            const void *newline = std::memchr(start, '\n', size_t(available));
            const qsizetype take = newline ? static_cast<const char *>(newline) - start : available;
            if (!tooLong) {
                if (out.size() + take > kMaxRecordBytes) {
                    tooLong = true;
                    out.clear();
                } else {
                    out.append(start, take);
                }
            }
            pos += take;
            if (newline) {
                ++pos;
                ++line;
                break;
            }
            if (!refill())
                break;
        }
        if (out.endsWith('\r'))
            out.chop(1);
        return true;
    }

    bool start(QString *error)
    {
        if (!file.seek(0)) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
            return false;
        }
        buffer.clear();
        pos = 0;
        line = 1;
        eof = false;
        readError.clear();
        readErrorReported = false;
        problems.clear();
        problemCount = 0;
        nextIndex = 0;
        seenColumns.clear();
        columns.clear();
        // A UTF-8 byte order mark is not part of the first value.
        if (peek() == 0xEF && buffer.startsWith("\xEF\xBB\xBF"))
            pos = 3;
        return format == Format::Csv ? readHeader(error) : true;
    }

    void addProblem(qint64 atLine, const QString &message)
    {
        ++problemCount;
        if (problems.size() < kMaxKeptProblems)
            problems.append({atLine, message});
    }

    /// One CSV record (RFC 4180) as raw fields; false at the end of the file.
    /// `problem` is set for a record that cannot be used; it is still
    /// consumed to its end so the next record starts in the right place.
    bool readCsvRecord(QList<QByteArray> &fields, qint64 &startLine, QString &problem)
    {
        fields.clear();
        problem.clear();
        startLine = line;
        QByteArray field;
        bool anyByte = false; // false: only line ends so far (blank lines are no record)
        qsizetype recordBytes = 0;
        bool inQuotes = false;
        bool quoted = false;     // the current field began with a quote
        bool afterQuote = false; // its closing quote was seen
        auto keep = [&](char c) {
            if (problem.isEmpty() && ++recordBytes > kMaxRecordBytes)
                problem = describeRecordLimit();
            if (problem.isEmpty())
                field.append(c);
        };
        auto endField = [&] {
            fields.append(field);
            field.clear();
            quoted = false;
            afterQuote = false;
        };
        for (;;) {
            const int c = get();
            if (c < 0) {
                if (!anyByte)
                    return false;
                if (inQuotes && problem.isEmpty())
                    problem = QStringLiteral("quoted field %1 is not closed before the end "
                                             "of the file")
                                  .arg(fields.size() + 1);
                endField();
                return true;
            }
            const bool lineEnd = !inQuotes && (c == '\n' || (c == '\r' && peek() == '\n'));
            if (!lineEnd)
                anyByte = true;
            if (inQuotes) {
                if (c == '"') {
                    if (peek() == '"') {
                        ++pos;
                        keep('"');
                    } else {
                        inQuotes = false;
                        afterQuote = true;
                    }
                } else {
                    if (c == '\n')
                        ++line;
                    keep(char(c));
                }
                continue;
            }
            if (c == ',') {
                endField();
            } else if (lineEnd) {
                if (c == '\r')
                    ++pos;
                ++line;
                if (!anyByte) {
                    startLine = line;
                    continue;
                }
                endField();
                return true;
            } else if (c == '"' && field.isEmpty() && !quoted) {
                inQuotes = true;
                quoted = true;
            } else if (afterQuote) {
                if (problem.isEmpty())
                    problem = QStringLiteral("text after the closing quote of field %1 (a "
                                             "quote inside a quoted field is written \"\")")
                                  .arg(fields.size() + 1);
            } else {
                keep(char(c)); // a quote inside an unquoted field is an ordinary character
            }
        }
    }

    bool readHeader(QString *error)
    {
        QList<QByteArray> fields;
        qint64 headerLine = 0;
        QString problem;
        if (!readCsvRecord(fields, headerLine, problem)) {
            if (!readError.isEmpty()) {
                *error = QStringLiteral("cannot read %1: %2").arg(path, readError);
                return false;
            }
            *error = QStringLiteral("%1 is empty: a CSV dataset needs a header line naming its "
                                    "columns")
                         .arg(path);
            return false;
        }
        if (!problem.isEmpty()) {
            *error
                = QStringLiteral("%1, header (line %2): %3").arg(path).arg(headerLine).arg(problem);
            return false;
        }
        QSet<QString> names;
        for (qsizetype i = 0; i < fields.size(); ++i) {
            const QString name = QString::fromUtf8(fields.at(i));
            if (name.isEmpty()) {
                *error = QStringLiteral("%1: column %2 of the header has no name; name every "
                                        "column in the first line")
                             .arg(path)
                             .arg(i + 1);
                return false;
            }
            if (names.contains(name)) {
                *error = QStringLiteral("%1: column \"%2\" appears twice in the header; column "
                                        "names must be unique")
                             .arg(path, name);
                return false;
            }
            names.insert(name);
            columns.append(name);
        }
        return true;
    }

    bool nextCsv(DatasetRow &row)
    {
        QList<QByteArray> fields;
        qint64 startLine = 0;
        QString problem;
        while (readCsvRecord(fields, startLine, problem)) {
            const qint64 index = nextIndex++;
            if (problem.isEmpty() && fields.size() != columns.size())
                problem = QStringLiteral("%1 fields where the header has %2")
                              .arg(fields.size())
                              .arg(columns.size());
            if (!problem.isEmpty()) {
                addProblem(startLine, problem);
                continue;
            }
            row.index = index;
            row.line = startLine;
            row.values.clear();
            row.values.reserve(columns.size());
            for (qsizetype i = 0; i < fields.size(); ++i)
                row.values.insert(columns.at(i), QString::fromUtf8(fields.at(i)));
            return true;
        }
        return false;
    }

    bool nextJsonl(DatasetRow &row)
    {
        QByteArray text;
        bool tooLong = false;
        for (;;) {
            const qint64 startLine = line;
            if (!readLine(text, tooLong))
                return false;
            if (!tooLong && text.trimmed().isEmpty())
                continue;
            const qint64 index = nextIndex++;
            if (tooLong) {
                addProblem(startLine, describeRecordLimit());
                continue;
            }
            QJsonParseError parseError;
            const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
            if (!document.isObject()) {
                // Without a parse error, the document is an array (Qt holds no scalars).
                const QString why = parseError.error != QJsonParseError::NoError
                    ? parseError.errorString()
                    : QStringLiteral("an array");
                addProblem(startLine, QStringLiteral("not a JSON object (%1)").arg(why));
                continue;
            }
            const QJsonObject object = document.object();
            row.index = index;
            row.line = startLine;
            row.values.clear();
            row.values.reserve(object.size());
            for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                const QString key = it.key();
                if (!seenColumns.contains(key)) {
                    seenColumns.insert(key);
                    columns.append(key);
                }
                row.values.insert(key, datasetValueText(it.value()));
            }
            return true;
        }
    }
};

std::optional<DatasetReader::Format> DatasetReader::formatForPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"jsonl" || suffix == u"ndjson")
        return Format::Jsonl;
    if (suffix == u"csv")
        return Format::Csv;
    return std::nullopt;
}

DatasetReader::DatasetReader() : d(std::make_unique<State>()) { }

DatasetReader::~DatasetReader() = default;

bool DatasetReader::open(
    const QString &path, QString *error, std::optional<Format> format, const QString &idField)
{
    d = std::make_unique<State>();
    d->path = path;
    d->idField = idField;
    const std::optional<Format> chosen = format ? format : formatForPath(path);
    if (!chosen) {
        *error = QStringLiteral("%1: unknown dataset format; name the file .jsonl, .ndjson or "
                                ".csv")
                     .arg(path);
        return false;
    }
    d->format = *chosen;
    d->file.setFileName(path);
    if (!d->file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, d->file.errorString());
        return false;
    }
    return d->start(error);
}

bool DatasetReader::next(DatasetRow &row)
{
    if (!d->file.isOpen())
        return false;
    const bool found = d->format == Format::Csv ? d->nextCsv(row) : d->nextJsonl(row);
    if (found) {
        const QString id = row.values.value(d->idField);
        row.id = id.isEmpty() ? QString::number(row.index) : id;
    } else if (!d->readError.isEmpty() && !d->readErrorReported) {
        // Not the end of the file: the rows after this point are missing, and say so.
        d->readErrorReported = true;
        d->addProblem(d->line,
            QStringLiteral("cannot read further (%1); the rest of the file is missing")
                .arg(d->readError));
    }
    return found;
}

bool DatasetReader::rewind(QString *error)
{
    if (!d->file.isOpen()) {
        *error = QStringLiteral("no dataset is open");
        return false;
    }
    return d->start(error);
}

const QStringList &DatasetReader::columns() const
{
    return d->columns;
}

const QList<DatasetProblem> &DatasetReader::problems() const
{
    return d->problems;
}

qint64 DatasetReader::problemCount() const
{
    return d->problemCount;
}

DatasetReader::Format DatasetReader::format() const
{
    return d->format;
}

} // namespace sluice
