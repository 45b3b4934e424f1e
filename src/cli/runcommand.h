#pragma once

#include <QStringList>

namespace sluice::cli {

/// `sluice-cli run` (docs/cli.md): without --input sends one prompt through
/// the LlmService and prints the answer on stdout; with --input runs the
/// prompt as a template over every row through a BatchRun journalled in the
/// run store, one JSON line per row. `arguments[0]` is the program and
/// command name.
[[nodiscard]] int runCommand(const QStringList &arguments);

} // namespace sluice::cli
