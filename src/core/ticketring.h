#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace sluice {

/// A FIFO ring whose elements keep a stable ticket (1, 2, 3, ...) for their
/// whole life, so any element is found in O(1) from its ticket without an id
/// list that could drift: index = ticket - front ticket. Removal from the
/// middle is the element's business (a tombstone flag); the owner pops dead
/// elements when they reach the front. Grows by doubling and shrinks by
/// halving when a quarter full; never allocates in steady state.
template<typename T> class TicketRing
{
public:
    using Ticket = std::uint64_t;

    Ticket push(T value)
    {
        if (m_size == m_slots.size())
            grow();
        m_slots[(m_start + m_size) & m_mask] = std::move(value);
        ++m_size;
        return m_front + m_size - 1;
    }

    /// The element with this ticket, or nullptr once it has left the front.
    [[nodiscard]] T *find(Ticket ticket)
    {
        if (ticket < m_front || ticket - m_front >= m_size)
            return nullptr;
        return &m_slots[(m_start + (ticket - m_front)) & m_mask];
    }

    [[nodiscard]] T &front() { return m_slots[m_start]; }
    [[nodiscard]] const T &front() const { return m_slots[m_start]; }
    [[nodiscard]] Ticket frontTicket() const { return m_front; }

    /// Invalidates pointers from find() when the ring shrinks.
    void popFront()
    {
        m_slots[m_start] = T {};
        m_start = (m_start + 1) & m_mask;
        --m_size;
        ++m_front;
        // Halve when a quarter full, so a past burst does not keep its
        // memory; the gap between grow and shrink keeps both amortized O(1).
        if (m_slots.size() > kMinShrinkCapacity && m_size < m_slots.size() / 4)
            resize(m_slots.size() / 2);
    }

    [[nodiscard]] bool empty() const { return m_size == 0; }
    /// Elements held, tombstones included.
    [[nodiscard]] std::size_t size() const { return m_size; }
    /// Slots allocated (for memory checks).
    [[nodiscard]] std::size_t capacity() const { return m_slots.size(); }

private:
    static constexpr std::size_t kMinShrinkCapacity = 1024;

    void grow() { resize(m_slots.empty() ? 16 : m_slots.size() * 2); }

    void resize(std::size_t capacity)
    {
        std::vector<T> resized(capacity);
        for (std::size_t i = 0; i < m_size; ++i)
            resized[i] = std::move(m_slots[(m_start + i) & m_mask]);
        m_slots = std::move(resized);
        m_mask = m_slots.size() - 1;
        m_start = 0;
    }

    std::vector<T> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_start = 0;
    std::size_t m_size = 0;
    Ticket m_front = 1; // ticket 0 is never issued: it means "none"
};

} // namespace sluice
