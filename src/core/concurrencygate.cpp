#include "core/concurrencygate.h"

#include <QtGlobal>

#include <algorithm>

namespace sluice {

ConcurrencyGate::ConcurrencyGate(int limit) : m_limit(std::max(1, limit)) { }

ConcurrencyGate::Acquisition ConcurrencyGate::acquire(Priority priority, GrantCallback onGranted)
{
    if (m_inUse < m_limit && !m_waiters.hasWaiterAtOrAbove(priority)) {
        ++m_inUse;
        return {true, 0};
    }
    return {false, m_waiters.push(priority, std::move(onGranted))};
}

bool ConcurrencyGate::cancel(WaiterId waiter)
{
    // Waiters only ever wait for a free slot, so removing one frees nothing.
    return m_waiters.cancel(waiter);
}

void ConcurrencyGate::release()
{
    Q_ASSERT(m_inUse > 0);
    if (m_inUse > 0)
        --m_inUse;
    dispatch();
}

void ConcurrencyGate::setLimit(int limit)
{
    m_limit = std::max(1, limit);
    dispatch();
}

void ConcurrencyGate::dispatch()
{
    // A callback that releases re-enters here; the loop below already sees
    // the freed slot, so the inner call has nothing to do.
    if (m_dispatching)
        return;
    m_dispatching = true;
    while (m_inUse < m_limit && !m_waiters.empty()) {
        ++m_inUse;
        GrantCallback granted = m_waiters.takeFront();
        if (granted)
            granted();
    }
    m_dispatching = false;
}

} // namespace sluice
