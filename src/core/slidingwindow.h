#pragma once

#include "core/clock.h"
#include "core/ticketring.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace sluice {

/// What a rate gate counts over one window length: one entry per
/// reservation (1 request, some tokens) at its send time. An entry counts
/// while now < sent + length. Running sums make every query O(1); settle and
/// remove reach any entry in O(1) through its ticket (removal leaves a
/// tombstone popped at the front), and expiry pops from the front: all O(1)
/// amortized, wherever the entry sits. A copy keeps the entries' tickets.
class SlidingWindow
{
public:
    using Ticket = std::uint64_t;

    explicit SlidingWindow(Duration length = std::chrono::seconds(60));

    /// Books one request and `tokens` (negative counts as 0) at `sentAt`;
    /// times must not go backwards (an earlier one is clamped up to the latest).
    Ticket add(TimePoint sentAt, std::int64_t tokens);
    /// Replaces the entry's tokens (negative counts as 0), keeping its send
    /// time. False when the entry has expired or was removed.
    bool settle(Ticket ticket, std::int64_t tokens);
    /// Takes the entry back as if it never happened. False when it has
    /// expired or was already removed.
    bool remove(Ticket ticket);
    /// Drops the entries whose time is up at `now`.
    void expire(TimePoint now);
    /// A new length for the entries held and those to come: each still
    /// leaves at its send time + the length (the next expire() drops those a
    /// shorter length has let go). Entries already dropped do not come back.
    void setLength(Duration length) { m_length = length; }

    [[nodiscard]] Duration length() const { return m_length; }
    [[nodiscard]] std::int64_t requests() const { return m_requests; }
    [[nodiscard]] std::int64_t tokens() const { return m_tokens; }
    /// When the oldest live entry leaves the window; nullopt when empty.
    [[nodiscard]] std::optional<TimePoint> nextExpiry() const;
    /// Entries held, tombstones included (memory, not counts).
    [[nodiscard]] std::size_t heldEntries() const { return m_entries.size(); }
    /// The ticket the next add() will return.
    [[nodiscard]] Ticket nextTicket() const { return m_entries.frontTicket() + m_entries.size(); }

private:
    // 16 bytes: a removed entry is marked by negative tokens.
    struct Entry
    {
        TimePoint sentAt {};
        std::int64_t tokens = kRemoved;
        [[nodiscard]] bool live() const { return tokens >= 0; }
    };
    static constexpr std::int64_t kRemoved = -1;

    void dropDeadFront();

    Duration m_length;
    TicketRing<Entry> m_entries;
    TimePoint m_latest {};
    std::int64_t m_requests = 0;
    std::int64_t m_tokens = 0;
};

} // namespace sluice
