#pragma once

#include "core/clock.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace sluice {

/// One timed step of a request: `queued`, `gate_wait`, `attempt`, `backoff`,
/// `validation`, `repair`, or the `request` span that holds them. Times are
/// on the injected clock (for durations) plus the wall time it started (for
/// people). Attributes are small facts (status, error class, tokens); never
/// a key, a header or a prompt.
struct Span
{
    std::uint64_t id = 0;
    std::uint64_t parentId = 0; ///< 0 for the root
    QString name;
    TimePoint start {};
    std::optional<TimePoint> end; ///< unset while the step runs
    QDateTime wallStart;
    QJsonObject attributes;

    [[nodiscard]] std::optional<double> durationMs() const
    {
        return end ? std::optional<double>(millisecondsBetween(start, *end)) : std::nullopt;
    }
};

/// The record of one request (or run): a random trace id and its spans in
/// the order they started. Single-threaded; a plain value once finished.
class Trace
{
public:
    Trace() = default;
    /// A new trace with a random 128-bit id (32 lowercase hex digits).
    explicit Trace(const Clock &clock);

    /// Starts a span now; returns its id (never 0).
    std::uint64_t begin(const QString &name, std::uint64_t parentId = 0);
    /// Ends a running span now; ending twice keeps the first end.
    void end(std::uint64_t spanId);
    void setAttribute(std::uint64_t spanId, const QString &key, const QJsonValue &value);

    [[nodiscard]] const QString &traceId() const { return m_traceId; }
    [[nodiscard]] const QList<Span> &spans() const { return m_spans; }
    /// The first span called `name`, or nullptr.
    [[nodiscard]] const Span *find(const QString &name) const;
    /// How many spans are called `name`.
    [[nodiscard]] int count(const QString &name) const;

private:
    Span *span(std::uint64_t spanId);

    const Clock *m_clock = nullptr;
    QString m_traceId;
    QList<Span> m_spans;
};

} // namespace sluice
