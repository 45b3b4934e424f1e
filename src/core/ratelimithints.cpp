#include "core/ratelimithints.h"

#include <algorithm>
#include <cmath>

namespace sluice {

namespace {

// Nanoseconds per unit, longest unit names first so "ms" wins over "m".
struct Unit
{
    QStringView name;
    double nanoseconds;
};

constexpr Unit kUnits[] = {
    {u"ns", 1.0},
    {u"us", 1e3},
    {u"\u00b5s", 1e3},
    {u"\u03bcs", 1e3},
    {u"ms", 1e6},
    {u"s", 1e9},
    {u"m", 60e9},
    {u"h", 3600e9},
};

} // namespace

std::optional<Duration> exhaustedReset(const RateLimitHints &hints)
{
    const bool requestsOut = hints.remainingRequests && *hints.remainingRequests == 0;
    const bool tokensOut = hints.remainingTokens && *hints.remainingTokens == 0;
    const bool neitherKnown = !requestsOut && !tokensOut;
    std::optional<Duration> reset;
    if (hints.resetRequests && (requestsOut || neitherKnown))
        reset = *hints.resetRequests;
    // Both exhausted (or unknown): the later reset is when both have cleared.
    if (hints.resetTokens && (tokensOut || neitherKnown))
        reset = std::max(reset.value_or(Duration::zero()), *hints.resetTokens);
    return reset;
}

std::optional<Duration> parseGoDuration(QStringView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    if (text == u"0")
        return Duration::zero();

    double total = 0.0;
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype numberStart = pos;
        while (pos < text.size() && (text[pos].isDigit() || text[pos] == u'.'))
            ++pos;
        if (pos == numberStart)
            return std::nullopt;
        bool ok = false;
        const double value = text.mid(numberStart, pos - numberStart).toDouble(&ok);
        if (!ok)
            return std::nullopt;

        const Unit *matched = nullptr;
        for (const Unit &unit : kUnits) {
            if (text.mid(pos).startsWith(unit.name)
                && (!matched || unit.name.size() > matched->name.size())) {
                matched = &unit;
            }
        }
        if (!matched)
            return std::nullopt;
        pos += matched->name.size();
        total += value * matched->nanoseconds;
    }
    if (!std::isfinite(total))
        return std::nullopt;
    return Duration(static_cast<Duration::rep>(std::llround(total)));
}

} // namespace sluice
