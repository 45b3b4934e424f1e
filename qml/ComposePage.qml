import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Sluice

// Compose: one prompt to one model, the answer with its latency, tokens and
// request id. Ctrl+Enter runs.
Page {
    id: root

    function runPrompt() {
        Workbench.run(promptArea.text)
    }

    Shortcut {
        sequences: ["Ctrl+Return", "Ctrl+Enter"]
        onActivated: root.runPrompt()
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 10

        RowLayout {
            spacing: 8

            Label {
                text: qsTr("Model")
            }
            TextField {
                id: modelField

                objectName: "modelField"
                Layout.preferredWidth: 260
                text: Workbench.model
                placeholderText: qsTr("e.g. gpt-5-mini")
                onTextEdited: Workbench.model = text
            }
            Item {
                Layout.fillWidth: true
            }
            Label {
                text: qsTr("Endpoint: %1").arg(Workbench.endpoint)
                opacity: 0.7
            }
        }

        Label {
            text: qsTr("Prompt")
            font.bold: true
        }
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: 160

            TextArea {
                id: promptArea

                objectName: "promptArea"
                focus: true
                wrapMode: TextEdit.Wrap
                placeholderText: qsTr("Ask something, e.g. Summarise the plot of Hamlet in two sentences.")
            }
        }

        RowLayout {
            spacing: 10

            Button {
                objectName: "runButton"
                text: qsTr("Run")
                highlighted: true
                enabled: !Workbench.running
                onClicked: root.runPrompt()
            }
            BusyIndicator {
                Layout.preferredHeight: 28
                Layout.preferredWidth: 28
                running: Workbench.running
                visible: Workbench.running
            }
            Label {
                text: qsTr("Ctrl+Enter")
                opacity: 0.6
            }
        }

        Label {
            objectName: "errorLabel"
            Layout.fillWidth: true
            visible: text.length > 0
            text: Workbench.errorMessage
            color: "#b3261e"
            wrapMode: Text.Wrap
        }

        Label {
            text: qsTr("Answer")
            font.bold: true
        }
        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true

            TextArea {
                objectName: "answerArea"
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.Wrap
                text: Workbench.answer
                placeholderText: qsTr("The answer appears here.")
            }
        }

        Label {
            objectName: "statsLabel"
            visible: Workbench.hasResult
            opacity: 0.8
            text: qsTr("Latency %1 ms  ·  Tokens %2 in / %3 out  ·  Request %4")
                .arg(Math.round(Workbench.latencyMs))
                .arg(Workbench.inputTokens)
                .arg(Workbench.outputTokens)
                .arg(Workbench.requestId.length > 0 ? Workbench.requestId : qsTr("(no id)"))
        }
    }
}
