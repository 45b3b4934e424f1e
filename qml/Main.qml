import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import Sluice

// The shell: the simulator banner, one tab per page, Ctrl+1..9 to switch.
// Pages load the first time they are shown and then stay alive, so that a
// page keeps its inputs when the user looks elsewhere.
ApplicationWindow {
    id: root

    // One line per page, in tab order (Ctrl+1 is the first). `source` is
    // relative to this file, or a qrc: URL in another module.
    readonly property var pages: [
        { name: "compose", title: qsTr("Compose"), source: "ComposePage.qml" },
        { name: "schema", title: qsTr("Schema"), source: "SchemaPage.qml" },
        // Batch, Monitor and Traces (qrc:/Sluice/Runs/...), then Settings.
        { name: "batch", title: qsTr("Batch"), source: "qrc:/Sluice/Runs/BatchPage.qml" },
        { name: "monitor", title: qsTr("Monitor"), source: "qrc:/Sluice/Runs/MonitorPage.qml" },
        { name: "traces", title: qsTr("Traces"), source: "qrc:/Sluice/Runs/TracesPage.qml" },
        { name: "settings", title: qsTr("Settings"), source: "SettingsPage.qml" },
    ]
    property int currentPage: 0

    function showPage(name: string) {
        for (let i = 0; i < pages.length; ++i) {
            if (pages[i].name === name) {
                currentPage = i
                return
            }
        }
    }

    // Geometry and the last page come back from the previous session
    // (numbers read back from the settings file are strings).
    x: Number(Preferences.value("window/x", (Screen.width - width) / 2))
    y: Number(Preferences.value("window/y", (Screen.height - height) / 2))
    width: Number(Preferences.value("window/width", 1180))
    height: Number(Preferences.value("window/height", 760))
    minimumWidth: 720
    minimumHeight: 520
    visible: true
    title: qsTr("Sluice")
    Component.onCompleted: {
        currentPage = Math.min(Number(Preferences.value("shell/page", 0)), pages.length - 1)
        pageLoaders.itemAt(currentPage).active = true
    }
    onClosing: {
        Preferences.setValue("window/x", x)
        Preferences.setValue("window/y", y)
        Preferences.setValue("window/width", width)
        Preferences.setValue("window/height", height)
    }
    onCurrentPageChanged: {
        Preferences.setValue("shell/page", currentPage)
        // A page loads when first shown and then stays loaded.
        const loader = pageLoaders.itemAt(currentPage)
        if (loader)
            loader.active = true
    }

    palette.window: Theme.window
    palette.windowText: Theme.windowText
    palette.base: Theme.base
    palette.alternateBase: Theme.alternateBase
    palette.text: Theme.text
    palette.button: Theme.button
    palette.buttonText: Theme.buttonText
    palette.highlight: Theme.highlight
    palette.highlightedText: Theme.highlightedText
    palette.mid: Theme.mid
    palette.placeholderText: Theme.placeholderText
    palette.toolTipBase: Theme.base
    palette.toolTipText: Theme.text

    Shortcut {
        sequence: "Ctrl+,"
        onActivated: root.showPage("settings")
    }

    ApiKeyDialog {
        id: apiKeyDialog

        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 520)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        SimulatorBanner {
            Layout.fillWidth: true
            visible: Workbench.usingSimulator
            endpoint: Workbench.endpoint
            onAddKeyRequested: apiKeyDialog.open()
        }

        Label {
            Layout.fillWidth: true
            Layout.margins: 12
            visible: Workbench.setupError.length > 0
            text: Workbench.setupError
            color: Theme.errorColor
            wrapMode: Text.Wrap
        }

        TabBar {
            id: tabs

            objectName: "pageTabs"
            Layout.fillWidth: true
            currentIndex: root.currentPage
            onCurrentIndexChanged: root.currentPage = currentIndex

            Repeater {
                model: root.pages

                TabButton {
                    id: tabButton

                    required property var modelData
                    required property int index

                    objectName: "tab_" + modelData.name
                    text: modelData.title
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("Ctrl+%1").arg(index + 1)

                    Shortcut {
                        sequence: "Ctrl+" + (tabButton.index + 1)
                        onActivated: tabButton.TabBar.tabBar.setCurrentIndex(tabButton.index)
                    }
                }
            }
        }

        StackLayout {
            id: stack

            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: root.currentPage

            Repeater {
                id: pageLoaders

                model: root.pages

                Loader {
                    required property var modelData

                    objectName: "page_" + modelData.name
                    active: false // see onCurrentPageChanged
                    source: modelData.source
                    focus: StackLayout.isCurrentItem
                }
            }
        }
    }
}
