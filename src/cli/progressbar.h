#pragma once

#include "engine/batch/batchrun.h"

#include <QElapsedTimer>

#include <optional>

namespace sluice::cli {

/// A one-line progress bar on stderr, redrawn in place at most ten times a
/// second: rows done of the total, by outcome, rows per second and time
/// left. Only for a terminal: enabled() is false when stderr is a pipe or a
/// file, so scripts never see it.
class ProgressBar
{
public:
    /// `total`: rows expected (from the plan), or nullopt when unknown.
    explicit ProgressBar(std::optional<qint64> total);

    [[nodiscard]] static bool enabled();

    void update(const BatchProgress &progress);
    /// Draws the last state and ends the line.
    void finish(const BatchProgress &progress);

private:
    void draw(const BatchProgress &progress);

    std::optional<qint64> m_total;
    QElapsedTimer m_started;
    QElapsedTimer m_lastDraw;
    bool m_drawn = false;
};

} // namespace sluice::cli
