#pragma once

#include <QString>

namespace sluice::cli {

/// Writes to stdout as UTF-8, unbuffered by Qt (flushes at once).
void printOut(const QString &text);

/// Writes one line `sluice-cli: <message>` to stderr. Messages name the
/// problem and the way out; they never contain a key.
void printError(const QString &message);

} // namespace sluice::cli
