#pragma once

#include <QStringList>

namespace sluice::cli {

/// Exit codes of sluice-cli, part of its documented contract (docs/cli.md).
enum ExitCode : int {
    ExitOk = 0,
    ExitFailed = 1,  ///< the request (or run) failed
    ExitUsage = 2,   ///< bad flags or input: nothing was sent
    ExitStopped = 3, ///< a run stopped (quota, budget, auth); rows not sent are `skipped`
};

/// Runs `sluice-cli` with its full argument list (program name first) and
/// returns the process exit code. Needs a QCoreApplication.
[[nodiscard]] int runCli(const QStringList &arguments);

} // namespace sluice::cli
