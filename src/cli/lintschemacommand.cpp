#include "cli/lintschemacommand.h"

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/validatecommand.h"
#include "core/strictschemalinter.h"

#include <QCommandLineParser>

namespace sluice::cli {

int lintSchemaCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Explain why a JSON Schema is not accepted in a provider's strict mode."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption providerOption(QStringLiteral("provider"),
        QStringLiteral("Whose rules to apply (required): openai."), QStringLiteral("NAME"));
    const QCommandLineOption limitsOption(QStringLiteral("limits"),
        QStringLiteral("Size limits: current (default; 5000 properties, 10 levels) or earlier "
                       "(100 properties, 5 levels)."),
        QStringLiteral("PROFILE"));
    parser.addOptions({help, providerOption, limitsOption});
    parser.addPositionalArgument(
        QStringLiteral("S"), QStringLiteral("The JSON Schema file (- for stdin)."));

    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral("; see `sluice-cli lint-schema --help`"));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return ExitOk;
    }
    const QString provider = parser.value(providerOption);
    if (provider.isEmpty()) {
        printError(QStringLiteral("missing --provider NAME: whose rules? (the providers are: "
                                  "openai)"));
        return ExitUsage;
    }
    if (provider != u"openai") {
        printError(
            QStringLiteral("unknown provider '%1'; the providers are: openai").arg(provider));
        return ExitUsage;
    }
    StrictLimits limits = StrictLimits::openAiCurrent();
    if (const QString profile = parser.value(limitsOption); profile == u"earlier") {
        limits = StrictLimits::openAiEarlier();
    } else if (!profile.isEmpty() && profile != u"current") {
        printError(QStringLiteral("unknown --limits '%1'; use current or earlier").arg(profile));
        return ExitUsage;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1) {
        printError(files.isEmpty()
                ? QStringLiteral("missing the schema: sluice-cli lint-schema --provider openai S")
                : QStringLiteral("give one schema, not %1: sluice-cli lint-schema --provider "
                                 "openai S")
                      .arg(files.size()));
        return ExitUsage;
    }

    const std::optional<QJsonValue> schema
        = readJsonFile(files.constFirst(), QStringLiteral("schema"));
    if (!schema)
        return ExitUsage;
    const StrictLintReport report = StrictSchemaLinter(limits).lint(*schema);
    if (report.passes()) {
        printOut(QStringLiteral("%1: passes OpenAI strict mode\n").arg(files.constFirst()));
        return ExitOk;
    }
    for (const LintFinding &finding : report.findings)
        printOut(QStringLiteral("%1: %2: %3\n")
                     .arg(finding.path.isEmpty() ? QStringLiteral("(root)") : finding.path,
                         finding.rule, finding.message));
    printError(QStringLiteral("%1 finding(s): %2 would be sent without strict mode; fix them to "
                              "send strict: true")
                   .arg(report.findings.size())
                   .arg(files.constFirst()));
    return ExitFailed;
}

} // namespace sluice::cli
