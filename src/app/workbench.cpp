#include "app/workbench.h"

#include "app/promptvariables.h"
#include "core/cost.h"
#include "core/redaction.h"
#include "engine/llmservice.h"
#include "engine/secrets/keychainsecretstore.h"
#include "providers/endpointpolicy.h"
#include "providers/providerregistry.h"
#include "sim/simserver.h"

#include <QPointer>
#include <QSettings>
#include <QStandardPaths>

namespace sluice {

namespace {

constexpr auto kDefaultProvider = "openai-responses";
constexpr auto kSimulatorDefaultModel = "sim-small";

const ProviderInfo *findProvider(QStringView id)
{
    for (const ProviderInfo &info : availableProviders()) {
        if (info.id == id)
            return &info;
    }
    return nullptr;
}

bool isAnthropic(QStringView providerId)
{
    return providerId == u"anthropic";
}

/// The keychain slot's provider name, shared with `sluice-cli keys --provider`.
QString slotProvider(QStringView providerId)
{
    return isAnthropic(providerId) ? QStringLiteral("anthropic") : QStringLiteral("openai");
}

const char *keyVariable(QStringView providerId)
{
    return isAnthropic(providerId) ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
}

QString vendorDefaultModel(QStringView providerId)
{
    return isAnthropic(providerId) ? QStringLiteral("claude-haiku-4-5")
                                   : QStringLiteral("gpt-5-mini");
}

/// One line for a failed request: what happened and what to do about it.
QString failureAdvice(ErrorClass errorClass, const QString &message)
{
    const QString what = QStringLiteral("%1 (%2)").arg(message, errorClassName(errorClass));
    switch (errorClass) {
    case ErrorClass::Auth:
        return Workbench::tr("The key was refused: %1. Check the key in Settings.").arg(what);
    case ErrorClass::NotFound:
        return Workbench::tr("Not found: %1. Check the model name and the base URL.").arg(what);
    case ErrorClass::Network:
    case ErrorClass::Tls:
        return Workbench::tr("Could not reach the endpoint: %1. Check the base URL in Settings "
                             "and your connection.")
            .arg(what);
    case ErrorClass::Timeout:
        return Workbench::tr("No answer in time: %1. Try again, or a smaller prompt.").arg(what);
    case ErrorClass::RateLimited:
    case ErrorClass::Overloaded:
    case ErrorClass::Server:
        return Workbench::tr("The provider is busy: %1. Wait a moment and run again.").arg(what);
    case ErrorClass::QuotaExhausted:
        return Workbench::tr("The account is out of quota: %1. Check billing with the provider.")
            .arg(what);
    case ErrorClass::BadRequest:
        return Workbench::tr("The provider rejected the request: %1. Check the parameters "
                             "(some models take no temperature).")
            .arg(what);
    default:
        return Workbench::tr("The request failed: %1").arg(what);
    }
}

constexpr auto kCaBundleKey = "tls/caBundle";

QString countCertificates(qsizetype count)
{
    return count == 1 ? Workbench::tr("1 CA certificate")
                      : Workbench::tr("%1 CA certificates").arg(count);
}

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty()
        && (url.scheme() == u"http" || url.scheme() == u"https");
}

} // namespace

RateLimits GateLimits::rateLimits() const
{
    RateLimits limits;
    limits.window = std::chrono::seconds(windowSeconds);
    if (requestsPerMinute > 0)
        limits.requestsPerMinute = requestsPerMinute;
    if (tokensPerMinute > 0)
        limits.tokensPerMinute = tokensPerMinute;
    return limits;
}

Workbench::Workbench(QObject *parent)
    : QObject(parent)
    , m_secrets(new KeychainSecretStore(this))
    , m_variables(new PromptVariables(this))
    , m_prices(new PriceTable(this))
    , m_schema(new SchemaLab(this))
{
    connect(this, &Workbench::endpointChanged, m_schema,
        [this] { m_schema->setProviderId(m_providerId); });
    connect(this, &Workbench::resultChanged, m_schema, [this] { m_schema->setAnswer(m_answer); });
    connect(m_prices, &PriceTable::bookChanged, this, [this] {
        m_service->setPriceBook(m_prices->book());
        Q_EMIT endpointChanged(); // the model suggestions come from the table
    });
    connect(m_variables, &PromptVariables::valuesEdited, this, &Workbench::saveInputs);
    connect(this, &Workbench::resultChanged, this, &Workbench::answerStreamed);
    QSettings settings;
    m_providerId = settings.value(QStringLiteral("endpoint/provider")).toString();
    if (!findProvider(m_providerId))
        m_providerId = QString::fromLatin1(kDefaultProvider);
    m_baseUrl = QUrl(settings.value(QStringLiteral("endpoint/baseUrl")).toString());
    if (!m_baseUrl.isEmpty() && !isHttpUrl(m_baseUrl))
        m_baseUrl.clear();
    m_model = settings.value(QStringLiteral("compose/model")).toString();
    restoreInputs(settings);
    GateLimits limits;
    limits.requestsPerMinute = settings.value(QStringLiteral("limits/rpm"), 0).toInt();
    limits.tokensPerMinute = settings.value(QStringLiteral("limits/tpm"), 0).toInt();
    limits.windowSeconds = settings.value(QStringLiteral("limits/windowSeconds"), 60).toInt();
    limits.maxConcurrent = settings.value(QStringLiteral("limits/maxConcurrent"), 16).toInt();
    if (limits.requestsPerMinute >= 0 && limits.tokensPerMinute >= 0 && limits.windowSeconds >= 1
        && limits.maxConcurrent >= 1)
        m_limits = limits;
    restoreCaBundle(settings);
    connectEndpoint();
}

Workbench::~Workbench()
{
    // QtKeychain crashes when a job is deleted before libsecret answers: the
    // store (and its jobs) outlive this object until the last answer.
    if (*m_secretCalls > 0)
        m_secrets->setParent(nullptr);
}

SecretStore::Callback Workbench::guarded(SecretStore::Callback done)
{
    ++*m_secretCalls;
    return [self = QPointer<Workbench>(this), calls = m_secretCalls, store = m_secrets,
               done = std::move(done)](const SecretResult &result) {
        --*calls;
        if (self)
            done(result);
        else if (*calls == 0)
            store->deleteLater();
    };
}

void Workbench::restoreInputs(const QSettings &settings)
{
    if (!settings.contains(QStringLiteral("compose/prompt"))) {
        loadSample();
        return;
    }
    QHash<QString, QString> values;
    const QVariantMap saved = settings.value(QStringLiteral("compose/variables")).toMap();
    for (auto it = saved.cbegin(); it != saved.cend(); ++it)
        values.insert(it.key(), it.value().toString());
    m_variables->setAllValues(values);
    m_instructions = settings.value(QStringLiteral("compose/instructions")).toString();
    m_prompt = settings.value(QStringLiteral("compose/prompt")).toString();
    m_variables->setTemplates(m_instructions, m_prompt);
    m_temperature = settings.value(QStringLiteral("compose/temperature"), -1.0).toDouble();
    m_maxOutputTokens = settings.value(QStringLiteral("compose/maxOutputTokens"), 0).toInt();
    m_stream = settings.value(QStringLiteral("compose/stream"), true).toBool();
    m_useSchema = settings.value(QStringLiteral("compose/useSchema"), true).toBool();
}

QString Workbench::runStorePath() const
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/runs/runs.sqlite");
}

QVariantList Workbench::providers() const
{
    QVariantList list;
    for (const ProviderInfo &info : availableProviders()) {
        list.append(QVariantMap {
            {QStringLiteral("id"), info.id},
            {QStringLiteral("name"), info.displayName},
            {QStringLiteral("defaultBaseUrl"), info.defaultBaseUrl.toString()},
            {QStringLiteral("streaming"), info.capabilities.streaming},
            {QStringLiteral("strict"), info.capabilities.strictStructuredOutput},
        });
    }
    return list;
}

int Workbench::providerIndex() const
{
    const QList<ProviderInfo> &all = availableProviders();
    for (qsizetype i = 0; i < all.size(); ++i) {
        if (all.at(i).id == m_providerId)
            return int(i);
    }
    return -1;
}

bool Workbench::supportsStreaming() const
{
    return m_service && m_service->provider().capabilities().streaming;
}

QUrl Workbench::targetUrl() const
{
    if (!m_baseUrl.isEmpty())
        return m_baseUrl;
    const ProviderInfo *info = findProvider(m_providerId);
    return info ? info->defaultBaseUrl : QUrl();
}

bool Workbench::configureEndpoint(const QString &providerId, const QString &baseUrl)
{
    if (!findProvider(providerId)) {
        setKeyStatus(tr("Unknown provider '%1': pick one from the list.").arg(providerId));
        return false;
    }
    const QUrl url(baseUrl.trimmed());
    if (!baseUrl.trimmed().isEmpty() && !isHttpUrl(url)) {
        setKeyStatus(tr("'%1' is not an http(s) URL: enter one such as "
                        "http://localhost:11434/v1, or leave it empty for the vendor's endpoint.")
                         .arg(baseUrl));
        return false;
    }
    const bool vendorChanged = isAnthropic(providerId) != isAnthropic(m_providerId);
    m_providerId = providerId;
    m_baseUrl = url;
    QSettings settings;
    settings.setValue(QStringLiteral("endpoint/provider"), m_providerId);
    settings.setValue(QStringLiteral("endpoint/baseUrl"), m_baseUrl.toString());
    if (vendorChanged && !m_model.isEmpty() && m_model != QLatin1StringView(kSimulatorDefaultModel))
        setModel(vendorDefaultModel(m_providerId));
    setKeyStatus({});
    connectEndpoint();
    return true;
}

void Workbench::connectEndpoint()
{
    const quint64 lookup = ++m_lookup;
    const QUrl target = targetUrl();
    const char *variable = keyVariable(m_providerId);
    const QByteArray envKey = qgetenv(variable);
    if (!envKey.isEmpty()) {
        setKeyStatus(tr("Using the key in %1.").arg(QString::fromLatin1(variable)));
        useEndpoint(target, envKey);
        return;
    }
    // Until the keychain answers: the simulator stands in for a vendor's
    // endpoint; a server of the user's own is tried without a key.
    if (m_baseUrl.isEmpty()) {
        startSimulator();
        useEndpoint(m_simulator->baseUrl(), {});
    } else {
        useEndpoint(target, {});
    }
    m_secrets->read(SecretSlot::forEndpoint(slotProvider(m_providerId), target),
        guarded([this, lookup, target](const SecretResult &result) {
            if (lookup != m_lookup)
                return;
            if (result.ok()) {
                setKeyStatus(
                    tr("Using the key saved in the system keychain for %1.").arg(target.host()));
                useEndpoint(target, result.secret);
            } else if (result.error != SecretError::NotFound) {
                setKeyStatus(
                    tr("The system keychain could not be read (%1): %2.")
                        .arg(secretErrorName(result.error), secretErrorAdvice(result.error)));
            }
        }));
}

void Workbench::startSimulator()
{
    if (m_simulator)
        return;
    m_simulator = new sim::SimServer({}, this);
    if (!m_simulator->listen()) {
        m_setupError
            = tr("The built-in simulator could not start (%1): close other copies of Sluice "
                 "or free a local port, then restart.")
                  .arg(m_simulator->errorString());
        Q_EMIT setupErrorChanged();
    }
    if (m_model.isEmpty())
        m_model = QString::fromLatin1(kSimulatorDefaultModel);
}

void Workbench::useEndpoint(const QUrl &endpoint, const QByteArray &apiKey)
{
    registerSecret(apiKey);
    if (m_running) {
        m_pendingEndpoint = endpoint;
        m_pendingKey = apiKey;
        return;
    }
    m_pendingEndpoint.reset();
    m_pendingKey.clear();
    const bool changed
        = m_endpoint != endpoint || !m_service || m_service->provider().id() != m_providerId;
    m_endpoint = endpoint;
    m_apiKey = apiKey;
    if (m_simulator && endpoint != m_simulator->baseUrl()) {
        m_simulator->deleteLater();
        m_simulator = nullptr;
        if (m_model == QLatin1StringView(kSimulatorDefaultModel))
            setModel(vendorDefaultModel(m_providerId));
    }
    if (m_model.isEmpty())
        setModel(vendorDefaultModel(m_providerId));
    rebuildService();
    if (changed)
        Q_EMIT endpointChanged();
}

void Workbench::rebuildService()
{
    if (m_service)
        m_service->deleteLater();
    LlmServiceConfig config;
    config.rateLimits = m_limits.rateLimits();
    config.maxConcurrent = m_limits.maxConcurrent;
    m_service = new LlmService(createProvider(m_providerId, m_endpoint, m_apiKey),
        SteadyClock::instance(), m_timers, config, {}, this);
    m_service->setPriceBook(m_prices->book());
    Q_EMIT serviceChanged();
}

bool Workbench::setLimits(
    int requestsPerMinute, int tokensPerMinute, int windowSeconds, int maxConcurrent)
{
    if (requestsPerMinute < 0 || tokensPerMinute < 0 || windowSeconds < 1 || maxConcurrent < 1)
        return false;
    const GateLimits limits {requestsPerMinute, tokensPerMinute, windowSeconds, maxConcurrent};
    if (limits == m_limits)
        return true;
    // The concurrency gate is fixed for a service's life: a new limit makes a new service.
    const bool concurrencyChanged = limits.maxConcurrent != m_limits.maxConcurrent;
    m_limits = limits;
    QSettings settings;
    settings.setValue(QStringLiteral("limits/rpm"), requestsPerMinute);
    settings.setValue(QStringLiteral("limits/tpm"), tokensPerMinute);
    settings.setValue(QStringLiteral("limits/windowSeconds"), windowSeconds);
    settings.setValue(QStringLiteral("limits/maxConcurrent"), maxConcurrent);
    Q_EMIT limitsChanged();
    if (concurrencyChanged)
        renewService();
    else
        m_service->setRateLimits(m_limits.rateLimits());
    return true;
}

void Workbench::renewService()
{
    if (m_running) {
        m_pendingEndpoint = m_endpoint;
        m_pendingKey = m_apiKey;
    } else {
        rebuildService();
    }
}

QString Workbench::setupError() const
{
    if (m_setupError.isEmpty() || m_caBundleStartWarning.isEmpty())
        return m_setupError + m_caBundleStartWarning;
    return m_setupError + u'\n' + m_caBundleStartWarning;
}

void Workbench::restoreCaBundle(const QSettings &settings)
{
    m_caBundlePath = settings.value(QLatin1StringView(kCaBundleKey)).toString();
    if (m_caBundlePath.isEmpty())
        return;
    const CaBundle bundle = loadCaBundle(m_caBundlePath);
    if (!bundle.error.isEmpty()) {
        m_caBundleStartWarning
            = tr("The CA bundle set in Settings was not loaded: %1. HTTPS through a proxy it "
                 "vouches for will fail: pick the file again under Settings, CA certificates, "
                 "or clear it there.")
                  .arg(bundle.error);
        m_caBundleStatus = m_caBundleStartWarning;
        m_caBundleProblem = true;
        return;
    }
    trustAdditionalCaCertificates(bundle.certificates);
    m_caCertificatesAdded += bundle.certificates.size();
    m_caBundleStatus = tr("%1 from this file trusted, in addition to the system's CAs.")
                           .arg(countCertificates(bundle.certificates.size()));
}

void Workbench::setCaBundleState(const QString &path, const QString &status, bool problem)
{
    m_caBundlePath = path;
    m_caBundleStatus = status;
    m_caBundleProblem = problem;
    Q_EMIT caBundleChanged();
    // A bundle that loads, or none, ends the warning of one missing at start.
    if (!problem && !m_caBundleStartWarning.isEmpty()) {
        m_caBundleStartWarning.clear();
        Q_EMIT setupErrorChanged();
    }
}

bool Workbench::setCaBundle(const QUrl &file)
{
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    const CaBundle bundle = loadCaBundle(path);
    if (!bundle.error.isEmpty()) {
        setCaBundleState(m_caBundlePath,
            tr("Not used: %1. Choose a PEM file of CA certificates (text starting with "
               "-----BEGIN CERTIFICATE-----), such as your proxy's root from your IT department.")
                .arg(bundle.error),
            true);
        return false;
    }
    trustAdditionalCaCertificates(bundle.certificates);
    m_caCertificatesAdded += bundle.certificates.size();
    QSettings().setValue(QLatin1StringView(kCaBundleKey), path);
    renewService(); // the old one's connections keep the trust they started with
    setCaBundleState(path,
        tr("Added %1: trusted for every HTTPS request from now on, and again at each start.")
            .arg(countCertificates(bundle.certificates.size())),
        false);
    return true;
}

void Workbench::clearCaBundle()
{
    QSettings().remove(QLatin1StringView(kCaBundleKey));
    setCaBundleState({},
        m_caCertificatesAdded > 0
            ? tr("Cleared. The certificates already added stay trusted until Sluice restarts; "
                 "from the next start only the system's CAs are.")
            : tr("Cleared: only the system's CAs are trusted."),
        false);
}

void Workbench::setKeyStatus(const QString &status)
{
    if (m_keyStatus == status)
        return;
    m_keyStatus = status;
    Q_EMIT keyStatusChanged();
}

void Workbench::saveApiKey(const QString &key)
{
    const QByteArray secret = key.trimmed().toUtf8();
    if (secret.isEmpty()) {
        setKeyStatus(tr("Paste a key first."));
        return;
    }
    registerSecret(secret);
    const QUrl target = targetUrl();
    const quint64 lookup = ++m_lookup;
    m_secrets->write(SecretSlot::forEndpoint(slotProvider(m_providerId), target), secret,
        guarded([this, secret, target, lookup](const SecretResult &result) {
            if (!result.ok()) {
                setKeyStatus(
                    tr("The key was not saved (%1): %2.")
                        .arg(secretErrorName(result.error), secretErrorAdvice(result.error)));
                return;
            }
            setKeyStatus(tr("Key saved in the system keychain for %1.").arg(target.host()));
            if (lookup == m_lookup)
                useEndpoint(target, secret);
        }));
}

void Workbench::removeApiKey()
{
    const QUrl target = targetUrl();
    const quint64 lookup = ++m_lookup;
    m_secrets->remove(SecretSlot::forEndpoint(slotProvider(m_providerId), target),
        guarded([this, target, lookup](const SecretResult &result) {
            if (!result.ok()) {
                setKeyStatus(
                    tr("The key was not removed (%1): %2.")
                        .arg(secretErrorName(result.error), secretErrorAdvice(result.error)));
                return;
            }
            setKeyStatus(tr("No key saved for %1 any more.").arg(target.host()));
            if (lookup == m_lookup)
                connectEndpoint();
        }));
}

void Workbench::setModel(const QString &model)
{
    if (m_model == model)
        return;
    m_model = model;
    QSettings().setValue(QStringLiteral("compose/model"), model);
    Q_EMIT modelChanged();
}

QStringList Workbench::modelSuggestions() const
{
    if (m_simulator)
        return {QStringLiteral("sim-small"), QStringLiteral("sim-large")};
    QStringList models;
    const PriceBook *book = m_service ? m_service->priceBook() : nullptr;
    if (!book)
        return models;
    for (const QString &model : book->models()) {
        if (!model.startsWith(u"sim-") && m_service->provider().supportsModel(model))
            models.append(model);
    }
    return models;
}

void Workbench::setInstructions(const QString &instructions)
{
    if (m_instructions == instructions)
        return;
    m_instructions = instructions;
    m_variables->setTemplates(m_instructions, m_prompt);
    saveInputs();
    Q_EMIT inputsChanged();
}

void Workbench::setPrompt(const QString &prompt)
{
    if (m_prompt == prompt)
        return;
    m_prompt = prompt;
    m_variables->setTemplates(m_instructions, m_prompt);
    saveInputs();
    Q_EMIT inputsChanged();
}

void Workbench::setTemperature(double temperature)
{
    if (temperature < 0)
        temperature = -1.0;
    if (qFuzzyCompare(m_temperature, temperature))
        return;
    m_temperature = temperature;
    saveInputs();
    Q_EMIT inputsChanged();
}

void Workbench::setMaxOutputTokens(int tokens)
{
    tokens = qMax(0, tokens);
    if (m_maxOutputTokens == tokens)
        return;
    m_maxOutputTokens = tokens;
    saveInputs();
    Q_EMIT inputsChanged();
}

void Workbench::setStream(bool stream)
{
    if (m_stream == stream)
        return;
    m_stream = stream;
    saveInputs();
    Q_EMIT inputsChanged();
}

void Workbench::setUseSchema(bool use)
{
    if (m_useSchema == use)
        return;
    m_useSchema = use;
    saveInputs();
    Q_EMIT inputsChanged();
}

void Workbench::saveInputs()
{
    QSettings settings;
    settings.setValue(QStringLiteral("compose/instructions"), m_instructions);
    settings.setValue(QStringLiteral("compose/prompt"), m_prompt);
    settings.setValue(QStringLiteral("compose/temperature"), m_temperature);
    settings.setValue(QStringLiteral("compose/maxOutputTokens"), m_maxOutputTokens);
    settings.setValue(QStringLiteral("compose/stream"), m_stream);
    settings.setValue(QStringLiteral("compose/useSchema"), m_useSchema);
    QVariantMap values;
    const QHash<QString, QString> &all = m_variables->allValues();
    for (auto it = all.cbegin(); it != all.cend(); ++it)
        values.insert(it.key(), it.value());
    settings.setValue(QStringLiteral("compose/variables"), values);
}

void Workbench::loadSample()
{
    m_variables->setValue(QStringLiteral("product"), QStringLiteral("Aurora desk lamp"));
    m_variables->setValue(QStringLiteral("review"),
        QStringLiteral("Bright, warm light and the dimmer is smooth. The clamp scratched my desk "
                       "a little, but for the price I would buy it again."));
    setInstructions(QStringLiteral("You read customer reviews and answer with a short, "
                                   "neutral summary."));
    setPrompt(QStringLiteral("Summarise this review of {{product}} in one sentence and rate it "
                             "from 1 to 5:\n\n{{review}}"));
}

void Workbench::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    Q_EMIT runningChanged();
}

void Workbench::run()
{
    if (m_running)
        return;
    QString problem;
    if (m_model.trimmed().isEmpty())
        problem = tr("Enter a model name, then run.");
    else if (m_prompt.trimmed().isEmpty())
        problem = tr("Write a prompt, then run.");
    else if (!m_variables->error().isEmpty())
        problem = tr("Fix the template first: %1").arg(m_variables->error());
    else if (m_useSchema && !m_schema->valid())
        problem = tr("The schema has a problem (%1): fix it on the Schema page (Ctrl+2), or "
                     "turn off Answer with the schema.")
                      .arg(m_schema->error());
    if (!problem.isEmpty()) {
        m_errorMessage = problem;
        Q_EMIT resultChanged();
        return;
    }

    LlmRequest request;
    request.model = m_model.trimmed();
    request.instructionsTemplate = m_instructions;
    request.promptTemplate = m_prompt;
    request.variables = m_variables->values();
    if (m_temperature >= 0)
        request.temperature = m_temperature;
    if (m_maxOutputTokens > 0)
        request.maxOutputTokens = m_maxOutputTokens;
    request.operation = QStringLiteral("compose");
    request.maxAttempts = 2;

    request.stream = m_stream;
    if (m_useSchema)
        request.outputSchema = m_schema->schema();

    m_answer.clear();
    m_errorMessage.clear();
    m_ttftMs = -1.0;
    m_hasResult = false;
    Q_EMIT resultChanged();
    setRunning(true);
    m_streamAttempt = -1;
    m_runHandle = m_service->submit(
        request, [this](const GenerationResult &result) { showResult(result); },
        [this](int attempt, const QString &delta) {
            // A new attempt voids what the broken one streamed (LlmService::DeltaCallback).
            if (attempt != m_streamAttempt) {
                m_streamAttempt = attempt;
                m_answer.clear();
            }
            m_answer += delta;
            Q_EMIT answerStreamed();
        });
}

void Workbench::stop()
{
    if (m_running)
        m_service->cancel(m_runHandle);
}

void Workbench::showResult(const GenerationResult &result)
{
    m_runHandle = {};
    const GenerationOutcome &outcome = result.outcome;
    m_hasResult = true;
    if (result.status == GenerationResult::Status::Refused)
        m_answer = outcome.refusal;
    else if (result.status != GenerationResult::Status::Cancelled)
        m_answer = result.text; // a stopped stream keeps what it showed
    m_latencyMs = result.latencyMs;
    m_ttftMs = result.ttftMs.value_or(-1.0);
    m_inputTokens = result.usage.input;
    m_outputTokens = result.usage.output;
    m_requestId = result.requestId;
    if (result.cost.known())
        m_costText = formatMoney(*result.cost.pico, result.cost.currency);
    else
        m_costText = tr("cost unknown (%1)").arg(result.cost.unknownReason);

    switch (result.status) {
    case GenerationResult::Status::Ok:
        m_errorMessage.clear();
        break;
    case GenerationResult::Status::InvalidOutput:
        m_errorMessage = tr("The answer does not match the schema: %1")
                             .arg(result.validationErrors.join(QStringLiteral("; ")));
        break;
    case GenerationResult::Status::Refused:
        m_errorMessage = tr("The model refused to answer; rephrase the prompt.");
        break;
    case GenerationResult::Status::Incomplete:
        m_errorMessage = outcome.incompleteReason == u"max_output_tokens"
            ? tr("The answer stopped at the output token limit: raise Max output tokens and run "
                 "again.")
            : tr("The answer stopped early (%1).").arg(outcome.incompleteReason);
        break;
    case GenerationResult::Status::BudgetExceeded:
        m_errorMessage = tr("Not sent: the estimate does not fit under the budget.");
        break;
    case GenerationResult::Status::Cancelled:
        m_errorMessage = tr("Stopped: the answer so far is kept. Run again with Ctrl+Enter.");
        break;
    case GenerationResult::Status::Failed:
        m_errorMessage = redactSecrets(failureAdvice(result.errorClass, result.errorMessage));
        break;
    }
    setRunning(false);
    Q_EMIT resultChanged();
    if (m_pendingEndpoint)
        useEndpoint(*m_pendingEndpoint, m_pendingKey);
}

} // namespace sluice
