#include "cli/cli.h"
#include "core/redaction.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // Every log line goes through the key redactor (keys are registered as they are read).
    sluice::installRedactingMessageHandler();
    QCoreApplication::setApplicationName(QStringLiteral("sluice-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));
    return sluice::cli::runCli(QCoreApplication::arguments());
}
