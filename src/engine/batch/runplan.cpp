#include "engine/batch/runplan.h"

#include "core/fingerprint.h"
#include "core/prompttemplate.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace sluice {

namespace {

std::int64_t ceilDiv(std::int64_t a, std::int64_t b)
{
    return (a + b - 1) / b;
}

// What a per-minute limit admits in one window of `seconds`, as RateGate counts it.
std::optional<std::int64_t> perWindow(std::optional<std::int64_t> perMinute, int seconds)
{
    if (!perMinute)
        return std::nullopt;
    return std::max<std::int64_t>(1, *perMinute * seconds / 60);
}

// Windows after the first that `amount` needs at `perWindow` each, in seconds.
double windowsWait(std::int64_t amount, std::optional<std::int64_t> perWindow, int seconds)
{
    if (!perWindow || amount <= 0)
        return 0;
    return double(std::max<std::int64_t>(0, ceilDiv(amount, *perWindow) - 1)) * seconds;
}

// Sums per-row costs; the first unknown makes the total unknown, with its reason.
void addCost(Cost &total, const Cost &row, bool first)
{
    if (first) {
        total = row;
        return;
    }
    if (!total.known())
        return;
    if (!row.known()) {
        total.pico.reset();
        total.unknownReason = row.unknownReason;
        return;
    }
    *total.pico += *row.pico;
    total.longContext = total.longContext || row.longContext;
}

QJsonValue costJson(const Cost &cost)
{
    return cost.known() ? QJsonValue(unitsFromPico(*cost.pico)) : QJsonValue();
}

QString costText(const Cost &cost)
{
    return cost.known() ? formatMoney(*cost.pico, cost.currency)
                        : QStringLiteral("unknown (%1)").arg(cost.unknownReason);
}

QString durationText(double seconds)
{
    const qint64 s = qint64(std::ceil(seconds));
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace

std::int64_t estimateInputTokens(
    const QString &instructions, const QString &input, qint64 schemaBytes)
{
    const auto tokens = [](qint64 bytes) { return ceilDiv(bytes, 4); };
    std::int64_t total = tokens(input.toUtf8().size()) + RunPlan::kMessageOverheadTokens;
    if (!instructions.isEmpty())
        total += tokens(instructions.toUtf8().size()) + RunPlan::kMessageOverheadTokens;
    return total + tokens(schemaBytes);
}

RunPlan planRun(DatasetReader &reader, const RunTemplate &request, const PriceBook *prices,
    const PlanLimits &limits, CostOptions costOptions)
{
    RunPlan plan;
    plan.batchPrice = costOptions.batch;
    plan.model = request.model;
    plan.windowSeconds = limits.windowSeconds;
    plan.concurrency = limits.concurrency;
    plan.outputCapped = request.maxOutputTokens.has_value();
    const std::int64_t cap = request.maxOutputTokens.value_or(RunPlan::kDefaultOutputCap);
    const std::int64_t typicalOutput = std::min(RunPlan::kTypicalOutputTokens, cap);
    const qint64 schemaBytes
        = request.outputSchema ? canonicalJson(*request.outputSchema).size() : 0;

    const PromptTemplate prompt(request.promptTemplate, QStringLiteral("prompt"));
    const PromptTemplate instructions(request.instructionsTemplate, QStringLiteral("instructions"));
    // 64-bit hashes of the ids seen: about 16 bytes a row, to count duplicates.
    QSet<quint64> ids;
    qint64 priced = 0;
    DatasetRow row;
    while (reader.next(row)) {
        ++plan.rows;
        const quint64 idHash = qHash(row.id, size_t(0x5eed));
        if (ids.contains(idHash)) {
            ++plan.duplicateIds; // not sent (BatchRun reports it)
            continue;
        }
        ids.insert(idHash);

        const RenderResult input = prompt.render(row.values);
        const RenderResult system = instructions.render(row.values);
        if (!input.ok() || !system.ok()) {
            ++plan.renderFailures;
            if (plan.renderErrors.size() < RunPlan::kKeptProblems) {
                plan.renderErrors
                    << QStringLiteral("row %1: %2")
                           .arg(row.id, (input.errors + system.errors).join(QStringLiteral("; ")));
            }
            continue; // fails before it is sent: no tokens, no cost
        }
        const std::int64_t inputTokens = estimateInputTokens(system.text, input.text, schemaBytes);
        plan.inputTokens += inputTokens;
        plan.outputTokensTypical += typicalOutput;
        plan.outputTokensMax += cap;
        if (prices) {
            TokenUsage usage;
            usage.input = inputTokens;
            usage.output = typicalOutput;
            const bool first = priced++ == 0;
            addCost(
                plan.costEstimate, computeCost(*prices, request.model, usage, costOptions), first);
            usage.output = cap;
            addCost(plan.costUpperBound, computeCost(*prices, request.model, usage, costOptions),
                first);
        }
    }
    plan.badRows = reader.problemCount();
    plan.problems = reader.problems().mid(0, RunPlan::kKeptProblems);
    if (prices && priced == 0) {
        // Nothing to send costs nothing.
        plan.costEstimate.pico = 0;
        plan.costEstimate.currency = prices->currency();
        plan.costEstimate.tableVersion = prices->version();
        plan.costUpperBound = plan.costEstimate;
    } else if (!prices) {
        plan.costEstimate.unknownReason = QStringLiteral("no price table is loaded");
        plan.costUpperBound.unknownReason = plan.costEstimate.unknownReason;
    }

    const std::int64_t sent = plan.rows - plan.renderFailures - plan.duplicateIds;
    plan.requestsPerWindow = perWindow(limits.requestsPerMinute, limits.windowSeconds);
    plan.tokensPerWindow = perWindow(limits.tokensPerMinute, limits.windowSeconds);
    plan.etaRequestsSeconds = windowsWait(sent, plan.requestsPerWindow, limits.windowSeconds);
    plan.etaTokensSeconds = windowsWait(
        plan.inputTokens + plan.outputTokensTypical, plan.tokensPerWindow, limits.windowSeconds);
    plan.assumedLatencySeconds = RunPlan::kAssumedBaseLatencySeconds
        + double(typicalOutput) / RunPlan::kAssumedTokensPerSecond;
    plan.etaConcurrencySeconds = sent > 0
        ? double(ceilDiv(sent, std::max(1, limits.concurrency))) * plan.assumedLatencySeconds
        : 0;
    plan.etaSeconds = plan.etaConcurrencySeconds;
    plan.boundBy = QStringLiteral("concurrency");
    if (plan.etaRequestsSeconds > plan.etaSeconds) {
        plan.etaSeconds = plan.etaRequestsSeconds;
        plan.boundBy = QStringLiteral("requests");
    }
    if (plan.etaTokensSeconds > plan.etaSeconds) {
        plan.etaSeconds = plan.etaTokensSeconds;
        plan.boundBy = QStringLiteral("tokens");
    }
    return plan;
}

QJsonObject RunPlan::toJson() const
{
    QJsonArray problemList;
    for (const DatasetProblem &problem : problems) {
        problemList.append(QJsonObject {
            {QStringLiteral("line"), problem.line}, {QStringLiteral("message"), problem.message}});
    }
    const auto optional = [](std::optional<std::int64_t> value) {
        return value ? QJsonValue(qint64(*value)) : QJsonValue();
    };
    return QJsonObject {
        {QStringLiteral("model"), model},
        {QStringLiteral("rows"), rows},
        {QStringLiteral("bad_rows"), badRows},
        {QStringLiteral("problems"), problemList},
        {QStringLiteral("duplicate_ids"), duplicateIds},
        {QStringLiteral("render_failures"), renderFailures},
        {QStringLiteral("render_errors"), QJsonArray::fromStringList(renderErrors)},
        {QStringLiteral("input_tokens"), qint64(inputTokens)},
        {QStringLiteral("output_tokens_typical"), qint64(outputTokensTypical)},
        {QStringLiteral("output_tokens_max"), qint64(outputTokensMax)},
        {QStringLiteral("output_capped"), outputCapped},
        {QStringLiteral("cost_usd"), costJson(costEstimate)},
        {QStringLiteral("cost_usd_max"), costJson(costUpperBound)},
        {QStringLiteral("cost_unknown_reason"),
            costEstimate.known() ? QJsonValue() : QJsonValue(costEstimate.unknownReason)},
        {QStringLiteral("price_table_version"), costEstimate.tableVersion},
        {QStringLiteral("batch_price"), batchPrice},
        {QStringLiteral("window_seconds"), windowSeconds},
        {QStringLiteral("requests_per_window"), optional(requestsPerWindow)},
        {QStringLiteral("tokens_per_window"), optional(tokensPerWindow)},
        {QStringLiteral("concurrency"), concurrency},
        {QStringLiteral("assumed_latency_seconds"), assumedLatencySeconds},
        {QStringLiteral("eta_seconds"), etaSeconds},
        {QStringLiteral("eta_bound_by"), boundBy},
        {QStringLiteral("eta_requests_seconds"), etaRequestsSeconds},
        {QStringLiteral("eta_tokens_seconds"), etaTokensSeconds},
        {QStringLiteral("eta_concurrency_seconds"), etaConcurrencySeconds},
    };
}

QString RunPlan::toText() const
{
    QString text;
    text += QStringLiteral("rows:           %1 to send").arg(rows - renderFailures - duplicateIds);
    if (badRows > 0 || renderFailures > 0 || duplicateIds > 0) {
        text += QStringLiteral(" (%1 unreadable, %2 missing a variable, %3 duplicate ids)")
                    .arg(badRows)
                    .arg(renderFailures)
                    .arg(duplicateIds);
    }
    text += u'\n';
    for (const DatasetProblem &problem : problems)
        text += QStringLiteral("  line %1: %2\n").arg(problem.line).arg(problem.message);
    for (const QString &error : renderErrors)
        text += QStringLiteral("  %1\n").arg(error);
    text += QStringLiteral("input tokens:   ~%1 (bytes / 4 + %2 per message, schema included)\n")
                .arg(inputTokens)
                .arg(kMessageOverheadTokens);
    text += QStringLiteral("output tokens:  ~%1 typical (%2 a row), at most %3%4\n")
                .arg(outputTokensTypical)
                .arg(rows > 0 ? outputTokensTypical / std::max<qint64>(1, rows) : 0)
                .arg(outputTokensMax)
                .arg(outputCapped ? QString()
                                  : QStringLiteral(" (no --max-output-tokens: %1 a row assumed)")
                                        .arg(kDefaultOutputCap));
    text += QStringLiteral("cost:           ~%1, at most %2 (%3, prices %4%5)\n")
                .arg(costText(costEstimate), costText(costUpperBound), model,
                    costEstimate.tableVersion.isEmpty() ? QStringLiteral("none")
                                                        : costEstimate.tableVersion,
                    batchPrice ? QStringLiteral(", batch price") : QString());
    text += QStringLiteral("eta:            ~%1, bound by %2\n")
                .arg(durationText(etaSeconds), boundBy);
    if (requestsPerWindow) {
        text += QStringLiteral("  requests: %1 per %2 s window -> %3\n")
                    .arg(*requestsPerWindow)
                    .arg(windowSeconds)
                    .arg(durationText(etaRequestsSeconds));
    }
    if (tokensPerWindow) {
        text += QStringLiteral("  tokens: %1 per %2 s window -> %3\n")
                    .arg(*tokensPerWindow)
                    .arg(windowSeconds)
                    .arg(durationText(etaTokensSeconds));
    }
    text += QStringLiteral("  concurrency: %1 at ~%2 s a request (assumed) -> %3\n")
                .arg(concurrency)
                .arg(assumedLatencySeconds, 0, 'f', 1)
                .arg(durationText(etaConcurrencySeconds));
    return text;
}

} // namespace sluice
