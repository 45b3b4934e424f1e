#include "core/slidingwindow.h"

#include <algorithm>

namespace sluice {

SlidingWindow::SlidingWindow(Duration length) : m_length(length) { }

SlidingWindow::Ticket SlidingWindow::add(TimePoint sentAt, std::int64_t tokens)
{
    // Expiry pops from the front, so the ring must stay sorted by time.
    m_latest = std::max(m_latest, sentAt);
    tokens = std::max<std::int64_t>(0, tokens);
    ++m_requests;
    m_tokens += tokens;
    return m_entries.push(Entry {m_latest, tokens});
}

bool SlidingWindow::settle(Ticket ticket, std::int64_t tokens)
{
    Entry *entry = m_entries.find(ticket);
    if (!entry || !entry->live())
        return false;
    tokens = std::max<std::int64_t>(0, tokens);
    m_tokens += tokens - entry->tokens;
    entry->tokens = tokens;
    return true;
}

bool SlidingWindow::remove(Ticket ticket)
{
    Entry *entry = m_entries.find(ticket);
    if (!entry || !entry->live())
        return false;
    --m_requests;
    m_tokens -= entry->tokens;
    entry->tokens = kRemoved;
    dropDeadFront();
    return true;
}

void SlidingWindow::expire(TimePoint now)
{
    while (!m_entries.empty() && m_entries.front().sentAt + m_length <= now) {
        const Entry &entry = m_entries.front();
        if (entry.live()) {
            --m_requests;
            m_tokens -= entry.tokens;
        }
        m_entries.popFront();
    }
    dropDeadFront();
}

std::optional<TimePoint> SlidingWindow::nextExpiry() const
{
    if (m_entries.empty())
        return std::nullopt;
    return m_entries.front().sentAt + m_length;
}

void SlidingWindow::dropDeadFront()
{
    // Keeps the front live, so nextExpiry() names a real release.
    while (!m_entries.empty() && !m_entries.front().live())
        m_entries.popFront();
}

} // namespace sluice
