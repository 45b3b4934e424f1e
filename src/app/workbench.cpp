#include "app/workbench.h"

#include "core/redaction.h"
#include "engine/llmservice.h"
#include "engine/secrets/keychainsecretstore.h"
#include "providers/openairesponses.h"
#include "sim/simserver.h"

namespace sluice {

namespace {

constexpr auto kOpenAiBaseUrl = "https://api.openai.com/v1";
constexpr auto kOpenAiDefaultModel = "gpt-5-mini";
constexpr auto kSimulatorDefaultModel = "sim-small";
constexpr auto kOpenAiProvider = "openai";

SecretSlot openAiSlot()
{
    return SecretSlot::forEndpoint(
        QString::fromLatin1(kOpenAiProvider), QUrl(QString::fromLatin1(kOpenAiBaseUrl)));
}

} // namespace

Workbench::Workbench(QObject *parent) : QObject(parent), m_secrets(new KeychainSecretStore(this))
{
    const QUrl openAi(QString::fromLatin1(kOpenAiBaseUrl));
    const QByteArray apiKey = qgetenv("OPENAI_API_KEY");
    if (!apiKey.isEmpty()) {
        m_keyStatus = tr("Using the key in OPENAI_API_KEY.");
        useEndpoint(openAi, apiKey);
        return;
    }
    m_simulator = new sim::SimServer({}, this);
    if (!m_simulator->listen()) {
        m_setupError
            = tr("The built-in simulator could not start: %1").arg(m_simulator->errorString());
    }
    m_model = QString::fromLatin1(kSimulatorDefaultModel);
    useEndpoint(m_simulator->baseUrl(), {});

    // A key saved for OpenAI replaces the simulator once the keychain answers.
    m_secrets->read(openAiSlot(), [this, openAi](const SecretResult &result) {
        if (result.ok()) {
            setKeyStatus(tr("Using the key saved in the system keychain."));
            useEndpoint(openAi, result.secret);
        } else if (result.error != SecretError::NotFound) {
            setKeyStatus(tr("The system keychain could not be read (%1): %2.")
                             .arg(secretErrorName(result.error), secretErrorAdvice(result.error)));
        }
    });
}

void Workbench::useEndpoint(const QUrl &endpoint, const QByteArray &apiKey)
{
    registerSecret(apiKey);
    if (m_running) {
        m_pendingEndpoint = endpoint;
        m_pendingKey = apiKey;
        return;
    }
    m_pendingEndpoint.clear();
    m_pendingKey.clear();
    if (m_service)
        m_service->deleteLater();
    m_service = new LlmService(
        std::make_shared<OpenAiResponsesProvider>(endpoint, apiKey), SteadyClock::instance(), this);
    if (m_endpoint == endpoint)
        return;
    m_endpoint = endpoint;
    if (m_simulator && endpoint != m_simulator->baseUrl()) {
        m_simulator->deleteLater();
        m_simulator = nullptr;
        if (m_model == QLatin1StringView(kSimulatorDefaultModel))
            setModel(QString::fromLatin1(kOpenAiDefaultModel));
    }
    if (m_model.isEmpty())
        setModel(QString::fromLatin1(kOpenAiDefaultModel));
    Q_EMIT endpointChanged();
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
    m_secrets->write(openAiSlot(), secret, [this, secret](const SecretResult &result) {
        if (!result.ok()) {
            setKeyStatus(tr("The key was not saved (%1): %2.")
                             .arg(secretErrorName(result.error), secretErrorAdvice(result.error)));
            return;
        }
        setKeyStatus(tr("Key saved in the system keychain for api.openai.com."));
        useEndpoint(QUrl(QString::fromLatin1(kOpenAiBaseUrl)), secret);
    });
}

Workbench::~Workbench() = default;

void Workbench::setModel(const QString &model)
{
    if (m_model == model)
        return;
    m_model = model;
    Q_EMIT modelChanged();
}

void Workbench::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    Q_EMIT runningChanged();
}

void Workbench::run(const QString &prompt)
{
    if (m_running)
        return;
    if (m_model.trimmed().isEmpty() || prompt.trimmed().isEmpty()) {
        m_errorMessage = m_model.trimmed().isEmpty() ? tr("Enter a model name, then run.")
                                                     : tr("Write a prompt, then run.");
        Q_EMIT resultChanged();
        return;
    }

    GenerationRequest request;
    request.model = m_model.trimmed();
    request.input = prompt;
    setRunning(true);
    m_service->submit(request, [this](const GenerationResult &result) {
        const GenerationOutcome &outcome = result.outcome;
        m_hasResult = true;
        m_answer
            = outcome.status == GenerationOutcome::Status::Refused ? outcome.refusal : outcome.text;
        m_latencyMs = result.latencyMs;
        m_inputTokens = outcome.usage.input;
        m_outputTokens = outcome.usage.output;
        m_requestId = outcome.requestId;
        switch (outcome.status) {
        case GenerationOutcome::Status::Completed:
            m_errorMessage.clear();
            break;
        case GenerationOutcome::Status::Refused:
            m_errorMessage = tr("The model refused to answer.");
            break;
        case GenerationOutcome::Status::Incomplete:
            m_errorMessage = tr("The answer stopped early (%1).").arg(outcome.incompleteReason);
            break;
        case GenerationOutcome::Status::Failed:
            m_errorMessage
                = redactSecrets(tr("The request failed (%1): %2")
                                    .arg(errorClassName(outcome.errorClass), outcome.errorMessage));
            break;
        }
        Q_EMIT resultChanged();
        setRunning(false);
        if (m_pendingEndpoint.isValid())
            useEndpoint(m_pendingEndpoint, m_pendingKey);
    });
}

} // namespace sluice
