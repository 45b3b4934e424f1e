import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Sluice

// Compose: instructions and a prompt with {{variables}}, their values, the
// parameters, and the answer (streamed when asked) with its TTFT, latency,
// tokens and cost. Ctrl+Enter runs, Esc stops, Ctrl+C copies the answer when
// no text is selected.
Page {
    id: root

    function copyAnswer() {
        clipboard.text = Workbench.answer
        clipboard.selectAll()
        clipboard.copy()
        clipboard.text = ""
    }

    Shortcut {
        sequences: ["Ctrl+Return", "Ctrl+Enter"]
        onActivated: Workbench.run()
    }
    Shortcut {
        sequence: "Esc"
        enabled: Workbench.running
        onActivated: Workbench.stop()
    }
    Shortcut {
        sequence: "Ctrl+C"
        enabled: {
            const item = root.Window.activeFocusItem
            return Workbench.answer.length > 0 && !(item && item.selectedText)
        }
        onActivated: root.copyAnswer()
    }

    // Only a TextEdit reaches the clipboard from QML.
    TextEdit {
        id: clipboard

        visible: false
    }

    RowLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 16

        // Left: what is sent.
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            spacing: 8

            GridLayout {
                Layout.fillWidth: true
                columns: 2
                columnSpacing: 8
                rowSpacing: 6

                Label {
                    text: qsTr("Provider")
                }
                ComboBox {
                    id: providerBox

                    objectName: "providerBox"
                    Layout.fillWidth: true
                    model: Workbench.providers
                    textRole: "name"
                    valueRole: "id"
                    currentIndex: Workbench.providerIndex
                    onActivated: Workbench.configureEndpoint(currentValue, "")
                }
                Label {
                    text: qsTr("Model")
                }
                ComboBox {
                    id: modelBox

                    objectName: "modelBox"
                    Layout.fillWidth: true
                    editable: true
                    model: Workbench.modelSuggestions
                    editText: Workbench.model
                    onAccepted: Workbench.model = editText
                    onActivated: Workbench.model = currentText
                    onEditTextChanged: if (editText !== Workbench.model && activeFocus) Workbench.model = editText
                }
            }

            Label {
                text: qsTr("Instructions")
                font.bold: true
            }
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: 64

                TextArea {
                    objectName: "instructionsArea"
                    background: FieldBackground {}
                    wrapMode: TextEdit.Wrap
                    text: Workbench.instructions
                    placeholderText: qsTr("Optional system prompt, e.g. You answer in one short paragraph.")
                    onTextChanged: Workbench.instructions = text
                }
            }

            Label {
                text: qsTr("Prompt")
                font.bold: true
            }
            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.minimumHeight: 80

                TextArea {
                    id: promptArea

                    objectName: "promptArea"
                    background: FieldBackground {}
                    focus: true
                    wrapMode: TextEdit.Wrap
                    text: Workbench.prompt
                    placeholderText: qsTr("Write a prompt; {{name}} marks a variable.")
                    onTextChanged: Workbench.prompt = text
                }
            }
            Label {
                objectName: "templateError"
                Layout.fillWidth: true
                visible: text.length > 0
                text: Workbench.variables.error
                color: Theme.errorColor
                wrapMode: Text.Wrap
            }

            Label {
                text: Workbench.variables.count > 0 ? qsTr("Variables") : qsTr("Variables: none (write {{name}} in the prompt to add one)")
                font.bold: Workbench.variables.count > 0
                opacity: Workbench.variables.count > 0 ? 1 : 0.7
            }
            ListView {
                id: variablesView

                objectName: "variablesView"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(contentHeight, 150)
                visible: count > 0
                clip: true
                spacing: 4
                model: Workbench.variables

                delegate: RowLayout {
                    id: variableRow

                    required property string name
                    required property string value

                    width: ListView.view.width
                    spacing: 8

                    Label {
                        Layout.preferredWidth: 110
                        text: variableRow.name
                        elide: Text.ElideRight
                        font.family: "monospace"
                    }
                    TextField {
                        objectName: "variable_" + variableRow.name
                        Layout.fillWidth: true
                        text: variableRow.value
                        placeholderText: qsTr("value of %1").arg(variableRow.name)
                        onTextEdited: Workbench.variables.setValue(variableRow.name, text)
                    }
                }
            }

            RowLayout {
                Layout.fillWidth: true
                spacing: 8

                CheckBox {
                    id: temperatureBox

                    objectName: "temperatureBox"
                    text: qsTr("Temperature")
                    checked: Workbench.temperature >= 0
                    onToggled: Workbench.temperature = checked ? temperatureSlider.value : -1
                }
                Slider {
                    id: temperatureSlider

                    Layout.preferredWidth: 110
                    enabled: temperatureBox.checked
                    from: 0
                    to: 2
                    stepSize: 0.1
                    value: Workbench.temperature >= 0 ? Workbench.temperature : 1
                    onMoved: Workbench.temperature = Math.round(value * 10) / 10
                }
                Label {
                    text: temperatureBox.checked ? temperatureSlider.value.toFixed(1) : qsTr("default")
                    opacity: 0.8
                }
                Item {
                    Layout.fillWidth: true
                }
                Label {
                    text: qsTr("Max output tokens")
                }
                SpinBox {
                    objectName: "maxTokensBox"
                    from: 0
                    to: 128000
                    stepSize: 256
                    editable: true
                    value: Workbench.maxOutputTokens
                    textFromValue: (value, locale) => value === 0 ? qsTr("default") : Number(value).toLocaleString(locale, "f", 0)
                    valueFromText: (text, locale) => text === qsTr("default") ? 0 : Number.fromLocaleString(locale, text)
                    onValueModified: Workbench.maxOutputTokens = value
                }
            }

            RowLayout {
                spacing: 10

                Button {
                    objectName: "runButton"
                    text: Workbench.running ? qsTr("Stop") : qsTr("Run")
                    highlighted: !Workbench.running
                    onClicked: Workbench.running ? Workbench.stop() : Workbench.run()
                }
                CheckBox {
                    objectName: "useSchemaBox"
                    text: qsTr("Answer with the schema")
                    checked: Workbench.useSchema
                    onToggled: Workbench.useSchema = checked
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("Sends the Schema page's schema (Ctrl+2) as structured output.")
                }
                Switch {
                    objectName: "streamSwitch"
                    text: qsTr("Stream")
                    enabled: Workbench.supportsStreaming
                    checked: Workbench.stream
                    onToggled: Workbench.stream = checked
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
        }

        // Right: what came back.
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            spacing: 8

            RowLayout {
                Layout.fillWidth: true

                Label {
                    text: qsTr("Answer")
                    font.bold: true
                    Layout.fillWidth: true
                }
                Button {
                    objectName: "copyButton"
                    text: qsTr("Copy")
                    flat: true
                    enabled: Workbench.answer.length > 0
                    onClicked: root.copyAnswer()
                }
            }

            Label {
                objectName: "errorLabel"
                Layout.fillWidth: true
                visible: text.length > 0
                text: Workbench.errorMessage
                color: Theme.errorColor
                wrapMode: Text.Wrap
            }

            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true

                TextArea {
                    objectName: "answerArea"
                    background: FieldBackground {}
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.Wrap
                    text: Workbench.answer
                    placeholderText: qsTr("The answer appears here. Ctrl+Enter runs the prompt.")
                }
            }

            Label {
                objectName: "statsLabel"
                Layout.fillWidth: true
                visible: Workbench.hasResult
                opacity: 0.8
                wrapMode: Text.Wrap
                text: {
                    const parts = []
                    if (Workbench.ttftMs >= 0)
                        parts.push(qsTr("TTFT %1 ms").arg(Math.round(Workbench.ttftMs)))
                    parts.push(qsTr("Latency %1 ms").arg(Math.round(Workbench.latencyMs)))
                    parts.push(qsTr("Tokens %1 in / %2 out").arg(Workbench.inputTokens).arg(Workbench.outputTokens))
                    parts.push(qsTr("Cost %1").arg(Workbench.costText))
                    parts.push(qsTr("Request %1").arg(Workbench.requestId.length > 0 ? Workbench.requestId : qsTr("(no id)")))
                    return parts.join("  ·  ")
                }
            }
        }
    }
}
