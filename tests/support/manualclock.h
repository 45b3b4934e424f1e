#pragma once

#include "core/clock.h"

namespace sluice::test {

/// A clock that only moves when told to; starts at an arbitrary fixed instant.
class ManualClock final : public Clock
{
public:
    [[nodiscard]] TimePoint now() const override { return m_now; }
    void advance(Duration by) { m_now += by; }

private:
    TimePoint m_now = TimePoint(std::chrono::hours(1000));
};

} // namespace sluice::test
