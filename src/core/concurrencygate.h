#pragma once

#include "core/waitqueue.h"

#include <cstdint>
#include <functional>

namespace sluice {

/// A fair semaphore: at most `limit` requests in flight per provider, served
/// FIFO within a priority (interactive before batch). The limit can change
/// at run time: raising it grants waiters at once, lowering it lets the
/// requests in flight drain; no waiter is lost either way. Single-threaded.
///
/// A grant callback may run from inside release(), cancel() or setLimit(),
/// never from the acquire() that queued it, and may call back into the gate.
class ConcurrencyGate
{
public:
    using WaiterId = std::uint64_t;
    using GrantCallback = std::function<void()>;

    struct Acquisition
    {
        bool granted = false; ///< a slot is held now; otherwise the callback grants it later
        WaiterId waiter = 0;  ///< when queued: what cancel() takes
    };

    explicit ConcurrencyGate(int limit);

    Acquisition acquire(Priority priority, GrantCallback onGranted);
    /// Withdraws a waiter; it leaves no trace. False if already granted or gone.
    bool cancel(WaiterId waiter);
    /// Gives a slot back (one per granted acquire).
    void release();
    /// Any limit >= 1; lower values are taken as 1.
    void setLimit(int limit);

    [[nodiscard]] int limit() const { return m_limit; }
    [[nodiscard]] int inUse() const { return m_inUse; }
    [[nodiscard]] std::int64_t queued(Priority priority) const { return m_waiters.size(priority); }

private:
    void dispatch();

    int m_limit;
    int m_inUse = 0;
    PriorityWaitQueue<GrantCallback> m_waiters;
    bool m_dispatching = false;
};

} // namespace sluice
