#pragma once

#include "core/budget.h"
#include "core/clock.h"
#include "core/waitqueue.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace sluice {

/// What a caller asks the pipeline for: templates and the row's values
/// rather than rendered text, plus everything that governs how the request
/// is sent. LlmService renders it into a GenerationRequest.
struct LlmRequest
{
    QString model;
    QString promptTemplate;       ///< `{{name}}` variables (PromptTemplate syntax)
    QString instructionsTemplate; ///< empty means no system prompt
    QHash<QString, QString> variables;

    /// The answer must be JSON valid against this schema. `strict: true` is
    /// sent only when the provider enforces schemas and the strict linter
    /// passes; otherwise non-strict, with the findings as warnings.
    std::optional<QJsonObject> outputSchema;
    QString schemaName = QStringLiteral("output");

    std::optional<int> maxOutputTokens;
    std::optional<double> temperature;
    Priority priority = Priority::Interactive;
    QString operation; ///< the name metrics and traces keep this prompt under

    std::optional<TimePoint> deadline; ///< on the service's clock; no retry starts past it
    int maxAttempts = 3;               ///< HTTP exchanges for transient errors (1 = no retry)

    /// Opt-in: ask the model again, once per re-ask, with the validation
    /// errors when the deterministic repair rungs find no valid JSON.
    int maxRepairReasks = 0;
    /// Opt-in: answer from the result cache when an identical request
    /// succeeded within its TTL, and coalesce identical requests in flight.
    bool useCache = false;
    /// Opt-in: a second attempt after the observed p95 latency; the first
    /// answer wins, the other is cancelled.
    bool hedge = false;
    /// Opt-in: ask for the answer as a stream (when the provider's
    /// capabilities say it streams; otherwise it is sent plain). Its text
    /// then reaches submit()'s DeltaCallback as it arrives, and the result
    /// carries the time to the first token.
    bool stream = false;

    /// A run's money cap, shared by its requests (nullptr: no cap).
    std::shared_ptr<Budget> budget;
};

} // namespace sluice
