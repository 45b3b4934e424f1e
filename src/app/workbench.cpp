#include "app/workbench.h"

#include "engine/llmservice.h"
#include "providers/openairesponses.h"
#include "sim/simserver.h"

namespace sluice {

namespace {

constexpr auto kOpenAiBaseUrl = "https://api.openai.com/v1";
constexpr auto kOpenAiDefaultModel = "gpt-5-mini";
constexpr auto kSimulatorDefaultModel = "sim-small";

} // namespace

Workbench::Workbench(QObject *parent) : QObject(parent)
{
    const QByteArray apiKey = qgetenv("OPENAI_API_KEY");
    if (!apiKey.isEmpty()) {
        m_endpoint = QUrl(QString::fromLatin1(kOpenAiBaseUrl));
        m_model = QString::fromLatin1(kOpenAiDefaultModel);
    } else {
        m_simulator = new sim::SimServer({}, this);
        if (!m_simulator->listen()) {
            m_setupError
                = tr("The built-in simulator could not start: %1").arg(m_simulator->errorString());
        }
        m_endpoint = m_simulator->baseUrl();
        m_model = QString::fromLatin1(kSimulatorDefaultModel);
    }
    m_service = new LlmService(std::make_shared<OpenAiResponsesProvider>(m_endpoint, apiKey),
        SteadyClock::instance(), this);
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
            m_errorMessage = tr("The request failed (%1): %2")
                                 .arg(errorClassName(outcome.errorClass), outcome.errorMessage);
            break;
        }
        Q_EMIT resultChanged();
        setRunning(false);
    });
}

} // namespace sluice
