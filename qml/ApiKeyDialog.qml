import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Sluice

// Asks for an OpenAI key and saves it in the system keychain (never in a
// settings file). The field is cleared as soon as the key is handed over.
Dialog {
    id: root

    title: qsTr("API key")
    modal: true
    standardButtons: Dialog.Save | Dialog.Cancel

    onAccepted: {
        Workbench.saveApiKey(keyField.text)
        keyField.clear()
    }
    onRejected: keyField.clear()

    ColumnLayout {
        anchors.fill: parent
        spacing: 8

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("The key is saved in the system keychain for %1 and sent only there.").arg(Workbench.keyHost)
        }
        TextField {
            id: keyField

            objectName: "apiKeyField"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            placeholderText: qsTr("sk-...")
            inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
        }
        Label {
            Layout.fillWidth: true
            objectName: "apiKeyStatus"
            visible: text.length > 0
            wrapMode: Text.Wrap
            text: Workbench.keyStatus
        }
    }
}
