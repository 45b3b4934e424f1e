#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace sluice::test {

/// sluice-sim as a child process, started as a user would: `--port 0` plus
/// the given arguments; its base URL is the first line it prints.
class SimProcess
{
public:
    ~SimProcess();

    /// Starts `program` and waits up to 10 s for the base URL; false (see
    /// errorString()) when it does not start or prints no loopback URL.
    [[nodiscard]] bool start(const QString &program, const QStringList &arguments,
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

    /// `http://127.0.0.1:PORT/v1`, empty before a successful start().
    [[nodiscard]] QString baseUrl() const { return m_baseUrl; }
    [[nodiscard]] QString errorString() const { return m_error; }

    /// Sends SIGTERM and waits; the exit code, or -1 if it crashed or hung.
    int stop();

private:
    QProcess m_process;
    QString m_baseUrl;
    QString m_error;
};

} // namespace sluice::test
