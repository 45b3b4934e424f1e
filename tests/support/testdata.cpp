#include "testdata.h"

#include <QFile>

namespace sluice::test {

QString testDataPath(const QString &relativePath)
{
    return QStringLiteral(SLUICE_TEST_DATA_DIR "/") + relativePath;
}

QByteArray readTestData(const QString &relativePath)
{
    QFile file(testDataPath(relativePath));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("test data missing: %s", qPrintable(file.fileName()));
    return file.readAll();
}

} // namespace sluice::test
