#include "core/cost.h"

#include <cmath>

namespace sluice {

namespace {

constexpr std::int64_t kPpm = 1'000'000;

Cost unknown(Cost cost, const QString &reason)
{
    cost.pico.reset();
    cost.unknownReason = reason;
    return cost;
}

// tokens * micro-units per Mtok = pico-units; false on overflow.
bool addTerm(PicoAmount &sum, std::int64_t tokens, std::int64_t pricePerMtok)
{
    PicoAmount term = 0;
    return !__builtin_mul_overflow(tokens, pricePerMtok, &term)
        && !__builtin_add_overflow(sum, term, &sum);
}

} // namespace

PicoAmount picoFromUnits(double units)
{
    return PicoAmount(std::llround(units * double(kPicoPerUnit)));
}

QString formatMoney(PicoAmount pico, const QString &currency)
{
    const bool negative = pico < 0;
    const std::int64_t magnitude = negative ? -pico : pico;
    // Rounded to micro-units, then trailing zeros dropped down to cents.
    const std::int64_t micro = (magnitude + 500'000) / 1'000'000;
    QString fraction = QStringLiteral("%1").arg(micro % 1'000'000, 6, 10, QLatin1Char('0'));
    while (fraction.size() > 2 && fraction.endsWith(QLatin1Char('0')))
        fraction.chop(1);
    const QString number = QStringLiteral("%1.%2").arg(micro / 1'000'000).arg(fraction);
    const QString sign = negative ? QStringLiteral("-") : QString();
    if (currency == QLatin1String("USD"))
        return sign + QLatin1Char('$') + number;
    return sign + currency + QLatin1Char(' ') + number;
}

Cost computeCost(
    const PriceBook &book, const QString &model, const TokenUsage &usage, CostOptions options)
{
    Cost cost;
    cost.tableVersion = book.version();
    cost.currency = book.currency();
    const auto match = book.find(model);
    if (!match) {
        return unknown(
            cost, QStringLiteral("model '%1' is not in price table %2").arg(model, book.version()));
    }
    cost.pricedAs = match->key;
    if (usage.input < 0 || usage.cached < 0 || usage.cacheWrite < 0 || usage.output < 0
        || usage.cached > usage.input) {
        return unknown(cost,
            QStringLiteral("inconsistent usage (input %1, cached %2, cache "
                           "write %3, output %4)")
                .arg(usage.input)
                .arg(usage.cached)
                .arg(usage.cacheWrite)
                .arg(usage.output));
    }

    const ModelPrices &prices = match->prices;
    const TierPrices *tier = &prices.base;
    if (prices.longContext
        && usage.input + usage.cacheWrite > prices.longContext->thresholdInputTokens) {
        tier = &prices.longContext->prices;
        cost.longContext = true;
    }
    const QString tierName = cost.longContext ? QStringLiteral("long-context ") : QString();
    if (usage.cached > 0 && !tier->cachedInputPerMtok) {
        return unknown(cost,
            QStringLiteral("%1 has no %2cached input price and %3 input tokens "
                           "were cached")
                .arg(match->key, tierName)
                .arg(usage.cached));
    }
    if (usage.cacheWrite > 0 && !tier->cacheWritePerMtok) {
        return unknown(cost,
            QStringLiteral("%1 has no %2cache write price and %3 tokens were "
                           "written to the cache")
                .arg(match->key, tierName)
                .arg(usage.cacheWrite));
    }
    if (options.batch && !prices.batchDiscountPpm) {
        return unknown(
            cost, QStringLiteral("%1 has no batch discount in the table").arg(match->key));
    }

    PicoAmount pico = 0;
    const bool fits = addTerm(pico, usage.input - usage.cached, tier->inputPerMtok)
        && addTerm(pico, usage.cached, tier->cachedInputPerMtok.value_or(0))
        && addTerm(pico, usage.cacheWrite, tier->cacheWritePerMtok.value_or(0))
        && addTerm(pico, usage.output, tier->outputPerMtok);
    if (!fits)
        return unknown(cost, QStringLiteral("cost does not fit in 64 bits"));

    if (options.batch) {
        // pico * (1 - discount), split so that the product cannot overflow.
        const std::int64_t keep = kPpm - *prices.batchDiscountPpm;
        pico = (pico / kPpm) * keep + ((pico % kPpm) * keep + kPpm / 2) / kPpm;
        cost.batch = true;
    }
    cost.pico = pico;
    return cost;
}

} // namespace sluice
