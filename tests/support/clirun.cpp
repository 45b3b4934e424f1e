#include "clirun.h"

#include <QTest>

namespace sluice::test {

bool killOnceBatchExists(QProcess &process, QByteArray &err)
{
    const bool created = QTest::qWaitFor(
        [&] {
            err += process.readAllStandardError();
            return err.contains("provider batch ");
        },
        30'000);
    process.kill();
    return process.waitForFinished() && created;
}

} // namespace sluice::test
