#include "engine/llmservice.h"

namespace sluice {

LlmService::LlmService(
    std::shared_ptr<const Provider> provider, const Clock &clock, QObject *parent)
    : QObject(parent), m_provider(std::move(provider)), m_clock(clock), m_transport(this)
{ }

void LlmService::submit(const GenerationRequest &request, Callback done)
{
    const QDateTime startedAt = QDateTime::currentDateTimeUtc();
    const TimePoint sentAt = m_clock.now();
    m_transport.post(m_provider->encode(request), m_timeouts,
        [this, startedAt, sentAt, done = std::move(done)](HttpResponse response) {
            GenerationResult result;
            result.startedAt = startedAt;
            result.latencyMs = millisecondsBetween(sentAt, m_clock.now());
            result.attempts = 1;
            result.outcome = m_provider->decode(response);
            done(result);
        });
}

} // namespace sluice
