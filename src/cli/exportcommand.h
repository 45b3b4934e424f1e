#pragma once

#include <QStringList>

namespace sluice::cli {

/// `sluice-cli export [--run-dir DIR] [--run ID] --format jsonl|csv|trace|otlp
/// --output F`: writes a stored run (the newest by default) from the run
/// store `DIR/runs.sqlite` (DIR defaults to defaultRunDir(), as for `run`),
/// without sending anything. Exit 0 written,
/// 1 the file could not be written, 2 usage (no store, unknown run, bad
/// format).
[[nodiscard]] int exportCommand(const QStringList &arguments);

/// `sluice-cli runs [--run-dir DIR]`: one line per stored run, newest first:
/// id, created, status (with the stop reason), rows by status. Exit 0, or 2
/// when there is no store.
[[nodiscard]] int runsCommand(const QStringList &arguments);

} // namespace sluice::cli
