#pragma once

#include "core/cost.h"
#include "core/pricebook.h"
#include "engine/batch/dataset.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <cstdint>
#include <optional>

namespace sluice {

/// What every row of a batch run asks for: the request with `{{name}}`
/// variables taken from the row's values (DatasetRow::values).
struct RunTemplate
{
    QString providerId; ///< `openai-responses`, `openai-chat`, `anthropic`
    QUrl baseUrl;
    QString model;
    QString promptTemplate;
    QString instructionsTemplate; ///< empty: no system prompt
    std::optional<QJsonObject> outputSchema;
    std::optional<int> maxOutputTokens;
    bool stream = false;
    int maxAttempts = 3; ///< attempts per row in total
};

/// The gates a run will pass, as the user set them.
struct PlanLimits
{
    std::optional<std::int64_t> requestsPerMinute;
    std::optional<std::int64_t> tokensPerMinute;
    int windowSeconds = 60; ///< a limit admits floor(limit x S / 60) per window (at least 1)
    int concurrency = 16;
};

/// What a run will cost and take, before anything is sent (docs/cli.md,
/// "sluice-cli plan"). Every number is an estimate: there is no tokenizer,
/// so tokens are counted as
///
///   input  = ceil(UTF-8 bytes of the rendered prompt and instructions / 4)
///            + kMessageOverheadTokens per message (prompt, instructions)
///            + ceil(bytes of the schema's compact JSON / 4)
///   output = typical: min(kTypicalOutputTokens, cap) per row;
///            upper bound: the cap, which is --max-output-tokens or, without
///            it, kDefaultOutputCap (then not a true bound: nothing caps the answer)
///
/// The ETA is the largest of three bounds:
///   - requests: the rate gate admits R = floor(rpm x S / 60) rows per window
///     of S seconds, so N rows need ceil(N / R) windows: (ceil(N / R) - 1) x S;
///   - tokens: the same with the typical tokens of all rows against
///     floor(tpm x S / 60) per window;
///   - concurrency: ceil(N / concurrency) x the assumed latency per request,
///     kAssumedBaseLatencySeconds + typical output / kAssumedTokensPerSecond.
struct RunPlan
{
    static constexpr int kMessageOverheadTokens = 4;
    static constexpr std::int64_t kTypicalOutputTokens = 256;
    static constexpr std::int64_t kDefaultOutputCap = 4096;
    static constexpr double kAssumedBaseLatencySeconds = 1.0;
    static constexpr double kAssumedTokensPerSecond = 50.0;
    static constexpr int kKeptProblems = 10;

    QString model;
    qint64 rows = 0;                ///< good rows: what the run would send
    qint64 badRows = 0;             ///< records the reader could not use
    QList<DatasetProblem> problems; ///< the first kKeptProblems of them
    qint64 duplicateIds = 0;        ///< rows whose id an earlier row already has
    qint64 renderFailures = 0;      ///< rows missing a template variable (they fail unsent)
    QStringList renderErrors;       ///< the first kKeptProblems, "row ID: message"

    std::int64_t inputTokens = 0;
    std::int64_t outputTokensTypical = 0;
    std::int64_t outputTokensMax = 0;
    bool outputCapped = false; ///< false: no --max-output-tokens, the max is an assumption

    Cost costEstimate;       ///< at the typical output; unknown when the model has no price
    Cost costUpperBound;     ///< at the output cap
    bool batchPrice = false; ///< priced at the batch discount (a provider Batch API run)

    std::optional<std::int64_t> requestsPerWindow;
    std::optional<std::int64_t> tokensPerWindow;
    int windowSeconds = 60;
    int concurrency = 16;
    double assumedLatencySeconds = 0;
    double etaRequestsSeconds = 0;
    double etaTokensSeconds = 0;
    double etaConcurrencySeconds = 0;
    double etaSeconds = 0;
    QString boundBy; ///< `requests`, `tokens` or `concurrency`: which bound sets the ETA

    /// One JSON object (docs/cli.md, "plan --json").
    [[nodiscard]] QJsonObject toJson() const;
    /// Lines for people: rows, tokens, cost, ETA and why.
    [[nodiscard]] QString toText() const;
};

/// Reads the dataset once, one row at a time (memory stays flat however
/// long it is), renders each row and sums the estimates. `reader` must be
/// open and at its start. Template syntax errors are the caller's to check
/// first (PromptTemplate::isValid); here a row missing a variable is counted.
/// `costOptions.batch`: the rows go through the provider's Batch API, so
/// they are priced with the table's batch discount (unknown without one).
[[nodiscard]] RunPlan planRun(DatasetReader &reader, const RunTemplate &request,
    const PriceBook *prices, const PlanLimits &limits, CostOptions costOptions = {});

/// The input tokens one rendered request is estimated at (see RunPlan).
[[nodiscard]] std::int64_t estimateInputTokens(
    const QString &instructions, const QString &input, qint64 schemaBytes);

} // namespace sluice
