#include <QApplication>
#include <QQmlEngine>
#include <QQuickStyle>
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
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Sluice"));
    QApplication::setApplicationName(QStringLiteral("Sluice"));
    QQuickStyle::setStyle(QStringLiteral("Fusion")); // as the app
    Setup setup;
    return quick_test_main_with_setup(argc, argv, "tst_ui", QUICK_TEST_SOURCE_DIR, &setup);
}

#include "tst_ui.moc"
