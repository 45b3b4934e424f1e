#include "sim/requestlog.h"

#include "sim/simserver.h"

#include <QJsonDocument>

namespace sluice::sim {

bool RequestLog::open(const QString &path)
{
    m_file.setFileName(path);
    return m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
}

void RequestLog::write(const QJsonObject &entry)
{
    // One write call per line: a reader never sees half a line from us.
    const QByteArray line = QJsonDocument(entry).toJson(QJsonDocument::Compact) + '\n';
    if (m_file.write(line) != line.size())
        qCWarning(lcSim, "cannot write the request log %ls: %ls",
            qUtf16Printable(m_file.fileName()), qUtf16Printable(m_file.errorString()));
}

} // namespace sluice::sim
