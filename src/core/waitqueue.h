#pragma once

#include "core/ticketring.h"

#include <array>
#include <cstdint>

namespace sluice {

/// Who goes first at a gate: interactive requests (a user is watching) are
/// served ahead of batch rows; within a priority, first in, first out.
enum class Priority : std::uint8_t {
    Interactive = 0,
    Batch = 1,
};
inline constexpr int kPriorityCount = 2;

/// The waiters of one gate, one FIFO per priority. A waiter id encodes its
/// priority and its ticket, so cancel() is O(1) and leaves only a tombstone
/// that is popped when it reaches the front: a cancelled waiter leaves no
/// trace in what front(), size() or the gate's counts report.
template<typename Payload> class PriorityWaitQueue
{
public:
    using WaiterId = std::uint64_t;

    WaiterId push(Priority priority, Payload payload)
    {
        const int p = static_cast<int>(priority);
        ++m_live[p];
        const auto ticket = m_rings[p].push(Slot {std::move(payload), true});
        return (ticket << 1) | static_cast<WaiterId>(p);
    }

    /// False when the waiter was already granted or cancelled.
    bool cancel(WaiterId id)
    {
        const int p = static_cast<int>(id & 1);
        Slot *slot = m_rings[p].find(id >> 1);
        if (!slot || !slot->live)
            return false;
        slot->live = false;
        slot->payload = Payload {};
        --m_live[p];
        dropDeadFront(p);
        return true;
    }

    [[nodiscard]] bool empty() const { return m_live[0] == 0 && m_live[1] == 0; }
    [[nodiscard]] std::int64_t size(Priority priority) const
    {
        return m_live[static_cast<int>(priority)];
    }

    /// True when a live waiter of this priority or a more urgent one exists:
    /// a newcomer must then queue behind it even if it would fit.
    [[nodiscard]] bool hasWaiterAtOrAbove(Priority priority) const
    {
        for (int p = 0; p <= static_cast<int>(priority); ++p) {
            if (m_live[p] > 0)
                return true;
        }
        return false;
    }

    /// The first live waiter in priority order; the queue must not be empty.
    [[nodiscard]] Payload &front() { return m_rings[frontPriority()].front().payload; }

    /// Removes front() and returns it.
    Payload takeFront()
    {
        const int p = frontPriority();
        Payload payload = std::move(m_rings[p].front().payload);
        m_rings[p].popFront();
        --m_live[p];
        dropDeadFront(p);
        return payload;
    }

private:
    struct Slot
    {
        Payload payload {};
        bool live = false;
    };

    [[nodiscard]] int frontPriority() const { return m_live[0] > 0 ? 0 : 1; }

    void dropDeadFront(int p)
    {
        auto &ring = m_rings[p];
        while (!ring.empty() && !ring.front().live)
            ring.popFront();
    }

    std::array<TicketRing<Slot>, kPriorityCount> m_rings;
    std::array<std::int64_t, kPriorityCount> m_live {};
};

} // namespace sluice
