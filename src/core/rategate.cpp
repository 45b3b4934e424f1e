#include "core/rategate.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>

namespace sluice {

namespace {

constexpr Duration kDay = std::chrono::hours(24);

std::optional<std::int64_t> perWindow(std::optional<std::int64_t> perMinute, Duration window)
{
    if (!perMinute)
        return std::nullopt;
    // Floor keeps "at most R x window / 60" true; at least 1, or a short
    // window would never admit anything.
    const double scaled
        = static_cast<double>(*perMinute) * std::chrono::duration<double>(window).count() / 60.0;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(scaled)));
}

void block(std::optional<TimePoint> &until, TimePoint when)
{
    // Every blocking limit must release before the request can pass, so the
    // next possible release is the latest of them.
    until = until ? std::max(*until, when) : when;
}

bool windowBlocks(const SlidingWindow &window, std::optional<std::int64_t> requestLimit,
    std::optional<std::int64_t> tokenLimit, std::int64_t tokens)
{
    if (requestLimit && window.requests() + 1 > *requestLimit)
        return true;
    // An empty window admits anything (only a limit lowered after queueing
    // can leave a waiter larger than the whole window; it passes alone).
    return tokenLimit && tokens > 0 && window.requests() > 0
        && window.tokens() + tokens > *tokenLimit;
}

} // namespace

RateGate::RateGate(const Clock &clock, TimerFactory &timers, RateLimits limits)
    : m_clock(clock), m_timer(timers.createTimer([this] { dispatch(); }))
{
    setLimits(limits);
}

RateGate::~RateGate() = default;

RateGate::Reservation RateGate::reserve(
    std::int64_t estimatedTokens, Priority priority, GrantCallback onGranted)
{
    const std::int64_t tokens = std::max<std::int64_t>(0, estimatedTokens);
    if (neverFits(tokens))
        return {};
    // Serve those already due first, so a newcomer never overtakes them.
    dispatch();
    const TimePoint now = m_clock.now();
    if (!m_waiters.hasWaiterAtOrAbove(priority) && !blockedUntil(tokens, now))
        return {Admission::Granted, book(tokens, now), 0};

    const WaiterId id = m_waiters.push(priority, Waiter {tokens, std::move(onGranted)});
    aimAt(blockedUntil(m_waiters.front().tokens, now).value_or(now));
    return {Admission::Queued, 0, id};
}

bool RateGate::cancel(WaiterId waiter)
{
    if (!m_waiters.cancel(waiter))
        return false;
    dispatch(); // a large waiter at the front may have held back smaller ones
    return true;
}

bool RateGate::settle(Ticket ticket, std::int64_t actualTokens)
{
    const std::int64_t tokens = std::max<std::int64_t>(0, actualTokens);
    bool found = m_window.settle(ticket, tokens);
    if (m_day)
        found = m_day->settle(ticket, tokens) || found;
    if (found)
        dispatch();
    return found;
}

bool RateGate::compensate(Ticket ticket)
{
    bool found = m_window.remove(ticket);
    if (m_day)
        found = m_day->remove(ticket) || found;
    if (found)
        dispatch();
    return found;
}

void RateGate::applyHints(const RateLimitHints &hints, bool rateLimited)
{
    const TimePoint now = m_clock.now();
    if (hints.limitRequests)
        m_serverLimitRequests = hints.limitRequests;
    if (hints.limitTokens)
        m_serverLimitTokens = hints.limitTokens;
    // The server's latest count already includes our earlier requests, so a
    // newer hint replaces an older budget rather than adding to it.
    if (hints.remainingRequests && hints.resetRequests)
        m_serverRequests = ServerBudget {*hints.remainingRequests, now + *hints.resetRequests};
    if (hints.remainingTokens && hints.resetTokens)
        m_serverTokens = ServerBudget {*hints.remainingTokens, now + *hints.resetTokens};

    if (rateLimited) {
        std::optional<Duration> pause = hints.retryAfter;
        if (!pause)
            pause = exhaustedReset(hints);
        if (pause) {
            pauseUntil(now + *pause);
            return;
        }
    }
    dispatch();
}

void RateGate::pauseUntil(TimePoint until)
{
    m_pausedUntil = std::max(m_pausedUntil, until);
    dispatch();
}

void RateGate::resume()
{
    m_pausedUntil = TimePoint {};
    dispatch();
}

void RateGate::setLimits(const RateLimits &limits)
{
    // Expire under the old length first: what has left the window is gone,
    // however long ago the last expiry ran.
    expire(m_clock.now());
    m_limits = limits;
    m_requestLimit = perWindow(limits.requestsPerMinute, limits.window);
    m_tokenLimit = perWindow(limits.tokensPerMinute, limits.window);
    m_window.setLength(limits.window);
    if (!limits.requestsPerDay && !limits.tokensPerDay) {
        m_day.reset();
    } else if (!m_day) {
        // The window is all the gate kept of the day; a copy also keeps the
        // tickets of both windows naming the same reservation.
        m_day = std::make_unique<SlidingWindow>(m_window);
        m_day->setLength(kDay);
    }
    dispatch();
}

RateGateSnapshot RateGate::snapshot()
{
    const TimePoint now = m_clock.now();
    expire(now);
    RateGateSnapshot s;
    s.requestsInWindow = m_window.requests();
    s.tokensInWindow = m_window.tokens();
    s.requestLimit = m_requestLimit;
    s.tokenLimit = m_tokenLimit;
    if (m_day) {
        s.requestsInDay = m_day->requests();
        s.tokensInDay = m_day->tokens();
    }
    s.queuedInteractive = m_waiters.size(Priority::Interactive);
    s.queuedBatch = m_waiters.size(Priority::Batch);
    if (m_pausedUntil > now)
        s.pausedUntil = m_pausedUntil;
    if (m_serverRequests)
        s.serverRemainingRequests = m_serverRequests->remaining;
    if (m_serverTokens)
        s.serverRemainingTokens = m_serverTokens->remaining;
    s.serverLimitRequests = m_serverLimitRequests;
    s.serverLimitTokens = m_serverLimitTokens;
    return s;
}

std::optional<TimePoint> RateGate::nextRelease() const
{
    return m_timer->isActive() ? m_aimedAt : std::nullopt;
}

void RateGate::expire(TimePoint now)
{
    m_window.expire(now);
    if (m_day)
        m_day->expire(now);
    if (m_serverRequests && m_serverRequests->until <= now)
        m_serverRequests.reset();
    if (m_serverTokens && m_serverTokens->until <= now)
        m_serverTokens.reset();
}

std::optional<TimePoint> RateGate::blockedUntil(std::int64_t tokens, TimePoint now) const
{
    std::optional<TimePoint> until;
    if (m_pausedUntil > now)
        block(until, m_pausedUntil);
    if (windowBlocks(m_window, m_requestLimit, m_tokenLimit, tokens))
        block(until, *m_window.nextExpiry());
    if (m_day && windowBlocks(*m_day, m_limits.requestsPerDay, m_limits.tokensPerDay, tokens))
        block(until, *m_day->nextExpiry());
    if (m_serverRequests && m_serverRequests->remaining < 1)
        block(until, m_serverRequests->until);
    if (m_serverTokens && tokens > 0 && m_serverTokens->remaining < tokens)
        block(until, m_serverTokens->until);
    return until;
}

bool RateGate::neverFits(std::int64_t tokens) const
{
    return (m_tokenLimit && tokens > *m_tokenLimit)
        || (m_limits.tokensPerDay && tokens > *m_limits.tokensPerDay);
}

RateGate::Ticket RateGate::book(std::int64_t tokens, TimePoint now)
{
    const Ticket ticket = m_window.add(now, tokens);
    if (m_day) {
        // Both windows see every reservation in the same order, so one
        // ticket names the entry in each.
        [[maybe_unused]] const Ticket dayTicket = m_day->add(now, tokens);
        Q_ASSERT(dayTicket == ticket);
    }
    if (m_serverRequests)
        m_serverRequests->remaining -= 1;
    if (m_serverTokens)
        m_serverTokens->remaining -= tokens;
    return ticket;
}

void RateGate::dispatch()
{
    if (m_dispatching) {
        // Called back from a grant callback: the outer loop goes round again.
        m_redispatch = true;
        return;
    }
    m_dispatching = true;
    do {
        m_redispatch = false;
        const TimePoint now = m_clock.now();
        expire(now);
        std::optional<TimePoint> wake;
        while (!m_waiters.empty()) {
            wake = blockedUntil(m_waiters.front().tokens, now);
            if (wake)
                break;
            Waiter waiter = m_waiters.takeFront();
            const Ticket ticket = book(waiter.tokens, now);
            if (waiter.onGranted)
                waiter.onGranted(ticket);
        }
        aimAt(wake);
    } while (m_redispatch);
    m_dispatching = false;
}

void RateGate::aimAt(std::optional<TimePoint> when)
{
    if (!when) {
        m_timer->stop();
        m_aimedAt.reset();
        return;
    }
    if (m_timer->isActive() && m_aimedAt == when)
        return;
    m_aimedAt = when;
    m_timer->startAt(*when);
}

} // namespace sluice
