import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Says plainly that answers come from the built-in simulator, not a model.
Pane {
    id: root

    required property string endpoint

    signal addKeyRequested

    padding: 10
    background: Rectangle {
        color: Theme.bannerBackground
        border.color: Theme.bannerBorder
    }

    RowLayout {
        anchors.fill: parent
        spacing: 10

        Label {
            text: qsTr("SIMULATOR")
            font.bold: true
            color: Theme.bannerText
        }
        Label {
            Layout.fillWidth: true
            objectName: "simulatorBannerText"
            wrapMode: Text.Wrap
            color: Theme.bannerText
            text: qsTr("Answers come from the built-in simulator (sluice-sim at %1), not from a real model. No key is needed. To use a real provider, add its API key (kept in the system keychain) or set OPENAI_API_KEY / ANTHROPIC_API_KEY.").arg(root.endpoint)
        }
        Button {
            objectName: "addKeyButton"
            text: qsTr("Add API key…")
            onClicked: root.addKeyRequested()
        }
    }
}
