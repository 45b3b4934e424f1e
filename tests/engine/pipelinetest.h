#pragma once

#include "engine/llmservice.h"

#include <QTest>

#include <optional>

namespace sluice::test {

/// The blocking helper of the tests: submits and waits (event loop running)
/// for the one callback; nullopt if it did not come within `timeoutMs`.
inline std::optional<GenerationResult> runBlocking(
    LlmService &service, const LlmRequest &request, int timeoutMs = 10'000)
{
    std::optional<GenerationResult> result;
    int calls = 0;
    service.submit(request, [&](const GenerationResult &done) {
        ++calls;
        result = done;
    });
    if (!QTest::qWaitFor([&] { return calls > 0; }, timeoutMs))
        return std::nullopt;
    QTest::qWait(20); // a second callback would be a bug; give it the chance to show
    return calls == 1 ? result : std::nullopt;
}

} // namespace sluice::test
