#include "cli/runcommand.h"

#include "cli/cli.h"
#include "cli/keyscommand.h"
#include "cli/output.h"
#include "core/redaction.h"
#include "engine/llmservice.h"
#include "engine/secrets/privacysettings.h"
#include "providers/endpointpolicy.h"
#include "providers/openairesponses.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>

#include <optional>

namespace sluice::cli {

namespace {

constexpr auto kDefaultBaseUrl = "https://api.openai.com/v1";
constexpr int kDefaultTimeoutSeconds = 120;

struct RunOptions
{
    QUrl baseUrl;
    QString apiKeyEnv;
    QString keyStore;
    QString caBundle;
    PrivacySettings privacy;
    GenerationRequest request;
    int timeoutSeconds = kDefaultTimeoutSeconds;
};

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

bool isLoopback(const QUrl &url)
{
    const QString host = url.host();
    if (host == u"localhost")
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// Parses and checks the flags; prints the first problem and returns nullopt.
std::optional<RunOptions> parseRunOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Send one prompt and print the answer."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOptions({
        help,
        {QStringLiteral("base-url"),
            QStringLiteral("API base URL ending in /v1 (default %1).")
                .arg(QLatin1StringView(kDefaultBaseUrl)),
            QStringLiteral("URL")},
        {QStringLiteral("model"), QStringLiteral("Model name (required)."), QStringLiteral("NAME")},
        {QStringLiteral("prompt"), QStringLiteral("The prompt."), QStringLiteral("TEXT")},
        {QStringLiteral("prompt-file"), QStringLiteral("Read the prompt from a file."),
            QStringLiteral("F")},
        {QStringLiteral("instructions"), QStringLiteral("System instructions."),
            QStringLiteral("TEXT")},
        {QStringLiteral("instructions-file"), QStringLiteral("Read the instructions from a file."),
            QStringLiteral("F")},
        {QStringLiteral("max-output-tokens"),
            QStringLiteral("Cap on output tokens, reasoning included."), QStringLiteral("N")},
        {QStringLiteral("timeout"),
            QStringLiteral("Seconds for the whole exchange (default %1).")
                .arg(kDefaultTimeoutSeconds),
            QStringLiteral("S")},
        {QStringLiteral("api-key-env"),
            QStringLiteral("Environment variable holding the API key (default OPENAI_API_KEY)."),
            QStringLiteral("VAR")},
        {QStringLiteral("key-store"),
            QStringLiteral("Where to look for the key when the variable is unset: keychain "
                           "(default) or file (a 0600 file, not encrypted)."),
            QStringLiteral("KIND")},
        {QStringLiteral("ca-bundle"),
            QStringLiteral("Also trust the CA certificates in this PEM file (corporate proxy)."),
            QStringLiteral("FILE")},
        {QStringLiteral("store"),
            QStringLiteral("Let the provider keep the response (sends store: true).")},
        {QStringLiteral("no-content"),
            QStringLiteral("Keep prompts and outputs out of the run store (metrics only).")},
    });

    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral(" See `sluice-cli run --help`."));
        return std::nullopt;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return RunOptions {};
    }
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument '%1'; quote a prompt: --prompt \"...\"")
                       .arg(parser.positionalArguments().constFirst()));
        return std::nullopt;
    }

    RunOptions options;
    options.baseUrl
        = QUrl(parser.isSet(QStringLiteral("base-url")) ? parser.value(QStringLiteral("base-url"))
                                                        : QString::fromLatin1(kDefaultBaseUrl));
    if (!options.baseUrl.isValid() || options.baseUrl.host().isEmpty()
        || (options.baseUrl.scheme() != u"http" && options.baseUrl.scheme() != u"https")) {
        printError(QStringLiteral("--base-url '%1' is not an http(s) URL; "
                                  "use e.g. http://127.0.0.1:8080/v1")
                       .arg(parser.value(QStringLiteral("base-url"))));
        return std::nullopt;
    }

    options.request.model = parser.value(QStringLiteral("model")).trimmed();
    if (options.request.model.isEmpty()) {
        printError(QStringLiteral("missing --model NAME: which model should answer?"));
        return std::nullopt;
    }

    const auto prompt
        = textOrFile(parser, QStringLiteral("prompt"), QStringLiteral("prompt-file"), true);
    if (!prompt)
        return std::nullopt;
    options.request.input = *prompt;
    const auto instructions = textOrFile(
        parser, QStringLiteral("instructions"), QStringLiteral("instructions-file"), false);
    if (!instructions)
        return std::nullopt;
    options.request.instructions = *instructions;

    if (parser.isSet(QStringLiteral("max-output-tokens"))) {
        const auto maxTokens = positiveInteger(parser, QStringLiteral("max-output-tokens"), 0);
        if (!maxTokens)
            return std::nullopt;
        options.request.maxOutputTokens = *maxTokens;
    }
    const auto timeout = positiveInteger(parser, QStringLiteral("timeout"), kDefaultTimeoutSeconds);
    if (!timeout)
        return std::nullopt;
    options.timeoutSeconds = *timeout;

    options.apiKeyEnv = parser.isSet(QStringLiteral("api-key-env"))
        ? parser.value(QStringLiteral("api-key-env"))
        : QStringLiteral("OPENAI_API_KEY");
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
    // Honoured by the run store (a later issue); a single run persists nothing.
    options.privacy.keepPromptsAndOutputs = !parser.isSet(QStringLiteral("no-content"));
    options.request.store = options.privacy.providerStore;
    return options;
}

// What to do about each failure class, in the user's words.
QString adviceFor(ErrorClass errorClass, const RunOptions &options)
{
    switch (errorClass) {
    case ErrorClass::Network:
        return QStringLiteral("check --base-url and that the server is running");
    case ErrorClass::Timeout:
        return QStringLiteral("raise --timeout or check the server");
    case ErrorClass::Tls:
        return QStringLiteral("the server's certificate was not accepted; check the URL, or "
                              "trust a private CA with --ca-bundle FILE");
    case ErrorClass::Auth:
        return QStringLiteral("check the key in $%1 or `sluice-cli keys`").arg(options.apiKeyEnv);
    case ErrorClass::NotFound:
        return QStringLiteral("check --model and --base-url");
    case ErrorClass::RateLimited:
        return QStringLiteral("wait a moment and run again");
    case ErrorClass::QuotaExhausted:
        return QStringLiteral("check the account's plan and billing");
    case ErrorClass::MalformedResponse:
        return QStringLiteral("check that --base-url points at an OpenAI-compatible /v1 endpoint");
    case ErrorClass::Server:
    case ErrorClass::Overloaded:
        return QStringLiteral("the provider had a problem; try again later");
    case ErrorClass::BadRequest:
        return QStringLiteral("check the flags against `sluice-cli run --help`");
    default:
        return {};
    }
}

} // namespace

int runCommand(const QStringList &arguments)
{
    const std::optional<RunOptions> parsed = parseRunOptions(arguments);
    if (!parsed)
        return ExitUsage;
    const RunOptions &options = *parsed;
    if (options.request.model.isEmpty())
        return ExitOk; // --help was printed

    if (!options.caBundle.isEmpty()) {
        const CaBundle bundle = loadCaBundle(options.caBundle);
        if (!bundle.error.isEmpty()) {
            printError(QStringLiteral("--ca-bundle: %1").arg(bundle.error));
            return ExitUsage;
        }
        trustAdditionalCaCertificates(bundle.certificates);
    }

    // The key: the environment first, else the store, for this host only.
    QByteArray apiKey = qgetenv(options.apiKeyEnv.toLocal8Bit().constData());
    if (apiKey.isEmpty()) {
        const std::unique_ptr<SecretStore> store = openSecretStore(options.keyStore);
        const SecretResult stored = readSecretBlocking(
            *store, SecretSlot::forEndpoint(QStringLiteral("openai"), options.baseUrl));
        apiKey = stored.secret;
        if (apiKey.isEmpty() && !isLoopback(options.baseUrl)) {
            QString line = QStringLiteral("no API key: set %1 (or name another variable with "
                                          "--api-key-env VAR), or save one with `sluice-cli keys "
                                          "set --base-url %2`")
                               .arg(options.apiKeyEnv, options.baseUrl.toString());
            if (stored.error != SecretError::NotFound) {
                line += QStringLiteral(" (%1: %2; %3)")
                            .arg(store->location(), secretErrorName(stored.error),
                                secretErrorAdvice(stored.error));
            }
            printError(line);
            return ExitUsage;
        }
    }
    registerSecret(apiKey);
    if (const QString warning = plainHttpWarning(options.baseUrl); !warning.isEmpty())
        printError(warning);

    LlmService service(std::make_shared<OpenAiResponsesProvider>(options.baseUrl, apiKey),
        SteadyClock::instance());
    const std::chrono::milliseconds total(qint64(options.timeoutSeconds) * 1000);
    service.setTimeouts({std::min(total, std::chrono::milliseconds(60'000)), total});

    GenerationResult result;
    QEventLoop loop;
    service.submit(options.request, [&](const GenerationResult &finished) {
        result = finished;
        loop.quit();
    });
    loop.exec();

    const GenerationOutcome &outcome = result.outcome;
    const QString message = redactSecrets(outcome.errorMessage);

    switch (outcome.status) {
    case GenerationOutcome::Status::Completed:
        printOut(outcome.text.endsWith(u'\n') ? outcome.text : outcome.text + u'\n');
        return ExitOk;
    case GenerationOutcome::Status::Incomplete:
        printOut(outcome.text + u'\n');
        printError(QStringLiteral("the answer is incomplete (%1); raise --max-output-tokens")
                       .arg(outcome.incompleteReason));
        return ExitFailed;
    case GenerationOutcome::Status::Refused:
        printError(redactSecrets(QStringLiteral("the model refused: %1").arg(outcome.refusal)));
        return ExitFailed;
    case GenerationOutcome::Status::Failed:
        break;
    }
    QString line = QStringLiteral("request to %1 failed (%2")
                       .arg(options.baseUrl.toString(), errorClassName(outcome.errorClass));
    if (outcome.httpStatus > 0)
        line += QStringLiteral(", HTTP %1").arg(outcome.httpStatus);
    line += QStringLiteral("): ") + message;
    if (const QString advice = adviceFor(outcome.errorClass, options); !advice.isEmpty())
        line += QStringLiteral("; ") + advice;
    printError(redactSecrets(line));
    return ExitFailed;
}

} // namespace sluice::cli
