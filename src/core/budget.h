#pragma once

#include "core/cost.h"

#include <QHash>
#include <QString>

#include <cstdint>
#include <optional>

namespace sluice {

/// A run's hard cap on money, as a gate: a request is dispatched only once
/// its estimated cost is reserved, and a reservation is granted only while
/// spent + reserved + estimate <= cap. Settling replaces the estimate with the
/// actual cost; releasing gives back a request that was never billed.
///
/// Unknown costs are handled conservatively: with a cap, an unknown estimate
/// (an unpriced model) is refused, since what cannot be priced cannot be kept
/// under a cap; an unknown actual cost is charged at its estimate and counted
/// in `unpricedSettlements()`. Without a cap everything is admitted and known
/// costs are summed. Amounts are pico-units of the price table's currency.
/// Single-threaded, like the engine's thread that owns it.
class Budget
{
public:
    /// A granted reservation; 0 is never issued.
    struct Handle
    {
        std::uint64_t id = 0;
        friend bool operator==(Handle, Handle) = default;
    };

    enum class Refusal {
        None,        ///< granted
        OverCap,     ///< the estimate does not fit under the cap
        UnknownCost, ///< the estimate is unknown and a cap is set
        Negative,    ///< a negative estimate (a caller's bug)
        Currency,    ///< the estimate is in another currency than the budget
    };

    struct Reservation
    {
        std::optional<Handle> handle; ///< set when granted
        Refusal refusal = Refusal::None;
        QString reason; ///< for the run's status when refused

        [[nodiscard]] bool granted() const { return handle.has_value(); }
    };

    /// `cap` nullopt: no cap. `minimalRequest`: the least a request costs, the
    /// cost below which `exhausted()` says the run cannot go on.
    explicit Budget(std::optional<PicoAmount> cap = std::nullopt, PicoAmount minimalRequest = 1,
        QString currency = QStringLiteral("USD"));

    [[nodiscard]] Reservation tryReserve(std::optional<PicoAmount> estimate);
    /// The same for an estimate priced by computeCost: an unknown one is
    /// refused with the reason it is unknown, one in another currency always.
    [[nodiscard]] Reservation tryReserve(const Cost &estimate);
    /// Replaces the reservation with `actual` (nullopt: charged at the
    /// estimate). False for a handle that is not outstanding.
    bool settle(Handle handle, std::optional<PicoAmount> actual);
    /// Gives the reservation back (the request was never billed). False for
    /// a handle that is not outstanding.
    bool release(Handle handle);

    /// Changes the cap (nullopt: none), keeping what is spent and reserved: a
    /// run paused at its cap goes on under a higher one. Reservations already
    /// granted stand even if a lower cap no longer covers them.
    void setCap(std::optional<PicoAmount> cap) { m_cap = cap; }
    [[nodiscard]] std::optional<PicoAmount> cap() const { return m_cap; }
    [[nodiscard]] PicoAmount spent() const { return m_spent; }
    [[nodiscard]] PicoAmount reserved() const { return m_reserved; }
    /// cap - spent - reserved (never below 0); nullopt without a cap.
    [[nodiscard]] std::optional<PicoAmount> remaining() const;
    [[nodiscard]] int outstanding() const { return int(m_reservations.size()); }
    [[nodiscard]] int unpricedSettlements() const { return m_unpricedSettlements; }
    /// Not even a minimal request fits in what is left: the run pauses. While
    /// reservations are outstanding, settling below their estimates may
    /// make room again.
    [[nodiscard]] bool exhausted() const;
    /// One line for the run's status: "spent $4.98 + reserved $0.01 of $5.00".
    [[nodiscard]] QString summary() const;

private:
    [[nodiscard]] static Reservation refuse(Refusal refusal, const QString &reason);

    std::optional<PicoAmount> m_cap;
    PicoAmount m_minimalRequest;
    QString m_currency;
    PicoAmount m_spent = 0;
    PicoAmount m_reserved = 0;
    int m_unpricedSettlements = 0;
    std::uint64_t m_nextId = 1;
    QHash<std::uint64_t, PicoAmount> m_reservations; ///< id -> estimate (0 when unknown)
};

} // namespace sluice
