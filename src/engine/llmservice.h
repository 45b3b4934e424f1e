#pragma once

#include "core/clock.h"
#include "core/generation.h"
#include "providers/httptransport.h"
#include "providers/provider.h"

#include <QDateTime>
#include <QObject>

#include <functional>
#include <memory>

namespace sluice {

/// What the pipeline makes of one request: the provider's outcome plus the
/// timings Sluice measured itself.
struct GenerationResult
{
    GenerationOutcome outcome;
    QDateTime startedAt;    ///< wall-clock time the request was handed to the service
    double latencyMs = 0.0; ///< from send to the complete answer (monotonic clock)
    int attempts = 0;       ///< HTTP exchanges made for this request
};

/// The request pipeline shared by the GUI, the CLI and the tests: encode,
/// send, decode, measure. Asynchronous: `submit` returns at once and the
/// callback runs later on this object's thread.
class LlmService : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const GenerationResult &)>;

    LlmService(
        std::shared_ptr<const Provider> provider, const Clock &clock, QObject *parent = nullptr);

    void setTimeouts(HttpTransport::Timeouts timeouts) { m_timeouts = timeouts; }
    [[nodiscard]] const Provider &provider() const { return *m_provider; }

    /// Sends `request`; `done` runs exactly once with the result.
    void submit(const GenerationRequest &request, Callback done);

private:
    std::shared_ptr<const Provider> m_provider;
    const Clock &m_clock;
    HttpTransport m_transport;
    HttpTransport::Timeouts m_timeouts;
};

} // namespace sluice
