#pragma once

#include <QFile>
#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace sluice {

/// One good row of a dataset: its values by column (CSV) or field (JSONL).
struct DatasetRow
{
    qint64 index = 0; ///< 0-based position among the file's records, bad ones included
    qint64 line = 0;  ///< 1-based line where the record starts (a CSV field may span lines)
    QString id;       ///< the id field's value, else the index in decimal
    /// Text values: JSON strings as they are, other JSON values as compact
    /// JSON (`3`, `true`, `{"a":1}`), null as an empty string.
    QHash<QString, QString> values;
};

/// A JSON value as a dataset's text (DatasetRow::values): a string as it is,
/// null as "", anything else as compact JSON.
[[nodiscard]] QString datasetValueText(const QJsonValue &value);

/// A record that could not be read; it is reported and the others go on.
struct DatasetProblem
{
    qint64 line = 0; ///< 1-based
    QString message; ///< e.g. "not a JSON object", "3 fields where the header has 4"

    /// "line 12: not a JSON object (unterminated object)"
    [[nodiscard]] QString describe() const;
};

/// Reads a JSONL or CSV (RFC 4180: quoted fields, doubled quotes, embedded
/// newlines, CRLF or LF, a UTF-8 BOM) dataset one record at a time, so that
/// memory stays flat however long the file is. Bad records are collected as
/// problems and skipped. Blank lines are ignored in both formats.
/// CSV leniency: a quote inside an unquoted field is an ordinary character;
/// text after a closing quote (`"a"b`) makes the record a problem. Values are
/// not trimmed; embedded line ends are kept as the file has them.
class DatasetReader
{
public:
    enum class Format {
        Jsonl,
        Csv,
    };

    /// By extension: `.jsonl`/`.ndjson` and `.csv` (case-insensitive).
    [[nodiscard]] static std::optional<Format> formatForPath(const QString &path);

    DatasetReader();
    ~DatasetReader();

    /// Opens `path`; the format comes from the extension unless given. A
    /// CSV's first record is its header (empty or duplicate names: error).
    /// False with a one-line `error` naming the file and the problem.
    bool open(const QString &path, QString *error, std::optional<Format> format = {},
        const QString &idField = QStringLiteral("id"));

    /// The next good record; false at the end of the file. A read error
    /// also ends it, and is reported as a problem on the line it stopped at.
    bool next(DatasetRow &row);
    /// Starts again from the first record (problems are cleared).
    bool rewind(QString *error);

    /// CSV: the header. JSONL: the fields seen so far, in first-seen order.
    [[nodiscard]] const QStringList &columns() const;
    /// The first problems (at most `kMaxKeptProblems`); problemCount() counts all.
    [[nodiscard]] const QList<DatasetProblem> &problems() const;
    [[nodiscard]] qint64 problemCount() const;
    [[nodiscard]] Format format() const;

    static constexpr int kMaxKeptProblems = 1000;
    /// A longer record (a JSONL line, a CSV record) is a problem, skipped
    /// without being held: an unclosed quote costs a problem, not the memory
    /// of the rest of the file.
    static constexpr qsizetype kMaxRecordBytes = qsizetype(64) << 20;

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace sluice
