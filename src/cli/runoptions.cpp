#include "cli/runoptions.h"

#include "cli/output.h"
#include "core/prompttemplate.h"
#include "core/schemavalidator.h"
#include "providers/providerregistry.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStandardPaths>

namespace sluice::cli {

namespace {

constexpr auto kStoreFileName = "runs.sqlite";

// Reads a text option given inline (--name) or from a file (--name-file).
// Returns nullopt after printing the problem.
std::optional<QString> textOrFile(const QCommandLineParser &parser, const QString &inlineName,
    const QString &fileName, bool required)
{
    const bool hasInline = parser.isSet(inlineName);
    const bool hasFile = parser.isSet(fileName);
    if (hasInline && hasFile) {
        printError(QStringLiteral("give either --%1 or --%2, not both").arg(inlineName, fileName));
        return std::nullopt;
    }
    if (hasInline)
        return parser.value(inlineName);
    if (hasFile) {
        QFile file(parser.value(fileName));
        if (!file.open(QIODevice::ReadOnly)) {
            printError(QStringLiteral("cannot read --%1 %2: %3")
                           .arg(fileName, file.fileName(), file.errorString()));
            return std::nullopt;
        }
        return QString::fromUtf8(file.readAll());
    }
    if (required) {
        printError(QStringLiteral("missing --%1 TEXT or --%2 F: what should the model answer?")
                       .arg(inlineName, fileName));
        return std::nullopt;
    }
    return QString();
}

std::optional<int> positiveInteger(
    const QCommandLineParser &parser, const QString &name, int fallback)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < 1) {
        printError(QStringLiteral("--%1 takes a whole number of at least 1, not '%2'")
                       .arg(name, parser.value(name)));
        return std::nullopt;
    }
    return value;
}

// A per-minute limit: unset, or a whole number of at least 1.
bool optionalLimit(
    const QCommandLineParser &parser, const QString &name, std::optional<std::int64_t> &limit)
{
    if (!parser.isSet(name))
        return true;
    const auto value = positiveInteger(parser, name, 0);
    if (!value)
        return false;
    limit = *value;
    return true;
}

std::optional<QJsonObject> readSchema(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        printError(QStringLiteral("cannot read --schema %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        printError(QStringLiteral("--schema %1 is not a JSON object%2; an output schema is an "
                                  "object such as {\"type\": \"object\", ...}")
                       .arg(path,
                           parseError.error != QJsonParseError::NoError
                               ? QStringLiteral(" (%1 at offset %2)")
                                     .arg(parseError.errorString())
                                     .arg(parseError.offset)
                               : QString()));
        return std::nullopt;
    }
    const SchemaCompileResult compiled = SchemaValidator::compile(document.object());
    if (!compiled) {
        printError(QStringLiteral("the schema %1 cannot be used: at %2: %3; fix the schema")
                       .arg(path, compiled.error.path, compiled.error.message));
        return std::nullopt;
    }
    return document.object();
}

QStringList providerIds()
{
    QStringList ids;
    for (const ProviderInfo &info : availableProviders())
        ids << info.id;
    return ids;
}

} // namespace

QString defaultRunDir()
{
    // The CLI's own application name is sluice-cli, so the GUI's folder is
    // spelled out under the generic location.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/Sluice/Sluice/runs");
}

QString storePathIn(const QString &runDir)
{
    return QDir(runDir).filePath(QString::fromLatin1(kStoreFileName));
}

QString RunOptions::storePath() const
{
    return storePathIn(runDir);
}

LlmServiceConfig RunOptions::serviceConfig() const
{
    LlmServiceConfig config;
    config.rateLimits.window = std::chrono::seconds(limits.windowSeconds);
    config.rateLimits.requestsPerMinute = limits.requestsPerMinute;
    config.rateLimits.tokensPerMinute = limits.tokensPerMinute;
    config.maxConcurrent = limits.concurrency;
    config.retry.maxRetries = request.maxAttempts - 1;
    const std::chrono::milliseconds total(qint64(timeoutSeconds) * 1000);
    config.timeouts.connect = std::min(total, config.timeouts.connect);
    config.timeouts.idle = std::min(total, config.timeouts.idle);
    config.timeouts.firstByte = total;
    config.timeouts.total = total;
    return config;
}

QJsonObject RunOptions::settingsJson() const
{
    const auto optional = [](std::optional<std::int64_t> value) {
        return value ? QJsonValue(qint64(*value)) : QJsonValue();
    };
    return QJsonObject {
        {QStringLiteral("rpm"), optional(limits.requestsPerMinute)},
        {QStringLiteral("tpm"), optional(limits.tokensPerMinute)},
        {QStringLiteral("window_seconds"), limits.windowSeconds},
        {QStringLiteral("concurrency"), limits.concurrency},
        {QStringLiteral("timeout_seconds"), timeoutSeconds},
        {QStringLiteral("prices"), prices ? prices->origin() : QString()},
    };
}

std::optional<RunOptions> parseRunOptions(const QStringList &arguments, OptionSet set)
{
    const bool plan = set == OptionSet::Plan;
    QCommandLineParser parser;
    parser.setApplicationDescription(plan
            ? QStringLiteral("Estimate a run before anything is sent: rows, tokens, cost, ETA.")
            : QStringLiteral("Send one prompt and print the answer, or run it over every row "
                             "of --input and write one JSON line per row."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOptions({
        help,
        {QStringLiteral("provider"),
            QStringLiteral("Dialect: %1 (default openai-responses).")
                .arg(providerIds().join(QStringLiteral(", "))),
            QStringLiteral("ID")},
        {QStringLiteral("base-url"),
            QStringLiteral("API base URL ending in /v1 (default: the provider's)."),
            QStringLiteral("URL")},
        {QStringLiteral("model"), QStringLiteral("Model name (required)."), QStringLiteral("NAME")},
        {QStringLiteral("prompt"),
            QStringLiteral("The prompt; with --input a template with {{field}} variables."),
            QStringLiteral("TEXT")},
        {QStringLiteral("prompt-file"), QStringLiteral("Read the prompt from a file."),
            QStringLiteral("F")},
        {QStringLiteral("instructions"), QStringLiteral("System instructions (a template too)."),
            QStringLiteral("TEXT")},
        {QStringLiteral("instructions-file"), QStringLiteral("Read the instructions from a file."),
            QStringLiteral("F")},
        {QStringLiteral("input"), QStringLiteral("Dataset, one row per request: .jsonl or .csv."),
            QStringLiteral("F")},
        {QStringLiteral("id-field"),
            QStringLiteral("The rows' id field (default id; else the row index)."),
            QStringLiteral("NAME")},
        {QStringLiteral("schema"), QStringLiteral("JSON Schema the answer must match."),
            QStringLiteral("F")},
        {QStringLiteral("max-output-tokens"),
            QStringLiteral("Cap on output tokens, reasoning included."), QStringLiteral("N")},
        {QStringLiteral("stream"),
            QStringLiteral("Stream answers (measures time to first token).")},
        {QStringLiteral("rpm"), QStringLiteral("Requests per minute the gate admits."),
            QStringLiteral("N")},
        {QStringLiteral("tpm"), QStringLiteral("Tokens per minute the gate admits."),
            QStringLiteral("N")},
        {QStringLiteral("window-seconds"),
            QStringLiteral("The gate's sliding window (default 60); a limit admits limit x S / 60 "
                           "per window."),
            QStringLiteral("S")},
        {QStringLiteral("concurrency"), QStringLiteral("Requests in flight at once (default 16)."),
            QStringLiteral("N")},
        {QStringLiteral("max-attempts"),
            QStringLiteral("Attempts per row in total, retries included (default 3)."),
            QStringLiteral("N")},
        {QStringLiteral("timeout"), QStringLiteral("Seconds for each attempt (default 120)."),
            QStringLiteral("S")},
        {QStringLiteral("prices"), QStringLiteral("Price table replacing the built-in one."),
            QStringLiteral("F")},
        {QStringLiteral("budget-usd"),
            QStringLiteral("Money cap for the run; rows that do not fit are skipped (exit 3)."),
            QStringLiteral("X")},
        {QStringLiteral("output"), QStringLiteral("Write the JSON lines here (default stdout)."),
            QStringLiteral("F")},
        {QStringLiteral("trace"), QStringLiteral("Write the run's trace here (JSON)."),
            QStringLiteral("F")},
        {QStringLiteral("run-dir"),
            QStringLiteral("Folder of the run store runs.sqlite (default %1).")
                .arg(QDir::toNativeSeparators(defaultRunDir())),
            QStringLiteral("DIR")},
        {QStringLiteral("resume"),
            QStringLiteral("Continue the newest unfinished run with the same configuration.")},
        {QStringLiteral("batch-api"),
            QStringLiteral("Send the rows through the provider's own Batch API (half price, "
                           "answers within 24 h) instead of live requests.")},
        {QStringLiteral("poll-seconds"),
            QStringLiteral("With --batch-api: seconds between two looks at a batch (default 30)."),
            QStringLiteral("S")},
        {QStringLiteral("api-key-env"),
            QStringLiteral("Environment variable holding the API key (default OPENAI_API_KEY, "
                           "or ANTHROPIC_API_KEY for anthropic)."),
            QStringLiteral("VAR")},
        {QStringLiteral("key-store"),
            QStringLiteral("Where to look for the key when the variable is unset: keychain "
                           "(default) or file (a 0600 file, not encrypted)."),
            QStringLiteral("KIND")},
        {QStringLiteral("ca-bundle"),
            QStringLiteral("Also trust the CA certificates in this PEM file (corporate proxy)."),
            QStringLiteral("FILE")},
        {QStringLiteral("store"),
            QStringLiteral("Let the provider keep the response (sends store: true; single "
                           "prompt only).")},
        {QStringLiteral("no-content"),
            QStringLiteral("Keep prompts and outputs out of the run store (metrics only).")},
    });
    if (plan)
        parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object.")});

    if (!parser.parse(arguments)) {
        printError(parser.errorText()
            + QStringLiteral(" See `sluice-cli %1 --help`.")
                  .arg(plan ? QStringLiteral("plan") : QStringLiteral("run")));
        return std::nullopt;
    }
    RunOptions options;
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        options.helpShown = true;
        return options;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument '%1'; quote a prompt: --prompt \"...\"")
                       .arg(parser.positionalArguments().constFirst()));
        return std::nullopt;
    }

    RunTemplate &request = options.request;
    request.providerId = parser.isSet(QStringLiteral("provider"))
        ? parser.value(QStringLiteral("provider"))
        : QStringLiteral("openai-responses");
    const ProviderInfo *info = nullptr;
    for (const ProviderInfo &candidate : availableProviders()) {
        if (candidate.id == request.providerId)
            info = &candidate;
    }
    if (!info) {
        printError(QStringLiteral("--provider takes %1, not '%2'")
                       .arg(providerIds().join(QStringLiteral(", ")), request.providerId));
        return std::nullopt;
    }
    request.baseUrl = parser.isSet(QStringLiteral("base-url"))
        ? QUrl(parser.value(QStringLiteral("base-url")))
        : info->defaultBaseUrl;
    if (!request.baseUrl.isValid() || request.baseUrl.host().isEmpty()
        || (request.baseUrl.scheme() != u"http" && request.baseUrl.scheme() != u"https")) {
        printError(QStringLiteral("--base-url '%1' is not an http(s) URL; "
                                  "use e.g. http://127.0.0.1:8080/v1")
                       .arg(parser.value(QStringLiteral("base-url"))));
        return std::nullopt;
    }

    request.model = parser.value(QStringLiteral("model")).trimmed();
    if (request.model.isEmpty()) {
        printError(QStringLiteral("missing --model NAME: which model should answer?"));
        return std::nullopt;
    }

    const auto prompt
        = textOrFile(parser, QStringLiteral("prompt"), QStringLiteral("prompt-file"), true);
    if (!prompt)
        return std::nullopt;
    request.promptTemplate = *prompt;
    const auto instructions = textOrFile(
        parser, QStringLiteral("instructions"), QStringLiteral("instructions-file"), false);
    if (!instructions)
        return std::nullopt;
    request.instructionsTemplate = *instructions;

    options.inputPath = parser.value(QStringLiteral("input"));
    if (parser.isSet(QStringLiteral("input"))) {
        if (!DatasetReader::formatForPath(options.inputPath)) {
            printError(QStringLiteral("--input %1: use a .jsonl (or .ndjson) or .csv file")
                           .arg(options.inputPath));
            return std::nullopt;
        }
        // With a dataset the texts are templates: a syntax error is a usage error.
        for (const PromptTemplate &t : {PromptTemplate(request.promptTemplate),
                 PromptTemplate(request.instructionsTemplate, QStringLiteral("instructions"))}) {
            if (!t.isValid()) {
                printError(t.error()->message + QStringLiteral("; write a literal {{ as {{{{"));
                return std::nullopt;
            }
        }
    } else if (plan) {
        printError(QStringLiteral("missing --input F: plan estimates a run over a dataset"));
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("id-field")))
        options.idField = parser.value(QStringLiteral("id-field"));

    if (parser.isSet(QStringLiteral("schema"))) {
        request.outputSchema = readSchema(parser.value(QStringLiteral("schema")));
        if (!request.outputSchema)
            return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("max-output-tokens"))) {
        const auto maxTokens = positiveInteger(parser, QStringLiteral("max-output-tokens"), 0);
        if (!maxTokens)
            return std::nullopt;
        request.maxOutputTokens = *maxTokens;
    }
    request.stream = parser.isSet(QStringLiteral("stream"));

    if (!optionalLimit(parser, QStringLiteral("rpm"), options.limits.requestsPerMinute)
        || !optionalLimit(parser, QStringLiteral("tpm"), options.limits.tokensPerMinute)) {
        return std::nullopt;
    }
    const auto window = positiveInteger(parser, QStringLiteral("window-seconds"), 60);
    const auto concurrency = positiveInteger(parser, QStringLiteral("concurrency"), 16);
    const auto attempts = positiveInteger(parser, QStringLiteral("max-attempts"), 3);
    const auto timeout = positiveInteger(parser, QStringLiteral("timeout"), 120);
    if (!window || !concurrency || !attempts || !timeout)
        return std::nullopt;
    options.limits.windowSeconds = *window;
    options.limits.concurrency = *concurrency;
    request.maxAttempts = *attempts;
    options.timeoutSeconds = *timeout;

    PriceBookLoad load = parser.isSet(QStringLiteral("prices"))
        ? PriceBook::fromFile(parser.value(QStringLiteral("prices")))
        : PriceBook::builtin();
    if (!load.book) {
        printError(QStringLiteral("--prices %1 cannot be used: %2; fix the file (docs/prices.md)")
                       .arg(parser.value(QStringLiteral("prices")),
                           load.errors.value(0, QStringLiteral("no price table"))));
        return std::nullopt;
    }
    options.prices = std::make_shared<const PriceBook>(std::move(*load.book));

    if (parser.isSet(QStringLiteral("budget-usd"))) {
        bool ok = false;
        const double cap = parser.value(QStringLiteral("budget-usd")).toDouble(&ok);
        if (!ok || !(cap > 0)) {
            printError(QStringLiteral("--budget-usd takes an amount above 0 such as 5.00, not '%1'")
                           .arg(parser.value(QStringLiteral("budget-usd"))));
            return std::nullopt;
        }
        if (options.prices->currency() != u"USD") {
            printError(QStringLiteral("--budget-usd needs a price table in USD; %1 is in %2")
                           .arg(options.prices->origin(), options.prices->currency()));
            return std::nullopt;
        }
        options.budgetCap = picoFromUnits(cap);
    }

    options.outputPath = parser.value(QStringLiteral("output"));
    options.tracePath = parser.value(QStringLiteral("trace"));
    options.runDir = parser.isSet(QStringLiteral("run-dir"))
        ? parser.value(QStringLiteral("run-dir"))
        : defaultRunDir();
    options.resume = parser.isSet(QStringLiteral("resume"));
    options.batchApi = parser.isSet(QStringLiteral("batch-api"));
    const auto poll = positiveInteger(parser, QStringLiteral("poll-seconds"), 30);
    if (!poll)
        return std::nullopt;
    options.pollSeconds = *poll;
    if (options.batchApi) {
        // The live gates do not apply to a provider batch; these would be silently ignored.
        for (const QString &liveOnly : {QStringLiteral("stream"), QStringLiteral("budget-usd"),
                 QStringLiteral("rpm"), QStringLiteral("tpm")}) {
            if (parser.isSet(liveOnly)) {
                printError(QStringLiteral("--%1 does not apply with --batch-api; the provider "
                                          "runs the batch at its own pace")
                               .arg(liveOnly));
                return std::nullopt;
            }
        }
    }
    options.json = plan && parser.isSet(QStringLiteral("json"));
    if (options.inputPath.isEmpty()) {
        for (const QString &needsInput : {QStringLiteral("resume"), QStringLiteral("trace"),
                 QStringLiteral("id-field"), QStringLiteral("batch-api")}) {
            if (parser.isSet(needsInput)) {
                printError(QStringLiteral("--%1 applies to a run over --input F").arg(needsInput));
                return std::nullopt;
            }
        }
    }

    options.apiKeyEnv = parser.isSet(QStringLiteral("api-key-env"))
        ? parser.value(QStringLiteral("api-key-env"))
        : (request.providerId == u"anthropic" ? QStringLiteral("ANTHROPIC_API_KEY")
                                              : QStringLiteral("OPENAI_API_KEY"));
    options.keyStore = parser.isSet(QStringLiteral("key-store"))
        ? parser.value(QStringLiteral("key-store"))
        : QStringLiteral("keychain");
    if (options.keyStore != u"keychain" && options.keyStore != u"file") {
        printError(
            QStringLiteral("--key-store takes keychain or file, not '%1'").arg(options.keyStore));
        return std::nullopt;
    }
    options.caBundle = parser.value(QStringLiteral("ca-bundle"));
    options.privacy.providerStore = parser.isSet(QStringLiteral("store"));
    if (options.privacy.providerStore && !options.inputPath.isEmpty()) {
        printError(QStringLiteral("--store applies to a single prompt; rows of a run are sent "
                                  "with store: false"));
        return std::nullopt;
    }
    options.privacy.keepPromptsAndOutputs = !parser.isSet(QStringLiteral("no-content"));
    return options;
}

} // namespace sluice::cli
