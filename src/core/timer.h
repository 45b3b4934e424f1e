#pragma once

#include "core/clock.h"

#include <functional>
#include <memory>

namespace sluice {

/// A single-shot timer aimed at an instant of the injected clock. Gates own
/// one each, aimed at their next possible release, so nothing polls.
class Timer
{
public:
    virtual ~Timer() = default;
    /// Fires once at `when` (immediately if it is past); replaces any pending shot.
    virtual void startAt(TimePoint when) = 0;
    virtual void stop() = 0;
    [[nodiscard]] virtual bool isActive() const = 0;
};

/// Makes timers that run on the same clock as the object that owns them:
/// QtTimerFactory in the application, a manual clock in tests.
class TimerFactory
{
public:
    virtual ~TimerFactory() = default;
    /// `onTimeout` is called on the owner's thread, never from inside startAt().
    [[nodiscard]] virtual std::unique_ptr<Timer> createTimer(std::function<void()> onTimeout) = 0;
};

/// Real timers: a precise single-shot QTimer on the calling thread's event
/// loop, with the interval computed from `clock` (normally SteadyClock).
class QtTimerFactory final : public TimerFactory
{
public:
    explicit QtTimerFactory(const Clock &clock = SteadyClock::instance()) : m_clock(clock) { }
    [[nodiscard]] std::unique_ptr<Timer> createTimer(std::function<void()> onTimeout) override;

private:
    const Clock &m_clock;
};

} // namespace sluice
