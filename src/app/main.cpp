#include "core/redaction.h"

#include <QApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(SluiceAppPlugin)
Q_IMPORT_QML_PLUGIN(SluiceUiPlugin)

int main(int argc, char *argv[])
{
    // QApplication, not QGuiApplication: Qt Charts draws with Graphics View.
    QApplication app(argc, argv);
    // Every log line goes through the key redactor (keys are registered as they are read).
    sluice::installRedactingMessageHandler();
    QApplication::setOrganizationName(QStringLiteral("Sluice"));
    QApplication::setApplicationName(QStringLiteral("Sluice"));
    QApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));

    // Fusion draws with the palette, so the light and dark themes reach every control.
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral(":/"));
    engine.load(QUrl(QStringLiteral("qrc:/Sluice/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    return QApplication::exec();
}
