#include "cli/cli.h"

#include "cli/exportcommand.h"
#include "cli/keyscommand.h"
#include "cli/lintschemacommand.h"
#include "cli/output.h"
#include "cli/plancommand.h"
#include "cli/runcommand.h"
#include "cli/validatecommand.h"

#include <QCoreApplication>

namespace sluice::cli {

namespace {

const char kUsage[] = R"(Usage: sluice-cli <command> [options]

Commands:
  run          send one prompt, or run it over every row of a dataset
  plan         estimate a run (rows, tokens, cost, ETA) before anything is sent
  validate     check a JSON document against a JSON Schema
  lint-schema  explain why a schema is not accepted in a provider's strict mode
  keys         save, check or remove an API key in the system keychain
  export       write a stored run as JSONL, CSV, a trace or OTLP/JSON
  runs         list the runs in a run store

Run `sluice-cli <command> --help` for a command's options.
)";

} // namespace

int runCli(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    if (command == u"--help" || command == u"-h" || command == u"help") {
        printOut(QString::fromLatin1(kUsage));
        return ExitOk;
    }
    if (command == u"--version") {
        printOut(QStringLiteral("sluice-cli %1\n").arg(QCoreApplication::applicationVersion()));
        return ExitOk;
    }
    if (command.isEmpty()) {
        printError(QStringLiteral("no command given; try `sluice-cli run --help`"));
        return ExitUsage;
    }

    QStringList commandArguments = arguments.mid(1);
    commandArguments[0] = arguments.value(0) + u' ' + command;
    if (command == u"run")
        return runCommand(commandArguments);
    if (command == u"plan")
        return planCommand(commandArguments);
    if (command == u"validate")
        return validateCommand(commandArguments);
    if (command == u"lint-schema")
        return lintSchemaCommand(commandArguments);
    if (command == u"keys")
        return keysCommand(commandArguments);
    if (command == u"export")
        return exportCommand(commandArguments);
    if (command == u"runs")
        return runsCommand(commandArguments);

    printError(QStringLiteral(
        "unknown command '%1'; the commands are: run, validate, lint-schema, keys, plan, export, "
        "runs")
                   .arg(command));
    return ExitUsage;
}

} // namespace sluice::cli
