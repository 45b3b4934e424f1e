#pragma once

#include "core/clock.h"
#include "core/timer.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sluice::test {

/// A clock that only moves when told to; starts at an arbitrary fixed instant.
/// It is also a TimerFactory: its timers fire, in time order and with the
/// clock set to their instant, while advance() moves past them.
class ManualClock final : public Clock, public TimerFactory
{
public:
    ManualClock() = default;
    ~ManualClock() override
    {
        for (ManualTimer *timer : m_timers)
            timer->m_clock = nullptr;
    }
    ManualClock(const ManualClock &) = delete;
    ManualClock &operator=(const ManualClock &) = delete;

    [[nodiscard]] TimePoint now() const override { return m_now; }

    /// Moves time forward by `by`, firing every timer due on the way (also
    /// those due exactly at the end, and those a callback starts meanwhile).
    void advance(Duration by) { advanceTo(m_now + by); }

    void advanceTo(TimePoint target)
    {
        while (ManualTimer *timer = earliestDue(target)) {
            m_now = std::max(m_now, timer->m_when);
            timer->m_active = false;
            ++m_fired;
            timer->m_onTimeout();
        }
        m_now = std::max(m_now, target);
    }

    /// When the earliest active timer is due; nullopt when none is active.
    [[nodiscard]] std::optional<TimePoint> nextTimer() const
    {
        std::optional<TimePoint> next;
        for (const ManualTimer *timer : m_timers) {
            if (timer->m_active && (!next || timer->m_when < *next))
                next = timer->m_when;
        }
        return next;
    }

    /// How many timer shots have fired so far (to check that nothing polls).
    [[nodiscard]] long long firedCount() const { return m_fired; }

    [[nodiscard]] std::unique_ptr<Timer> createTimer(std::function<void()> onTimeout) override
    {
        auto timer = std::make_unique<ManualTimer>(this, std::move(onTimeout));
        m_timers.push_back(timer.get());
        return timer;
    }

private:
    class ManualTimer final : public Timer
    {
    public:
        ManualTimer(ManualClock *clock, std::function<void()> onTimeout)
            : m_clock(clock), m_onTimeout(std::move(onTimeout))
        { }
        ~ManualTimer() override
        {
            if (m_clock)
                std::erase(m_clock->m_timers, this);
        }
        void startAt(TimePoint when) override
        {
            m_when = when;
            m_active = true;
        }
        void stop() override { m_active = false; }
        [[nodiscard]] bool isActive() const override { return m_active; }

        ManualClock *m_clock;
        std::function<void()> m_onTimeout;
        TimePoint m_when {};
        bool m_active = false;
    };

    ManualTimer *earliestDue(TimePoint target) const
    {
        ManualTimer *earliest = nullptr;
        for (ManualTimer *timer : m_timers) {
            if (timer->m_active && timer->m_when <= target
                && (!earliest || timer->m_when < earliest->m_when)) {
                earliest = timer;
            }
        }
        return earliest;
    }

    TimePoint m_now = TimePoint(std::chrono::hours(1000));
    std::vector<ManualTimer *> m_timers;
    long long m_fired = 0;
};

} // namespace sluice::test
