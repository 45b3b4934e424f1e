#pragma once

#include "core/clock.h"
#include "core/ratelimithints.h"
#include "core/slidingwindow.h"
#include "core/timer.h"
#include "core/tokenusage.h"
#include "core/waitqueue.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace sluice {

/// What a rate gate admits. Per-minute limits apply to a sliding window of
/// `window` (a limit of R per minute admits floor(R * window / 60 s), at
/// least 1, in any window); per-day limits to a sliding 24 h window, which
/// holds one 24-byte entry per request of the last 24 h (bounded by
/// requestsPerDay when that is set).
struct RateLimits
{
    Duration window = std::chrono::seconds(60);
    std::optional<std::int64_t> requestsPerMinute;
    std::optional<std::int64_t> tokensPerMinute;
    std::optional<std::int64_t> requestsPerDay;
    std::optional<std::int64_t> tokensPerDay;
};

/// A plain copy of a rate gate's state, for metrics and the UI.
struct RateGateSnapshot
{
    std::int64_t requestsInWindow = 0;
    std::int64_t tokensInWindow = 0;
    std::optional<std::int64_t> requestLimit; ///< per window
    std::optional<std::int64_t> tokenLimit;   ///< per window
    std::int64_t requestsInDay = 0;           ///< only counted with a per-day limit
    std::int64_t tokensInDay = 0;
    std::int64_t queuedInteractive = 0;
    std::int64_t queuedBatch = 0;
    std::optional<TimePoint> pausedUntil;
    std::optional<std::int64_t> serverRemainingRequests; ///< from the latest hint, while valid
    std::optional<std::int64_t> serverRemainingTokens;
    std::optional<std::int64_t> serverLimitRequests; ///< as the server last said, for display
    std::optional<std::int64_t> serverLimitTokens;
};

/// The rate gate of one provider endpoint (see "The gate contract" in
/// docs/architecture.md). A request reserves 1 request and its estimated
/// tokens before it is sent; check and booking are one call. What does not
/// fit waits, FIFO within its priority, and is granted through its callback
/// when the one timer (aimed at the next possible release: the oldest entry
/// leaving the window, the end of a pause or of a server budget) fires or
/// when a settle, compensate, cancel or setLimits frees room.
/// Single-threaded: owned by the engine's thread, no locks.
///
/// A grant callback may run from inside any call of this gate except the
/// reserve() that queued it, and may call back into the gate.
class RateGate
{
public:
    using Ticket = SlidingWindow::Ticket;
    using WaiterId = std::uint64_t;
    using GrantCallback = std::function<void(Ticket)>;

    enum class Admission {
        Granted,  ///< booked now: `ticket` is valid
        Queued,   ///< waits: `waiter` can be cancelled, the callback gets the ticket
        Rejected, ///< larger than a whole window's token limit: can never pass
    };
    struct Reservation
    {
        Admission admission = Admission::Rejected;
        Ticket ticket = 0;
        WaiterId waiter = 0;
    };

    RateGate(const Clock &clock, TimerFactory &timers, RateLimits limits = {});
    ~RateGate();
    RateGate(const RateGate &) = delete;
    RateGate &operator=(const RateGate &) = delete;

    /// Books 1 request and `estimatedTokens` now if they fit and nobody of
    /// this priority or a higher one waits; otherwise queues `onGranted`.
    Reservation reserve(std::int64_t estimatedTokens, Priority priority, GrantCallback onGranted);
    /// Withdraws a waiter; it leaves no trace. False if already granted or gone.
    bool cancel(WaiterId waiter);
    /// Replaces the estimate by the actual tokens, at the original send time.
    /// More than the estimate may push the window over its token limit (the
    /// tokens were spent); nothing more passes until it is back under.
    /// False when the reservation has left every window (or was compensated).
    bool settle(Ticket ticket, std::int64_t actualTokens);
    bool settle(Ticket ticket, const TokenUsage &usage) { return settle(ticket, usage.total()); }
    /// Takes back a reservation whose request never reached the server.
    /// At most once; false when it is unknown, expired or already taken back.
    bool compensate(Ticket ticket);

    /// Tightens the local view with a response's hints: remaining requests
    /// and tokens until their reset become a budget that admissions spend;
    /// when `rateLimited` (a 429), the gate pauses until retry-after, else
    /// until the reset of what is exhausted.
    void applyHints(const RateLimitHints &hints, bool rateLimited);
    /// Admits nothing before `until` (a later pause wins over an earlier one).
    void pauseUntil(TimePoint until);
    /// Lifts a pause now (the user's "resume").
    void resume();
    /// New limits, now. What the windows hold stays, each entry at its send
    /// time with its settlement (tickets stay valid), and so do the per-day
    /// counts, the server's last hints and a pause. Waiters keep their
    /// place: higher limits grant those that now fit from inside this call;
    /// lower ones grant nothing until the window is back under them (a
    /// waiter larger than the new token limit passes alone into an empty
    /// window). A new window length applies to the entries held: a shorter
    /// one lets the older ones go at once; a longer one keeps the held ones
    /// longer but cannot count those the shorter window had already let go.
    /// Adding a per-day limit starts the day with what the window holds
    /// (older requests were not kept); removing it drops the day's count.
    /// O(1), except adding a per-day limit, which copies the window.
    void setLimits(const RateLimits &limits);

    [[nodiscard]] const RateLimits &limits() const { return m_limits; }
    /// Expires what is due, then copies the state. O(1) amortized.
    [[nodiscard]] RateGateSnapshot snapshot();
    /// Where the timer is aimed while someone waits; nullopt when idle.
    [[nodiscard]] std::optional<TimePoint> nextRelease() const;

private:
    struct Waiter
    {
        std::int64_t tokens = 0;
        GrantCallback onGranted;
    };
    struct ServerBudget
    {
        std::int64_t remaining = 0;
        TimePoint until {};
    };

    void expire(TimePoint now);
    [[nodiscard]] std::optional<TimePoint> blockedUntil(std::int64_t tokens, TimePoint now) const;
    [[nodiscard]] bool neverFits(std::int64_t tokens) const;
    Ticket book(std::int64_t tokens, TimePoint now);
    void dispatch();
    void aimAt(std::optional<TimePoint> when);

    const Clock &m_clock;
    RateLimits m_limits;
    std::optional<std::int64_t> m_requestLimit; // per window
    std::optional<std::int64_t> m_tokenLimit;
    SlidingWindow m_window;
    std::unique_ptr<SlidingWindow> m_day; // only with a per-day limit
    PriorityWaitQueue<Waiter> m_waiters;
    std::unique_ptr<Timer> m_timer;
    std::optional<TimePoint> m_aimedAt;
    TimePoint m_pausedUntil {};
    std::optional<ServerBudget> m_serverRequests;
    std::optional<ServerBudget> m_serverTokens;
    std::optional<std::int64_t> m_serverLimitRequests;
    std::optional<std::int64_t> m_serverLimitTokens;
    bool m_dispatching = false;
    bool m_redispatch = false;
};

} // namespace sluice
