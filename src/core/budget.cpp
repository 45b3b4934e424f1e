#include "core/budget.h"

#include <algorithm>
#include <utility>

namespace sluice {

Budget::Budget(std::optional<PicoAmount> cap, PicoAmount minimalRequest, QString currency)
    : m_cap(cap)
    , m_minimalRequest(std::max<PicoAmount>(minimalRequest, 1))
    , m_currency(std::move(currency))
{ }

Budget::Reservation Budget::tryReserve(std::optional<PicoAmount> estimate)
{
    if (estimate && *estimate < 0)
        return refuse(Refusal::Negative, QStringLiteral("negative cost estimate"));
    if (m_cap) {
        if (!estimate) {
            return refuse(Refusal::UnknownCost,
                QStringLiteral("budget: the request's cost is unknown, so it cannot be kept "
                               "under the cap of %1")
                    .arg(formatMoney(*m_cap, m_currency)));
        }
        // Written as a difference: spent + reserved + estimate could overflow.
        if (*estimate > *remaining()) {
            return refuse(Refusal::OverCap,
                QStringLiteral("budget reached: %1; the next request is "
                               "estimated at %2")
                    .arg(summary(), formatMoney(*estimate, m_currency)));
        }
    }
    const Handle handle {m_nextId++};
    const PicoAmount booked = estimate.value_or(0);
    m_reservations.insert(handle.id, booked);
    m_reserved += booked;
    Reservation reservation;
    reservation.handle = handle;
    return reservation;
}

Budget::Reservation Budget::tryReserve(const Cost &estimate)
{
    if (estimate.currency != m_currency) {
        return refuse(Refusal::Currency,
            QStringLiteral("budget: the estimate is in %1 but the budget in %2")
                .arg(estimate.currency, m_currency));
    }
    Reservation reservation = tryReserve(estimate.pico);
    if (reservation.refusal == Refusal::UnknownCost)
        reservation.reason += QStringLiteral(": ") + estimate.unknownReason;
    return reservation;
}

bool Budget::settle(Handle handle, std::optional<PicoAmount> actual)
{
    const auto found = m_reservations.constFind(handle.id);
    if (found == m_reservations.cend())
        return false;
    const PicoAmount estimate = found.value();
    m_reservations.erase(found);
    m_reserved -= estimate;
    if (actual) {
        m_spent += *actual;
    } else {
        m_spent += estimate;
        ++m_unpricedSettlements;
    }
    return true;
}

bool Budget::release(Handle handle)
{
    const auto found = m_reservations.constFind(handle.id);
    if (found == m_reservations.cend())
        return false;
    m_reserved -= found.value();
    m_reservations.erase(found);
    return true;
}

std::optional<PicoAmount> Budget::remaining() const
{
    if (!m_cap)
        return std::nullopt;
    return std::max<PicoAmount>(*m_cap - m_spent - m_reserved, 0);
}

bool Budget::exhausted() const
{
    return m_cap && *remaining() < m_minimalRequest;
}

QString Budget::summary() const
{
    QString text = QStringLiteral("spent %1 + reserved %2")
                       .arg(formatMoney(m_spent, m_currency), formatMoney(m_reserved, m_currency));
    if (m_cap)
        text += QStringLiteral(" of %1").arg(formatMoney(*m_cap, m_currency));
    return text;
}

Budget::Reservation Budget::refuse(Refusal refusal, const QString &reason)
{
    Reservation reservation;
    reservation.refusal = refusal;
    reservation.reason = reason;
    return reservation;
}

} // namespace sluice
