#pragma once

namespace sluice {

/// What the user lets Sluice and the provider keep. Defaults are the private
/// choice for the provider and the useful one locally (docs/security.md).
struct PrivacySettings
{
    /// false = "metrics only": the run store keeps timings, usage and cost,
    /// not prompts or outputs (CLI --no-content).
    bool keepPromptsAndOutputs = true;
    /// Sent as the request's `store`; OpenAI keeps responses unless told not to (CLI --store).
    bool providerStore = false;
};

} // namespace sluice
