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
        color: "#fff4cc"
        border.color: "#e0c060"
    }

    RowLayout {
        anchors.fill: parent
        spacing: 10

        Label {
            text: qsTr("SIMULATOR")
            font.bold: true
            color: "#6b4e00"
        }
        Label {
            Layout.fillWidth: true
            objectName: "simulatorBannerText"
            wrapMode: Text.Wrap
            color: "#3d2e00"
            text: qsTr("Answers come from the built-in simulator (sluice-sim at %1), not from a real model. No key is needed. To use OpenAI, add your API key (kept in the system keychain) or set OPENAI_API_KEY.").arg(root.endpoint)
        }
        Button {
            objectName: "addKeyButton"
            text: qsTr("Add API key…")
            onClicked: root.addKeyRequested()
        }
    }
}
