#pragma once

#include "core/cost.h"
#include "core/pricebook.h"
#include "engine/batch/runplan.h"
#include "engine/llmservice.h"
#include "engine/secrets/privacysettings.h"

#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

namespace sluice::cli {

/// The options `sluice-cli run` and `sluice-cli plan` share (docs/cli.md).
struct RunOptions
{
    bool helpShown = false; ///< --help was printed: nothing else to do

    RunTemplate request; ///< provider, base URL, model, templates, schema, limits per row
    QString inputPath;   ///< empty: a single prompt
    QString idField = QStringLiteral("id");
    PlanLimits limits;
    int timeoutSeconds = 120;
    std::shared_ptr<const PriceBook> prices;
    std::optional<PicoAmount> budgetCap;
    QString outputPath; ///< empty: stdout
    QString tracePath;
    QString runDir;
    bool resume = false;
    bool json = false; ///< plan: one JSON object
    /// Through the provider's own Batch API (ProviderBatchJob) instead of live requests.
    bool batchApi = false;
    int pollSeconds = 30; ///< with batchApi: between two looks at a batch

    QString apiKeyEnv;
    QString keyStore;
    QString caBundle;
    PrivacySettings privacy;

    /// `DIR/runs.sqlite`, the store the GUI and `sluice-cli export` read too.
    [[nodiscard]] QString storePath() const;
    /// The service's gates, retries and timeouts from the flags.
    [[nodiscard]] LlmServiceConfig serviceConfig() const;
    /// The flags that do not shape answers, kept with a run for people.
    [[nodiscard]] QJsonObject settingsJson() const;
};

/// The run folder when `--run-dir` is not given, the same for `run`, `plan`,
/// `export` and `runs`: the GUI's (its AppDataLocation, organization and
/// application "Sluice", plus /runs), so that its Runs page lists what the
/// CLI ran and `export` finds it.
[[nodiscard]] QString defaultRunDir();
/// The run store inside a run folder: `DIR/runs.sqlite`.
[[nodiscard]] QString storePathIn(const QString &runDir);

enum class OptionSet {
    Run,
    Plan,
};

/// Parses and checks the flags (files read, schema compiled, templates
/// parsed, prices loaded); prints the first problem as one line and returns
/// nullopt (exit 2). `arguments[0]` is the program and command name.
[[nodiscard]] std::optional<RunOptions> parseRunOptions(
    const QStringList &arguments, OptionSet set);

} // namespace sluice::cli
