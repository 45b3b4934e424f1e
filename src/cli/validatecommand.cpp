#include "cli/validatecommand.h"

#include "cli/cli.h"
#include "cli/output.h"
#include "core/schemavalidator.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice::cli {

namespace {

QString pathOrRoot(const QString &pointer)
{
    return pointer.isEmpty() ? QStringLiteral("(root)") : pointer;
}

} // namespace

std::optional<QJsonValue> readJsonFile(const QString &path, const QString &role)
{
    QFile file(path == u"-" ? QString() : path);
    const bool opened
        = path == u"-" ? file.open(stdin, QIODevice::ReadOnly) : file.open(QIODevice::ReadOnly);
    if (!opened) {
        printError(QStringLiteral("cannot read %1 %2: %3; check the path")
                       .arg(role, path, file.errorString()));
        return std::nullopt;
    }
    const QByteArray text = file.readAll();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error == QJsonParseError::NoError)
        return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    // QJsonDocument takes only arrays and objects at the top: a scalar (a
    // schema may be `true`, a document `42`) parses inside [ ].
    const QJsonDocument wrapped = QJsonDocument::fromJson('[' + text + ']');
    if (wrapped.isArray() && wrapped.array().size() == 1)
        return wrapped.array().at(0);
    printError(QStringLiteral("%1 %2 is not JSON (%3 at byte %4); fix the file or check the path")
                   .arg(role, path, error.errorString())
                   .arg(error.offset));
    return std::nullopt;
}

int validateCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Check a JSON document against a JSON Schema (draft 7)."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption schemaOption(QStringLiteral("schema"),
        QStringLiteral("The JSON Schema file (required)."), QStringLiteral("S"));
    parser.addOptions({help, schemaOption});
    parser.addPositionalArgument(
        QStringLiteral("DOC"), QStringLiteral("The JSON document to check (- for stdin)."));

    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral("; see `sluice-cli validate --help`"));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return ExitOk;
    }
    if (!parser.isSet(schemaOption)) {
        printError(QStringLiteral("missing --schema S: which schema should the document match?"));
        return ExitUsage;
    }
    const QStringList documents = parser.positionalArguments();
    if (documents.size() != 1) {
        printError(documents.isEmpty()
                ? QStringLiteral("missing the document: sluice-cli validate --schema S DOC")
                : QStringLiteral("give one document, not %1: sluice-cli validate --schema S DOC")
                      .arg(documents.size()));
        return ExitUsage;
    }

    const QString schemaPath = parser.value(schemaOption);
    const std::optional<QJsonValue> schema = readJsonFile(schemaPath, QStringLiteral("--schema"));
    if (!schema)
        return ExitUsage;
    const SchemaCompileResult compiled = SchemaValidator::compile(*schema);
    if (!compiled) {
        printError(QStringLiteral("the schema %1 cannot be used: at %2: %3; fix the schema")
                       .arg(schemaPath, pathOrRoot(compiled.error.path), compiled.error.message));
        return ExitUsage;
    }
    const std::optional<QJsonValue> document
        = readJsonFile(documents.constFirst(), QStringLiteral("document"));
    if (!document)
        return ExitUsage;

    const QList<ValidationError> errors = compiled.validator->validate(*document);
    if (errors.isEmpty()) {
        printOut(QStringLiteral("%1: valid\n").arg(documents.constFirst()));
        return ExitOk;
    }
    for (const ValidationError &error : errors)
        printError(
            QStringLiteral("%1: %2 (schema %3)")
                .arg(pathOrRoot(error.instancePath), error.message, pathOrRoot(error.schemaPath)));
    return ExitFailed;
}

} // namespace sluice::cli
