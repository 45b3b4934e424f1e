#include <QApplication>
#include <QQmlEngine>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(SluiceAppPlugin)
Q_IMPORT_QML_PLUGIN(SluiceUiPlugin)

// Makes the statically linked QML modules importable by the test files.
class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(QStringLiteral(":/")); }
};

// Own main(): QUICK_TEST_MAIN makes a QGuiApplication, and Qt Charts needs a
// QApplication (Graphics View).
int main(int argc, char **argv)
{
    // Settings, caches and data go to a fresh folder: the pages restore what
    // they find there, and a developer's own settings must not leak in or out.
    const QTemporaryDir home;
    for (const char *variable : {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(variable, home.path().toLocal8Bit() + '/' + variable);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Sluice"));
    QApplication::setApplicationName(QStringLiteral("Sluice"));
    QQuickStyle::setStyle(QStringLiteral("Fusion")); // as the app
    Setup setup;
    return quick_test_main_with_setup(argc, argv, "tst_ui", QUICK_TEST_SOURCE_DIR, &setup);
}

#include "tst_ui.moc"
