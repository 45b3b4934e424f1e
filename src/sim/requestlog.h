#pragma once

#include <QFile>
#include <QJsonObject>
#include <QString>

namespace sluice::sim {

/// The simulator's request log: one compact JSON object per line, appended
/// and handed to the operating system at once (unbuffered), so a log read
/// after the process was killed holds every request decided before.
class RequestLog
{
public:
    /// Opens `path` for appending; false with `errorString()` on failure.
    bool open(const QString &path);
    [[nodiscard]] bool isOpen() const { return m_file.isOpen(); }
    [[nodiscard]] QString errorString() const { return m_file.errorString(); }

    /// Writes one line; a failed write is reported once per failure on `sluice.sim`.
    void write(const QJsonObject &entry);

private:
    QFile m_file;
};

} // namespace sluice::sim
