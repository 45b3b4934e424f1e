#pragma once

#include "core/pricebook.h"
#include "core/tokenusage.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace sluice {

/// Money as an exact count of pico-units (1e-12) of a table's currency: a
/// token count times a price in micro-units per million tokens is exactly
/// this, so costs add up without rounding and tests compare them with ==.
using PicoAmount = std::int64_t;

inline constexpr PicoAmount kPicoPerUnit = 1'000'000'000'000;

/// Pico-units to units (for display and charts; sums stay in pico-units).
[[nodiscard]] inline double unitsFromPico(PicoAmount pico)
{
    return double(pico) / double(kPicoPerUnit);
}
/// Units (a user's cap such as 5.00) to pico-units, rounded to the nearest.
[[nodiscard]] PicoAmount picoFromUnits(double units);
/// "$0.0058", "-$0.25", "EUR 1.20": up to six decimals, at least two.
[[nodiscard]] QString formatMoney(PicoAmount pico, const QString &currency);

/// What a request cost under one price table, or why that is unknown.
struct Cost
{
    std::optional<PicoAmount> pico; ///< nullopt: unknown, never a silent 0
    QString unknownReason;          ///< set when `pico` is not
    QString tableVersion;           ///< the table that priced it (or failed to)
    QString currency;
    QString pricedAs;         ///< the table key that matched the model
    bool longContext = false; ///< the long-context tier applied
    bool batch = false;       ///< the batch discount applied

    [[nodiscard]] bool known() const { return pico.has_value(); }
    [[nodiscard]] std::optional<double> amount() const
    {
        return pico ? std::optional<double>(unitsFromPico(*pico)) : std::nullopt;
    }
};

struct CostOptions
{
    bool batch = false; ///< priced at the model's batch discount
};

/// Prices `usage` of `model` (as the provider reported it: a dated snapshot
/// finds its family, see PriceBook::find) with the formula of
/// docs/wire-formats.md, "Cost":
///
///   (input - cached) * input + cached * cached_input
///     + cacheWrite * cache_write + output * output
///
/// `usage` is in OpenAI's accounting for every dialect: `input` includes
/// `cached` (Anthropic's `input_tokens`, which excludes cache reads, is
/// normalised when decoded) and `cacheWrite` is billed on its own, outside
/// `input`; `output` includes `reasoning`, which is never added again.
///
/// The long-context tier replaces the base prices when input + cacheWrite
/// exceeds its threshold; a batch job takes the batch discount off the total
/// (rounded to the nearest pico-unit). Unknown, with the reason: a model the
/// table lacks, a token class used but not priced in the tier that applies,
/// a batch job for a model without a batch discount, inconsistent usage.
[[nodiscard]] Cost computeCost(
    const PriceBook &book, const QString &model, const TokenUsage &usage, CostOptions options = {});

} // namespace sluice
