#pragma once

#include "app/pricetable.h"
#include "app/promptvariables.h"
#include "app/schemalab.h"
#include "core/rategate.h"
#include "core/timer.h"
#include "engine/llmservice.h"
#include "engine/secrets/secretstore.h"

#include <QObject>
#include <QQmlEngine>
#include <QSettings>
#include <QStringList>
#include <QUrl>
#include <QVariantList>
#include <QVariantMap>

#include <memory>
#include <optional>

namespace sluice {

struct GenerationResult;
namespace sim {
class SimServer;
}

/// The gate limits the user sets in Settings; 0 means "no local limit" (the
/// server's hints still apply).
struct GateLimits
{
    int requestsPerMinute = 0;
    int tokensPerMinute = 0;
    int windowSeconds = 60;
    int maxConcurrent = 16;

    [[nodiscard]] RateLimits rateLimits() const;
    friend bool operator==(const GateLimits &, const GateLimits &) = default;
};

/// The session every page shares (QML singleton `Workbench`): which provider
/// dialect at which endpoint, the LlmService that talks to it, the gate
/// limits, and the Compose page's one prompt to one model with its answer.
///
/// With no API key for the vendor's endpoint it starts the embedded simulator
/// in-process (in the chosen dialect) and says so (`usingSimulator`). A key
/// comes from the provider's environment variable (OPENAI_API_KEY,
/// ANTHROPIC_API_KEY) or else the system keychain, slot "openai" or
/// "anthropic" at the endpoint's host; a custom base URL (a local server)
/// is used as it is, with a key only if one is saved for its host.
///
/// The service is replaced (serviceChanged) whenever the provider, the
/// endpoint, the key or the concurrency limit changes; a run in flight
/// finishes on the old one first. Choices are kept in QSettings.
///
/// A CA bundle (a corporate proxy's root, as `sluice-cli run --ca-bundle`)
/// is trusted for every HTTPS request of the process, in addition to the
/// system's CAs, and again at each start; one that cannot be loaded at start
/// is a setupError (the banner area), never skipped silently.
class Workbench : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    // Session
    Q_PROPERTY(QVariantList providers READ providers CONSTANT)
    Q_PROPERTY(QString providerId READ providerId NOTIFY endpointChanged)
    Q_PROPERTY(int providerIndex READ providerIndex NOTIFY endpointChanged)
    Q_PROPERTY(QString baseUrl READ baseUrlText NOTIFY endpointChanged)
    Q_PROPERTY(QString endpoint READ endpointText NOTIFY endpointChanged)
    Q_PROPERTY(bool usingSimulator READ usingSimulator NOTIFY endpointChanged)
    Q_PROPERTY(bool supportsStreaming READ supportsStreaming NOTIFY endpointChanged)
    Q_PROPERTY(QString keyStatus READ keyStatus NOTIFY keyStatusChanged)
    Q_PROPERTY(QString keyHost READ keyHost NOTIFY endpointChanged)
    Q_PROPERTY(QString setupError READ setupError NOTIFY setupErrorChanged)
    Q_PROPERTY(int requestsPerMinute READ requestsPerMinute NOTIFY limitsChanged)
    Q_PROPERTY(int tokensPerMinute READ tokensPerMinute NOTIFY limitsChanged)
    Q_PROPERTY(int windowSeconds READ windowSeconds NOTIFY limitsChanged)
    Q_PROPERTY(int maxConcurrent READ maxConcurrent NOTIFY limitsChanged)
    Q_PROPERTY(sluice::PriceTable *prices READ prices CONSTANT)
    Q_PROPERTY(QString sampleDataset READ sampleDataset CONSTANT)
    Q_PROPERTY(QString caBundlePath READ caBundlePath NOTIFY caBundleChanged)
    Q_PROPERTY(QString caBundleStatus READ caBundleStatus NOTIFY caBundleChanged)
    Q_PROPERTY(bool caBundleProblem READ caBundleProblem NOTIFY caBundleChanged)

    // Compose
    Q_PROPERTY(QString model READ model WRITE setModel NOTIFY modelChanged)
    Q_PROPERTY(QStringList modelSuggestions READ modelSuggestions NOTIFY endpointChanged)
    Q_PROPERTY(QString instructions READ instructions WRITE setInstructions NOTIFY inputsChanged)
    Q_PROPERTY(QString prompt READ prompt WRITE setPrompt NOTIFY inputsChanged)
    Q_PROPERTY(sluice::PromptVariables *variables READ variables CONSTANT)
    Q_PROPERTY(double temperature READ temperature WRITE setTemperature NOTIFY inputsChanged)
    Q_PROPERTY(
        int maxOutputTokens READ maxOutputTokens WRITE setMaxOutputTokens NOTIFY inputsChanged)
    Q_PROPERTY(bool stream READ stream WRITE setStream NOTIFY inputsChanged)
    Q_PROPERTY(sluice::SchemaLab *schema READ schema CONSTANT)
    Q_PROPERTY(bool useSchema READ useSchema WRITE setUseSchema NOTIFY inputsChanged)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(QString answer READ answer NOTIFY answerStreamed)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY resultChanged)
    Q_PROPERTY(double latencyMs READ latencyMs NOTIFY resultChanged)
    Q_PROPERTY(double ttftMs READ ttftMs NOTIFY resultChanged)
    Q_PROPERTY(QString costText READ costText NOTIFY resultChanged)
    Q_PROPERTY(int inputTokens READ inputTokens NOTIFY resultChanged)
    Q_PROPERTY(int outputTokens READ outputTokens NOTIFY resultChanged)
    Q_PROPERTY(QString requestId READ requestId NOTIFY resultChanged)
    Q_PROPERTY(bool hasResult READ hasResult NOTIFY resultChanged)

public:
    explicit Workbench(QObject *parent = nullptr);
    ~Workbench() override;

    // --- Session, for the pages' controllers (C++) ---

    /// The service every request goes through; replaced on serviceChanged()
    /// (never null after construction).
    [[nodiscard]] LlmService *service() const { return m_service; }
    /// The embedded simulator while it is in use, else nullptr.
    [[nodiscard]] sim::SimServer *simulator() const { return m_simulator; }
    /// `openai-responses`, `openai-chat` or `anthropic` (providerregistry.h).
    [[nodiscard]] QString providerId() const { return m_providerId; }
    /// The base URL requests go to (the simulator's while it is in use).
    [[nodiscard]] QUrl endpoint() const { return m_endpoint; }
    /// The run store the CLI also uses by default:
    /// <AppDataLocation>/runs/runs.sqlite.
    [[nodiscard]] QString runStorePath() const;
    [[nodiscard]] const GateLimits &limits() const { return m_limits; }
    /// The first-run dataset for the sample prompt (columns id, product,
    /// review; 200 rows): ":/sluice/samples/reviews.csv".
    [[nodiscard]] static QString sampleDataset()
    {
        return QStringLiteral(":/sluice/samples/reviews.csv");
    }
    /// The price table costs are computed with (every service gets it).
    [[nodiscard]] PriceTable *prices() const { return m_prices; }

    // --- Session, for QML ---

    /// Every dialect: {id, name, defaultBaseUrl, streaming, strict}.
    [[nodiscard]] QVariantList providers() const;
    /// The position of providerId in `providers` (for the pickers).
    [[nodiscard]] int providerIndex() const;
    /// The configured base URL; empty means the vendor's own endpoint.
    [[nodiscard]] QString baseUrlText() const { return m_baseUrl.toString(); }
    [[nodiscard]] QString endpointText() const { return m_endpoint.toString(); }
    [[nodiscard]] bool usingSimulator() const { return m_simulator != nullptr; }
    [[nodiscard]] bool supportsStreaming() const;
    /// Why the session cannot work as configured (the simulator could not
    /// start, the CA bundle was not loaded at start) and what to do; empty
    /// when all is well.
    [[nodiscard]] QString setupError() const;
    /// Where the key came from, or why the keychain could not be used and
    /// what to do (empty while nothing is known yet). Never the key.
    [[nodiscard]] QString keyStatus() const { return m_keyStatus; }
    /// The host a saved key belongs to (the vendor's while the simulator stands in).
    [[nodiscard]] QString keyHost() const { return targetUrl().host(); }
    [[nodiscard]] int requestsPerMinute() const { return m_limits.requestsPerMinute; }
    [[nodiscard]] int tokensPerMinute() const { return m_limits.tokensPerMinute; }
    [[nodiscard]] int windowSeconds() const { return m_limits.windowSeconds; }
    [[nodiscard]] int maxConcurrent() const { return m_limits.maxConcurrent; }
    /// The CA bundle file in use and kept for the next starts (empty: none).
    [[nodiscard]] QString caBundlePath() const { return m_caBundlePath; }
    /// What happened to the CA bundle, in words: how many certificates were
    /// added, or why a file was not used and what to do (empty: nothing yet).
    [[nodiscard]] QString caBundleStatus() const { return m_caBundleStatus; }
    /// True while caBundleStatus reports a problem.
    [[nodiscard]] bool caBundleProblem() const { return m_caBundleProblem; }

    /// Uses dialect `providerId` at `baseUrl` (empty: the vendor's endpoint),
    /// looking up its key again. An unknown id or a URL that is not http(s)
    /// is refused with a keyStatus saying so.
    Q_INVOKABLE bool configureEndpoint(const QString &providerId, const QString &baseUrl);
    /// Saves `key` in the system keychain for the current provider and host
    /// (the vendor's host while the simulator stands in) and, once saved,
    /// sends the next runs there. keyStatus reports the outcome.
    Q_INVOKABLE void saveApiKey(const QString &key);
    /// Removes the saved key of the current provider and host; the next runs
    /// go to the simulator when the endpoint is the vendor's.
    Q_INVOKABLE void removeApiKey();
    /// Sets the gates: requests and tokens per window (0 = no local limit),
    /// the window in seconds (>= 1) and the requests in flight (>= 1).
    /// False (and keyStatus unchanged) when a value is out of range.
    Q_INVOKABLE bool setLimits(
        int requestsPerMinute, int tokensPerMinute, int windowSeconds, int maxConcurrent);
    /// Trusts the CA certificates of the PEM file `file` (a file URL or a
    /// path) for every HTTPS request from now on and keeps it for the next
    /// starts. False, with caBundleStatus saying why, when the file is
    /// unreadable or holds no certificate; the bundle in use stays.
    Q_INVOKABLE bool setCaBundle(const QUrl &file);
    /// Forgets the CA bundle from the next start on. Qt's process-wide trust
    /// only grows (trustAdditionalCaCertificates), so certificates already
    /// added stay trusted until Sluice restarts; caBundleStatus says so.
    Q_INVOKABLE void clearCaBundle();

    // --- Compose ---

    [[nodiscard]] QString model() const { return m_model; }
    void setModel(const QString &model);
    /// Models of the price table this provider can serve at this endpoint
    /// (the simulator's own names while it stands in).
    [[nodiscard]] QStringList modelSuggestions() const;
    [[nodiscard]] QString instructions() const { return m_instructions; }
    void setInstructions(const QString &instructions);
    [[nodiscard]] QString prompt() const { return m_prompt; }
    void setPrompt(const QString &prompt);
    /// The `{{variables}}` of the instructions and the prompt, with their values.
    [[nodiscard]] PromptVariables *variables() const { return m_variables; }
    /// Negative: the provider's default (not sent).
    [[nodiscard]] double temperature() const { return m_temperature; }
    void setTemperature(double temperature);
    /// 0: the provider's default (not sent).
    [[nodiscard]] int maxOutputTokens() const { return m_maxOutputTokens; }
    void setMaxOutputTokens(int tokens);
    /// The Schema page's schema, which sees every answer.
    [[nodiscard]] SchemaLab *schema() const { return m_schema; }
    /// Send the schema with the prompt (structured output); it must be valid to run.
    [[nodiscard]] bool useSchema() const { return m_useSchema; }
    void setUseSchema(bool use);
    /// Ask for a streamed answer: it grows in `answer` as it arrives.
    [[nodiscard]] bool stream() const { return m_stream; }
    void setStream(bool stream);

    [[nodiscard]] bool running() const { return m_running; }
    [[nodiscard]] QString answer() const { return m_answer; }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }
    [[nodiscard]] double latencyMs() const { return m_latencyMs; }
    /// Time to the first token of a streamed answer; negative when unknown.
    [[nodiscard]] double ttftMs() const { return m_ttftMs; }
    /// "$0.000123", or why the cost is unknown.
    [[nodiscard]] QString costText() const { return m_costText; }
    /// Tokens of the last answer (one request stays far below 2^31).
    [[nodiscard]] int inputTokens() const { return int(m_inputTokens); }
    [[nodiscard]] int outputTokens() const { return int(m_outputTokens); }
    [[nodiscard]] QString requestId() const { return m_requestId; }
    [[nodiscard]] bool hasResult() const { return m_hasResult; }

    /// Sends the instructions and prompt with the variables' values to the
    /// current model; ignored while a run is going. A problem found before
    /// sending (no model, no prompt, a template error) is errorMessage.
    Q_INVOKABLE void run();
    /// Stops the running request (it leaves the gates; an exchange in
    /// flight is aborted and still accounted). errorMessage says so.
    Q_INVOKABLE void stop();
    /// Puts back the first-run sample: a prompt and instructions with
    /// variables and their values.
    Q_INVOKABLE void loadSample();

Q_SIGNALS:
    void modelChanged();
    void endpointChanged();
    /// service() is a new object; the old one is deleted later.
    void serviceChanged();
    void keyStatusChanged();
    void limitsChanged();
    void setupErrorChanged();
    void caBundleChanged();
    void inputsChanged();
    void runningChanged();
    void resultChanged();
    /// `answer` grew (a streamed delta) or was replaced (a result).
    void answerStreamed();

private:
    void setRunning(bool running);
    void showResult(const GenerationResult &result);
    void saveInputs();
    void restoreInputs(const QSettings &settings);
    /// Finds the key for the configured provider and endpoint (environment,
    /// then keychain) and uses the endpoint, or the simulator meanwhile.
    void connectEndpoint();
    void useEndpoint(const QUrl &endpoint, const QByteArray &apiKey);
    void rebuildService();
    /// rebuildService() now, or when the running request ends.
    void renewService();
    void startSimulator();
    void setKeyStatus(const QString &status);
    /// Loads and trusts the bundle kept in QSettings, if any.
    void restoreCaBundle(const QSettings &settings);
    /// Sets what caBundle* report; a state without a problem ends the start warning.
    void setCaBundleState(const QString &path, const QString &status, bool problem);
    [[nodiscard]] QUrl targetUrl() const;
    /// `done`, run only while this object lives; counts the store's pending calls.
    [[nodiscard]] SecretStore::Callback guarded(SecretStore::Callback done);

    QtTimerFactory m_timers;
    sim::SimServer *m_simulator = nullptr;
    LlmService *m_service = nullptr;
    SecretStore *m_secrets = nullptr;
    std::shared_ptr<int> m_secretCalls = std::make_shared<int>(0);
    QString m_providerId;
    QUrl m_baseUrl; ///< configured; empty = the vendor's endpoint
    GateLimits m_limits;
    quint64 m_lookup = 0; ///< ignores keychain answers of an earlier configuration
    QString m_keyStatus;
    std::optional<QUrl> m_pendingEndpoint; ///< switch to it when the running request ends
    QByteArray m_pendingKey;
    QUrl m_endpoint;
    QByteArray m_apiKey;
    QString m_setupError;
    QString m_caBundlePath;
    QString m_caBundleStatus;
    bool m_caBundleProblem = false;
    QString m_caBundleStartWarning; ///< the bundle kept for this start was not loaded
    qsizetype m_caCertificatesAdded = 0;
    QString m_model;
    QString m_instructions;
    QString m_prompt;
    PromptVariables *m_variables = nullptr;
    PriceTable *m_prices = nullptr;
    SchemaLab *m_schema = nullptr;
    bool m_useSchema = true;
    double m_temperature = -1.0;
    int m_maxOutputTokens = 0;
    bool m_stream = true;
    bool m_running = false;
    bool m_hasResult = false;
    QString m_answer;
    QString m_errorMessage;
    double m_latencyMs = 0.0;
    double m_ttftMs = -1.0;
    int m_streamAttempt = -1;
    RequestHandle m_runHandle;
    QString m_costText;
    qint64 m_inputTokens = 0;
    qint64 m_outputTokens = 0;
    QString m_requestId;
};

} // namespace sluice
