#pragma once

#include <chrono>

namespace sluice {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::steady_clock::time_point;

/// Monotonic time, injected everywhere the core measures or waits, so that
/// gates and metrics are testable with a manual clock in microseconds.
class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual TimePoint now() const = 0;
};

/// The real monotonic clock (std::chrono::steady_clock).
class SteadyClock final : public Clock
{
public:
    [[nodiscard]] TimePoint now() const override { return std::chrono::steady_clock::now(); }

    /// One shared instance; stateless, so safe from any thread.
    static SteadyClock &instance();
};

/// Milliseconds between two instants, as a double for display and metrics.
[[nodiscard]] inline double millisecondsBetween(TimePoint from, TimePoint to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

} // namespace sluice
