import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Sluice

// Schema: a JSON Schema editor checked as it is typed (parse errors with line
// and column), the strict-mode lint for the chosen provider, a generated
// sample instance, and the last answer validated with its failing values
// marked.
Page {
    id: root

    RowLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 16

        // Left: the editor.
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            spacing: 8

            RowLayout {
                Layout.fillWidth: true

                Label {
                    text: qsTr("JSON Schema")
                    font.bold: true
                    Layout.fillWidth: true
                }
                Label {
                    text: qsTr("Start from")
                }
                ComboBox {
                    id: exampleBox

                    objectName: "exampleBox"
                    model: Workbench.schema.examples
                    textRole: "name"
                    displayText: qsTr("an example…")
                    onActivated: index => Workbench.schema.loadExample(index)
                    ToolTip.visible: hovered && currentIndex >= 0
                    ToolTip.text: currentIndex >= 0 ? Workbench.schema.examples[currentIndex].description : ""
                }
            }

            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true

                TextArea {
                    id: editor

                    objectName: "schemaEditor"
                    background: FieldBackground {}
                    font.family: Theme.monospace
                    wrapMode: TextEdit.NoWrap
                    selectByMouse: true
                    text: Workbench.schema.text
                    placeholderText: qsTr("{ \"type\": \"object\", ... }")
                    onTextChanged: Workbench.schema.text = text

                    // Moves the cursor to a 1-based line and column.
                    function goTo(line: int, column: int) {
                        const lines = text.split("\n")
                        let position = 0
                        for (let i = 0; i < line - 1 && i < lines.length; ++i)
                            position += lines[i].length + 1
                        cursorPosition = Math.min(position + column - 1, length)
                        forceActiveFocus()
                    }
                }
            }

            Label {
                id: errorLabel

                objectName: "schemaError"
                Layout.fillWidth: true
                visible: Workbench.schema.error.length > 0
                text: Workbench.schema.error
                color: Theme.errorColor
                wrapMode: Text.Wrap

                MouseArea {
                    anchors.fill: parent
                    enabled: Workbench.schema.errorLine > 0
                    cursorShape: enabled ? Qt.PointingHandCursor : Qt.ArrowCursor
                    onClicked: editor.goTo(Workbench.schema.errorLine, Workbench.schema.errorColumn)
                }
            }
            Label {
                objectName: "schemaOk"
                visible: Workbench.schema.valid
                text: qsTr("Valid JSON Schema (draft 7).")
                color: Theme.okColor
            }
        }

        // Right: what the schema means.
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            spacing: 8

            Label {
                text: qsTr("Strict mode")
                font.bold: true
            }
            Label {
                objectName: "lintSummary"
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                color: !Workbench.schema.lintApplies || !Workbench.schema.valid ? Theme.windowText
                    : Workbench.schema.lintFindings.length === 0 ? Theme.okColor : Theme.warningColor
                text: !Workbench.schema.lintApplies
                    ? qsTr("This provider does not enforce schemas: Sluice validates the answer itself and repairs what it can.")
                    : !Workbench.schema.valid ? qsTr("Fix the schema to lint it.")
                    : Workbench.schema.lintFindings.length === 0 ? qsTr("Ready for strict mode: the server will enforce it.")
                    : qsTr("%n reason(s) strict mode would refuse it; Sluice then sends it non-strict and validates the answer itself.", "", Workbench.schema.lintFindings.length)
            }
            ListView {
                objectName: "lintList"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(contentHeight, 130)
                visible: count > 0
                clip: true
                spacing: 2
                model: Workbench.schema.lintFindings

                delegate: Label {
                    required property var modelData

                    width: ListView.view.width
                    wrapMode: Text.Wrap
                    text: modelData.path + "  (" + modelData.rule + ")  " + modelData.message
                }
            }

            RowLayout {
                Layout.fillWidth: true

                Label {
                    text: qsTr("Sample instance")
                    font.bold: true
                    Layout.fillWidth: true
                }
                Button {
                    objectName: "newSampleButton"
                    text: qsTr("Another")
                    flat: true
                    enabled: Workbench.schema.valid
                    onClicked: Workbench.schema.newSample()
                }
            }
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: 150

                TextArea {
                    objectName: "sampleArea"
                    background: FieldBackground {}
                    readOnly: true
                    selectByMouse: true
                    font.family: Theme.monospace
                    text: Workbench.schema.sample
                    placeholderText: qsTr("A valid schema gets a generated example here.")
                }
            }

            Label {
                text: qsTr("Last answer, validated")
                font.bold: true
            }
            Label {
                objectName: "answerStatus"
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: Workbench.schema.answerMessage
                color: Workbench.schema.answerState === SchemaLab.AnswerValid ? Theme.okColor
                    : Workbench.schema.answerState === SchemaLab.AnswerInvalid || Workbench.schema.answerState === SchemaLab.NotJson
                    ? Theme.errorColor : Theme.windowText
            }
            Frame {
                Layout.fillWidth: true
                Layout.fillHeight: true
                visible: Workbench.schema.answerLines.length > 0
                padding: 4

                ListView {
                    id: answerView

                    objectName: "answerLines"
                    anchors.fill: parent
                    clip: true
                    model: Workbench.schema.answerLines
                    ScrollBar.vertical: ScrollBar {}

                    delegate: Rectangle {
                        id: lineDelegate

                        required property var modelData
                        required property int index

                        objectName: "answerLine_" + index
                        readonly property bool failing: modelData.failing
                        width: ListView.view.width
                        height: lineText.implicitHeight + 2
                        color: failing ? Theme.failingLine : "transparent"

                        Text {
                            id: lineText

                            x: 4
                            anchors.verticalCenter: parent.verticalCenter
                            text: lineDelegate.modelData.text
                            font.family: Theme.monospace
                            color: Theme.text
                        }
                    }
                }
            }
            Item {
                Layout.fillHeight: true
                visible: Workbench.schema.answerLines.length === 0
            }
            ListView {
                objectName: "answerErrors"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(contentHeight, 110)
                visible: count > 0
                clip: true
                model: Workbench.schema.answerErrors

                delegate: Label {
                    required property var modelData

                    width: ListView.view.width
                    wrapMode: Text.Wrap
                    color: Theme.errorColor
                    text: modelData.path + "  " + modelData.message
                }
            }
        }
    }
}
