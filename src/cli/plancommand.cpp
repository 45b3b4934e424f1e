#include "cli/plancommand.h"

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/runoptions.h"

#include <QJsonDocument>

namespace sluice::cli {

int planCommand(const QStringList &arguments)
{
    const std::optional<RunOptions> options = parseRunOptions(arguments, OptionSet::Plan);
    if (!options)
        return ExitUsage;
    if (options->helpShown)
        return ExitOk;

    DatasetReader reader;
    QString error;
    if (!reader.open(options->inputPath, &error, {}, options->idField)) {
        printError(error);
        return ExitUsage;
    }
    CostOptions costOptions;
    costOptions.batch = options->batchApi;
    const RunPlan plan
        = planRun(reader, options->request, options->prices.get(), options->limits, costOptions);
    if (options->json)
        printOut(
            QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact)) + u'\n');
    else
        printOut(plan.toText());
    return ExitOk;
}

} // namespace sluice::cli
