#pragma once

#include <QByteArray>
#include <QProcess>

namespace sluice::test {

/// For a started `sluice-cli run --batch-api`: waits up to 30 s until it
/// prints that its provider batch exists, then kills it with SIGKILL (no
/// handler, no flush) and waits for it to end. What it printed on stderr is
/// appended to `err`. False when the batch line never came or it did not end.
[[nodiscard]] bool killOnceBatchExists(QProcess &process, QByteArray &err);

} // namespace sluice::test
