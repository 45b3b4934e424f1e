#pragma once

#include <QStringList>

namespace sluice::cli {

/// `sluice-cli lint-schema --provider openai S`: says why a schema would not
/// be accepted in the provider's strict structured-output mode, one finding
/// per line on stdout. Exit 0 when it passes, 1 with findings, 2 on usage
/// errors or a file that is not JSON. `arguments[0]` is the program and
/// command name.
[[nodiscard]] int lintSchemaCommand(const QStringList &arguments);

} // namespace sluice::cli
