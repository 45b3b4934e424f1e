#pragma once

#include <QByteArray>

#include <cstdint>

namespace sluice::sim {

/// A small deterministic random source (SplitMix64). The simulator derives
/// every varying choice from a hash of the request, so the same request gives
/// the same answer in every run and on every machine (std:: distributions are
/// not portable across standard libraries, so none are used).
class SeededRandom
{
public:
    explicit SeededRandom(std::uint64_t seed) : m_state(seed) { }

    /// The seed made of the first eight bytes of a digest (or any bytes).
    [[nodiscard]] static std::uint64_t seedFrom(const QByteArray &digest)
    {
        std::uint64_t seed = 0;
        for (qsizetype i = 0; i < digest.size() && i < 8; ++i)
            seed = (seed << 8) | static_cast<std::uint8_t>(digest.at(i));
        return seed;
    }

    [[nodiscard]] std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    /// A value in [0, bound); 0 when bound is 0. The modulo bias is
    /// irrelevant for a simulator.
    [[nodiscard]] std::uint64_t below(std::uint64_t bound)
    {
        return bound == 0 ? 0 : next() % bound;
    }

    /// A value in [low, high] (inclusive); low when high < low.
    [[nodiscard]] qint64 between(qint64 low, qint64 high)
    {
        if (high <= low)
            return low;
        return low + static_cast<qint64>(below(static_cast<std::uint64_t>(high - low) + 1));
    }

private:
    std::uint64_t m_state;
};

} // namespace sluice::sim
