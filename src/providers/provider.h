#pragma once

#include "core/generation.h"
#include "providers/httpexchange.h"

namespace sluice {

/// One API dialect: turns a GenerationRequest into bytes and bytes into a
/// GenerationOutcome. Knows nothing of gates, retries or batches. Immutable
/// once built: a different base URL or key makes a new provider.
class Provider
{
public:
    virtual ~Provider() = default;

    /// Stable id used by the CLI and settings, e.g. `openai-responses`.
    [[nodiscard]] virtual QString id() const = 0;

    [[nodiscard]] virtual HttpRequest encode(const GenerationRequest &request) const = 0;

    /// Decodes one complete (non-streaming) exchange, including transport
    /// failures and error bodies, into a typed outcome.
    [[nodiscard]] virtual GenerationOutcome decode(const HttpResponse &response) const = 0;
};

} // namespace sluice
