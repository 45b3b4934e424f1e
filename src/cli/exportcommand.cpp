#include "cli/exportcommand.h"

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/runoptions.h"
#include "core/redaction.h"
#include "engine/batch/exports.h"
#include "engine/batch/runstore.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <optional>

namespace sluice::cli {

namespace {

QCommandLineOption helpOption()
{
    return {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")};
}

QCommandLineOption runDirOption()
{
    return {QStringLiteral("run-dir"),
        QStringLiteral("The folder holding the run store runs.sqlite (default %1).")
            .arg(QDir::toNativeSeparators(defaultRunDir())),
        QStringLiteral("DIR")};
}

/// The run folder: --run-dir, else the default that `run` journals into.
QString runDirFrom(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    return parser.isSet(option) ? parser.value(option) : defaultRunDir();
}

/// Opens `DIR/runs.sqlite` when it exists (never creates one); prints the
/// problem and returns false otherwise.
bool openStore(const QString &dir, RunStore &store)
{
    const QString path = storePathIn(dir);
    if (!QFileInfo(path).isFile()) {
        printError(QStringLiteral("no run store at %1; check --run-dir (it is the folder given "
                                  "to `sluice-cli run --run-dir`)")
                       .arg(QDir::toNativeSeparators(path)));
        return false;
    }
    QString error;
    if (!store.open(path, &error)) {
        printError(error);
        return false;
    }
    return true;
}

/// Registers the keys found in the environment variables a run may have read
/// them from, so that the redactor masks them even if one slipped into the
/// store (the store itself never holds a key).
void registerEnvironmentKeys(const RunInfo &run)
{
    QStringList names {QStringLiteral("OPENAI_API_KEY"), QStringLiteral("ANTHROPIC_API_KEY")};
    if (const QString configured = run.config.value(u"api_key_env").toString();
        !configured.isEmpty()) {
        names << configured;
    }
    for (const QString &name : std::as_const(names)) {
        if (const QByteArray key = qgetenv(name.toLocal8Bit().constData()); !key.isEmpty())
            registerSecret(key);
    }
}

QString rowsByStatus(const RunStore::Counts &counts)
{
    QStringList statuses = counts.byStatus.keys();
    std::sort(statuses.begin(), statuses.end());
    QStringList parts;
    for (const QString &status : std::as_const(statuses))
        parts << QStringLiteral("%1=%2").arg(status).arg(counts.byStatus.value(status));
    if (counts.inFlight > 0)
        parts << QStringLiteral("in_flight=%1").arg(counts.inFlight);
    return parts.isEmpty() ? QStringLiteral("no rows") : parts.join(u' ');
}

} // namespace

int exportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Write a stored run's results or trace to a file, without sending anything again."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help = helpOption();
    const QCommandLineOption runDir = runDirOption();
    const QCommandLineOption runOption(QStringLiteral("run"),
        QStringLiteral("The run to export (default: the newest; see `sluice-cli runs`)."),
        QStringLiteral("ID"));
    const QCommandLineOption formatOption(QStringLiteral("format"),
        QStringLiteral("jsonl (output lines), csv (the same as a table), trace (the run trace "
                       "as JSON) or otlp (OTLP/JSON); required."),
        QStringLiteral("FORMAT"));
    const QCommandLineOption outputOption(QStringLiteral("output"),
        QStringLiteral("The file to write (replaced only once complete); required."),
        QStringLiteral("F"));
    parser.addOptions({help, runDir, runOption, formatOption, outputOption});

    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral("; see `sluice-cli export --help`"));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return ExitOk;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument '%1'; see `sluice-cli export --help`")
                       .arg(parser.positionalArguments().constFirst()));
        return ExitUsage;
    }
    const std::optional<ExportFormat> format = exportFormatFromName(parser.value(formatOption));
    if (!format) {
        printError(parser.value(formatOption).isEmpty()
                ? QStringLiteral("missing --format: jsonl, csv, trace or otlp")
                : QStringLiteral("unknown --format '%1'; use jsonl, csv, trace or otlp")
                      .arg(parser.value(formatOption)));
        return ExitUsage;
    }
    const QString output = parser.value(outputOption);
    if (output.isEmpty()) {
        printError(QStringLiteral("missing --output F: the file to write"));
        return ExitUsage;
    }

    RunStore store;
    const QString dir = runDirFrom(parser, runDir);
    if (!openStore(dir, store))
        return ExitUsage;
    std::optional<RunInfo> run;
    if (parser.isSet(runOption)) {
        run = store.run(parser.value(runOption));
        if (!run) {
            printError(QStringLiteral("no run '%1' in %2; `sluice-cli runs --run-dir %3` lists "
                                      "them")
                           .arg(parser.value(runOption), store.path(), dir));
            return ExitUsage;
        }
    } else {
        const QList<RunInfo> runs = store.runs();
        if (runs.isEmpty()) {
            printError(QStringLiteral("%1 holds no run yet; start one with `sluice-cli run "
                                      "--input F --run-dir %2`")
                           .arg(store.path(), dir));
            return ExitUsage;
        }
        run = runs.constFirst();
    }

    registerEnvironmentKeys(*run);
    QString error;
    if (!exportRun(store, run->runId, *format, output, &error)) {
        printError(error);
        return ExitFailed;
    }
    return ExitOk;
}

int runsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the runs in a run store, newest first."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help = helpOption();
    const QCommandLineOption runDir = runDirOption();
    parser.addOptions({help, runDir});
    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral("; see `sluice-cli runs --help`"));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return ExitOk;
    }
    RunStore store;
    if (!openStore(runDirFrom(parser, runDir), store))
        return ExitUsage;
    for (const RunInfo &run : store.runs()) {
        const QString status = run.stopReason.isEmpty()
            ? run.status
            : QStringLiteral("%1 (%2)").arg(run.status, run.stopReason);
        printOut(QStringLiteral("%1  %2  %3  %4\n")
                     .arg(run.runId, run.createdAt.toUTC().toString(Qt::ISODate), status,
                         rowsByStatus(store.counts(run.runId))));
    }
    return ExitOk;
}

} // namespace sluice::cli
