// The Batch page takes a dataset dropped on it: a CSV or JSONL file dragged
// from a file manager opens as if chosen with Open, and a file of another
// kind is refused with the page's message. The window gets the drag-enter,
// drag-move and drop events such a drag makes, with the file's URL in
// text/uri-list, and Qt Quick delivers them to the page's DropArea
// ("datasetDropArea"). A Quick Test cannot do this in Qt 6.4: a drag made
// with the Drag attached property carries its keys but no MIME data, so the
// DropArea would see no URL.
#include "isolateddesktop.h"

#include <QApplication>
#include <QMimeData>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

#include <memory>

Q_IMPORT_QML_PLUGIN(SluiceAppPlugin)

class TstBatchDrop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void datasetDropOpensIt_data();
    void datasetDropOpensIt();
    void otherFileDropIsRefused();

private:
    /// Drags `fileName` (in tests/ui/data) over the page's middle and drops
    /// it; fails the test when the page does not take the drag.
    void dropFile(const QString &fileName);
    [[nodiscard]] QVariant batch(const char *property) const;

    QQmlEngine m_engine;
    std::unique_ptr<QQuickWindow> m_window;
    QObject *m_page = nullptr;
};

void TstBatchDrop::init()
{
    m_engine.addImportPath(QStringLiteral(":/"));
    QQmlComponent component(&m_engine);
    component.setData("import QtQuick\nimport Sluice.Runs\n"
                      "Window { width: 1100; height: 900; visible: true\n"
                      "    BatchPage { objectName: \"page\"; anchors.fill: parent } }",
        QUrl());
    m_window.reset(qobject_cast<QQuickWindow *>(component.create()));
    QVERIFY2(m_window, qPrintable(component.errorString()));
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_page = m_window->findChild<QObject *>(QStringLiteral("page"));
    QVERIFY(m_page);
}

void TstBatchDrop::cleanup()
{
    m_window.reset();
    m_page = nullptr;
}

QVariant TstBatchDrop::batch(const char *property) const
{
    return m_page->property("batch").value<QObject *>()->property(property);
}

void TstBatchDrop::dropFile(const QString &fileName)
{
    auto *area = m_page->findChild<QQuickItem *>(u"datasetDropArea"_qs);
    QVERIFY2(area, "the Batch page has its DropArea");
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QStringLiteral(SLUICE_UI_TEST_DATA "/") + fileName)});
    const QPointF middle(m_window->width() / 2.0, m_window->height() / 2.0);
    QDragEnterEvent enter(middle.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QVERIFY(area->property("containsDrag").toBool());
    QDragMoveEvent move(middle.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_window.get(), &move);
    QDropEvent drop(middle, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_window.get(), &drop);
    QVERIFY(!area->property("containsDrag").toBool());
}

void TstBatchDrop::datasetDropOpensIt_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<int>("previewRows");
    QTest::newRow("csv") << u"reviews.csv"_qs << 10;
    QTest::newRow("jsonl") << u"reviews.jsonl"_qs << 3;
}

void TstBatchDrop::datasetDropOpensIt()
{
    QFETCH(QString, fileName);
    QFETCH(int, previewRows);
    dropFile(fileName);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(batch("datasetError").toString(), QString());
    QCOMPARE(batch("datasetPath").toString(), QStringLiteral(SLUICE_UI_TEST_DATA "/") + fileName);
    const auto *preview = batch("preview").value<QObject *>();
    QCOMPARE(preview->property("columns").toStringList(),
        QStringList({u"id"_qs, u"review"_qs, u"stars"_qs}));
    QCOMPARE(preview->property("count").toInt(), previewRows);
}

void TstBatchDrop::otherFileDropIsRefused()
{
    dropFile(u"prices-small.json"_qs);
    if (QTest::currentTestFailed())
        return;
    const QString error = batch("datasetError").toString();
    QVERIFY2(error.contains(u"prices-small.json is not a dataset"), qPrintable(error));
    QVERIFY2(error.contains(u"open a .csv, .jsonl or .ndjson file"), qPrintable(error));
    QCOMPARE(batch("datasetPath").toString(), QString());
}

int main(int argc, char **argv)
{
    const QTemporaryDir home;
    sluice::test::isolateFromDesktop(home);
    QApplication app(argc, argv); // Qt Charts (the Monitor, in the same module) needs it
    QApplication::setOrganizationName(u"Sluice"_qs);
    QApplication::setApplicationName(u"Sluice"_qs);
    QQuickStyle::setStyle(u"Fusion"_qs);
    TstBatchDrop test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_batchdrop.moc"
