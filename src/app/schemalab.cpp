#include "app/schemalab.h"

#include "core/jsonpointer.h"
#include "core/outputrepair.h"
#include "core/strictschemalinter.h"
#include "providers/providerregistry.h"
#include "sim/schemainstance.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

namespace sluice {

namespace {

struct Example
{
    const char *name;
    const char *description;
    const char *schema;
};

// The first one matches the first-run sample prompt; the last one is there
// to show what the strict-mode lint says.
constexpr Example kExamples[] = {
    {QT_TRANSLATE_NOOP("sluice::SchemaLab", "Review summary"),
        QT_TRANSLATE_NOOP(
            "sluice::SchemaLab", "A summary, a rating and a sentiment (strict-ready)."),
        R"({
  "type": "object",
  "properties": {
    "summary": { "type": "string", "description": "One sentence." },
    "rating": { "type": "integer", "minimum": 1, "maximum": 5 },
    "sentiment": { "type": "string", "enum": ["positive", "neutral", "negative"] }
  },
  "required": ["summary", "rating", "sentiment"],
  "additionalProperties": false
}
)"},
    {QT_TRANSLATE_NOOP("sluice::SchemaLab", "Contact card"),
        QT_TRANSLATE_NOOP("sluice::SchemaLab", "A name, an email and an optional phone (null)."),
        R"({
  "type": "object",
  "properties": {
    "name": { "type": "string" },
    "email": { "type": "string", "format": "email" },
    "phone": { "type": ["string", "null"] }
  },
  "required": ["name", "email", "phone"],
  "additionalProperties": false
}
)"},
    {QT_TRANSLATE_NOOP("sluice::SchemaLab", "Invoice lines"),
        QT_TRANSLATE_NOOP("sluice::SchemaLab", "Nested objects in an array, with $defs."),
        R"({
  "type": "object",
  "properties": {
    "invoice": { "type": "string", "pattern": "^INV-[0-9]{4}$" },
    "currency": { "type": "string", "enum": ["EUR", "USD", "GBP"] },
    "lines": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/line" } }
  },
  "required": ["invoice", "currency", "lines"],
  "additionalProperties": false,
  "$defs": {
    "line": {
      "type": "object",
      "properties": {
        "description": { "type": "string" },
        "quantity": { "type": "integer", "minimum": 1 },
        "unit_price": { "type": "number", "minimum": 0 }
      },
      "required": ["description", "quantity", "unit_price"],
      "additionalProperties": false
    }
  }
}
)"},
    {QT_TRANSLATE_NOOP("sluice::SchemaLab", "Loose (lint demo)"),
        QT_TRANSLATE_NOOP("sluice::SchemaLab", "Valid JSON Schema that strict mode refuses."),
        R"({
  "type": "object",
  "properties": {
    "title": { "type": "string", "minLength": 3 },
    "tags": { "type": "array", "items": { "type": "string" } },
    "notes": { "type": "string" }
  },
  "required": ["title"]
}
)"},
};

/// 1-based line and column (in characters) of UTF-8 byte `offset` in `text`.
std::pair<int, int> lineColumn(const QByteArray &utf8, qsizetype offset)
{
    const QByteArray before = utf8.left(offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const int line = int(before.count('\n')) + 1;
    const int column = int(QString::fromUtf8(before.mid(lineStart)).size()) + 1;
    return {line, column};
}

QString compactScalar(const QJsonValue &value)
{
    const QByteArray array = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

struct Line
{
    QString text;
    QString path; ///< JSON pointer of the value that starts on this line
};

/// Pretty-prints `value` two spaces per level, remembering which value each
/// line belongs to, so that a validation error's path can be found in it.
void printLines(const QJsonValue &value, const QString &path, int depth, const QString &key,
    bool comma, QList<Line> &lines)
{
    const QString indent(depth * 2, u' ');
    const QString head = indent + key;
    const QString tail = comma ? QStringLiteral(",") : QString();
    if (value.isObject() && !value.toObject().isEmpty()) {
        const QJsonObject object = value.toObject();
        lines.append({head + u'{', path});
        qsizetype left = object.size();
        for (auto it = object.begin(); it != object.end(); ++it) {
            printLines(it.value(), jsonPointerAppend(path, it.key()), depth + 1,
                compactScalar(it.key()) + QStringLiteral(": "), --left > 0, lines);
        }
        lines.append({indent + u'}' + tail, path});
    } else if (value.isArray() && !value.toArray().isEmpty()) {
        const QJsonArray array = value.toArray();
        lines.append({head + u'[', path});
        for (qsizetype i = 0; i < array.size(); ++i) {
            printLines(array.at(i), jsonPointerAppend(path, i), depth + 1, {}, i + 1 < array.size(),
                lines);
        }
        lines.append({indent + u']' + tail, path});
    } else {
        lines.append({head + compactScalar(value) + tail, path});
    }
}

QString prettyText(const QJsonValue &value)
{
    QList<Line> lines;
    printLines(value, {}, 0, {}, false, lines);
    QStringList texts;
    for (const Line &line : lines)
        texts.append(line.text);
    return texts.join(u'\n');
}

} // namespace

SchemaLab::SchemaLab(QObject *parent) : QObject(parent)
{
    m_text = QSettings()
                 .value(QStringLiteral("schema/text"), QString::fromUtf8(kExamples[0].schema))
                 .toString();
    parse();
    lint();
    generateSample();
}

QVariantList SchemaLab::examples() const
{
    QVariantList list;
    for (const Example &example : kExamples) {
        list.append(QVariantMap {{QStringLiteral("name"), tr(example.name)},
            {QStringLiteral("description"), tr(example.description)}});
    }
    return list;
}

void SchemaLab::loadExample(int index)
{
    if (index >= 0 && index < int(std::size(kExamples)))
        setText(QString::fromUtf8(kExamples[index].schema));
}

void SchemaLab::setText(const QString &text)
{
    if (m_text == text)
        return;
    m_text = text;
    QSettings().setValue(QStringLiteral("schema/text"), text);
    parse();
    Q_EMIT textChanged();
    lint();
    generateSample();
    check();
}

void SchemaLab::setProviderId(const QString &providerId)
{
    if (m_providerId == providerId)
        return;
    m_providerId = providerId;
    lint();
}

void SchemaLab::setAnswer(const QString &answer)
{
    if (m_answer == answer)
        return;
    m_answer = answer;
    check();
}

void SchemaLab::newSample()
{
    ++m_seed;
    generateSample();
}

void SchemaLab::parse()
{
    m_schema = QJsonValue(QJsonValue::Undefined);
    m_validator.reset();
    m_valid = false;
    m_errorLine = 0;
    m_errorColumn = 0;
    if (m_text.trimmed().isEmpty()) {
        m_error = tr("Write a JSON Schema, or start from an example.");
        return;
    }
    const QByteArray utf8 = m_text.toUtf8();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(utf8, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Qt reports the offset just past the character it choked on.
        const auto [line, column] = lineColumn(utf8, qMax(0, parseError.offset - 1));
        m_errorLine = line;
        m_errorColumn = column;
        m_error = tr("Line %1, column %2: %3.").arg(line).arg(column).arg(parseError.errorString());
        return;
    }
    if (!document.isObject()) {
        m_error = tr("A schema for structured output is a JSON object: wrap it in { }.");
        return;
    }
    m_schema = document.object();
    SchemaCompileResult compiled = SchemaValidator::compile(m_schema);
    if (!compiled) {
        m_error
            = tr("The schema cannot be used at %1: %2")
                  .arg(compiled.error.path.isEmpty() ? QStringLiteral("/") : compiled.error.path,
                      compiled.error.message);
        return;
    }
    m_validator = std::move(compiled.validator);
    m_valid = true;
    m_error.clear();
}

void SchemaLab::lint()
{
    bool applies = false;
    for (const ProviderInfo &info : availableProviders()) {
        if (info.id == m_providerId)
            applies = info.capabilities.strictStructuredOutput;
    }
    m_lintApplies = applies;
    m_lintFindings.clear();
    if (applies && m_schema.isObject()) {
        const StrictLintReport report = StrictSchemaLinter().lint(m_schema);
        for (const LintFinding &finding : report.findings) {
            m_lintFindings.append(QVariantMap {
                {QStringLiteral("path"),
                    finding.path.isEmpty() ? QStringLiteral("/") : finding.path},
                {QStringLiteral("rule"), finding.rule},
                {QStringLiteral("message"), finding.message},
            });
        }
    }
    Q_EMIT lintChanged();
}

void SchemaLab::generateSample()
{
    const QString sample
        = m_valid ? prettyText(sim::generateInstance(m_schema, m_seed)) : QString();
    if (sample == m_sample)
        return;
    m_sample = sample;
    Q_EMIT sampleChanged();
}

void SchemaLab::check()
{
    m_answerErrors.clear();
    m_answerLines.clear();
    m_answerMessage.clear();
    m_answerState = NoAnswer;
    if (m_answer.trimmed().isEmpty()) {
        m_answerMessage = tr("No answer yet: run a prompt on the Compose page (Ctrl+1).");
    } else if (!m_validator) {
        m_answerMessage = tr("Fix the schema to check the answer against it.");
    } else if (const RepairResult found = repairJsonOutput(m_answer); !found.ok()) {
        m_answerState = NotJson;
        m_answerMessage = tr("The answer holds no JSON: ask for JSON in the prompt, for example "
                             "by describing the fields the schema wants.");
    } else {
        const QList<ValidationError> errors = m_validator->validate(*found.value);
        QStringList failing;
        for (const ValidationError &error : errors) {
            failing.append(error.instancePath);
            m_answerErrors.append(QVariantMap {
                {QStringLiteral("path"),
                    error.instancePath.isEmpty() ? QStringLiteral("/") : error.instancePath},
                {QStringLiteral("message"), error.message},
            });
        }
        QList<Line> lines;
        printLines(*found.value, {}, 0, {}, false, lines);
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const Line &line = lines.at(i);
            bool isFailing = false;
            for (const QString &path : failing) {
                // A root error marks the first line only, not the whole answer.
                isFailing = isFailing
                    || (path.isEmpty() ? i == 0
                                       : line.path == path || line.path.startsWith(path + u'/'));
            }
            m_answerLines.append(QVariantMap {{QStringLiteral("text"), line.text},
                {QStringLiteral("failing"), isFailing}, {QStringLiteral("path"), line.path}});
        }
        m_answerState = errors.isEmpty() ? AnswerValid : AnswerInvalid;
        m_answerMessage = errors.isEmpty()
            ? tr("The answer is valid against the schema.")
            : tr("%n problem(s) in the answer; the failing values are marked.", nullptr,
                int(errors.size()));
    }
    Q_EMIT answerChanged();
}

} // namespace sluice
