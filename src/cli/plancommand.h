#pragma once

#include <QStringList>

namespace sluice::cli {

/// `sluice-cli plan`: the options of `run` with --input; reads the dataset
/// and prints what the run would send, cost and take, sending nothing
/// (docs/cli.md). `--json` prints one JSON object. Exit 0, or 2 for bad
/// usage or an unreadable input.
[[nodiscard]] int planCommand(const QStringList &arguments);

} // namespace sluice::cli
