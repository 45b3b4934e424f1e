#include "core/timer.h"

#include <QTimer>

#include <algorithm>

namespace sluice {

namespace {

class QtTimer final : public Timer
{
public:
    QtTimer(const Clock &clock, std::function<void()> onTimeout) : m_clock(clock)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(
            &m_timer, &QTimer::timeout, [callback = std::move(onTimeout)] { callback(); });
    }

    void startAt(TimePoint when) override
    {
        // Round up: a timer that fires a little early would only find the gate
        // still closed and aim again.
        const Duration left = when - m_clock.now();
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        m_timer.start(static_cast<int>(std::clamp<long long>(ms, 0, 24LL * 3600 * 1000)));
    }

    void stop() override { m_timer.stop(); }
    [[nodiscard]] bool isActive() const override { return m_timer.isActive(); }

private:
    const Clock &m_clock;
    QTimer m_timer;
};

} // namespace

std::unique_ptr<Timer> QtTimerFactory::createTimer(std::function<void()> onTimeout)
{
    return std::make_unique<QtTimer>(m_clock, std::move(onTimeout));
}

} // namespace sluice
