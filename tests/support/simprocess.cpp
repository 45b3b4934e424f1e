#include "simprocess.h"

#include <QDeadlineTimer>

namespace sluice::test {

SimProcess::~SimProcess()
{
    if (m_process.state() != QProcess::NotRunning)
        stop();
}

bool SimProcess::start(
    const QString &program, const QStringList &arguments, const QProcessEnvironment &environment)
{
    m_process.setProcessEnvironment(environment);
    m_process.start(
        program, QStringList {QStringLiteral("--port"), QStringLiteral("0")} + arguments);
    if (!m_process.waitForStarted()) {
        m_error = m_process.errorString();
        return false;
    }
    const QDeadlineTimer deadline(10'000);
    while (!m_process.canReadLine() && !deadline.hasExpired()
        && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
    }
    const QString line = QString::fromUtf8(m_process.readLine().trimmed());
    if (!line.startsWith(u"http://127.0.0.1:") || !line.endsWith(u"/v1")) {
        m_error = QStringLiteral("sluice-sim printed '%1' instead of its base URL; stderr: %2")
                      .arg(line, QString::fromUtf8(m_process.readAllStandardError()));
        return false;
    }
    m_baseUrl = line;
    return true;
}

int SimProcess::stop()
{
    m_process.terminate();
    if (!m_process.waitForFinished(10'000)) {
        m_process.kill();
        m_process.waitForFinished();
        return -1;
    }
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

} // namespace sluice::test
