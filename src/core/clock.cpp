#include "core/clock.h"

namespace sluice {

SteadyClock &SteadyClock::instance()
{
    static SteadyClock clock;
    return clock;
}

} // namespace sluice
