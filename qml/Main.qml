import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Sluice

ApplicationWindow {
    id: root

    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 480
    visible: true
    title: qsTr("Sluice")

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
            color: palette.highlight
            wrapMode: Text.Wrap
        }

        ComposePage {
            focus: true
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
    }
}
