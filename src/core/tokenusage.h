#pragma once

#include <cstdint>

namespace sluice {

/// Tokens of one exchange by class, in OpenAI's accounting: `input` includes
/// `cached`; `output` already includes `reasoning` (never add it twice).
/// Dialects that count otherwise (Anthropic) are normalised when decoded.
struct TokenUsage
{
    std::int64_t input = 0;
    std::int64_t cached = 0;     ///< part of input served from the prompt cache
    std::int64_t cacheWrite = 0; ///< input tokens written to the cache (Anthropic)
    std::int64_t output = 0;
    std::int64_t reasoning = 0; ///< part of output spent on hidden reasoning

    [[nodiscard]] std::int64_t total() const { return input + output; }
    /// Class by class, to sum (and take back) the usage of many exchanges.
    TokenUsage &operator+=(const TokenUsage &other)
    {
        input += other.input;
        cached += other.cached;
        cacheWrite += other.cacheWrite;
        output += other.output;
        reasoning += other.reasoning;
        return *this;
    }
    TokenUsage &operator-=(const TokenUsage &other)
    {
        input -= other.input;
        cached -= other.cached;
        cacheWrite -= other.cacheWrite;
        output -= other.output;
        reasoning -= other.reasoning;
        return *this;
    }
    friend bool operator==(const TokenUsage &, const TokenUsage &) = default;
};

} // namespace sluice
