#pragma once

#include <QStringList>

namespace sluice::cli {

/// `sluice-cli run`: sends one prompt through the LlmService and prints the
/// answer on stdout. `arguments[0]` is the program and command name.
[[nodiscard]] int runCommand(const QStringList &arguments);

} // namespace sluice::cli
