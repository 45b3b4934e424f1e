import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Sluice

// Settings: the provider and its endpoint, the API key (system keychain),
// the CA certificates trusted for HTTPS, the gate limits, the price table,
// the theme and the language. Each change
// applies at once; errors appear beside the control that caused them.
Page {
    id: root

    // "System language" first, then every shipped language.
    readonly property var languageChoices: {
        const choices = [{ code: "", name: qsTr("System language") }]
        const languages = Preferences.languages
        for (let i = 0; i < languages.length; ++i)
            choices.push(languages[i])
        return choices
    }

    FileDialog {
        id: priceDialog

        title: qsTr("Import a price table")
        nameFilters: [qsTr("Price tables (*.json)"), qsTr("All files (*)")]
        onAccepted: Workbench.prices.importFile(selectedFile)
    }

    FileDialog {
        id: caDialog

        title: qsTr("Choose the CA certificates to trust")
        nameFilters: [qsTr("PEM certificates (*.pem *.crt *.cer)"), qsTr("All files (*)")]
        onAccepted: Workbench.setCaBundle(selectedFile)
    }

    ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth

        RowLayout {
            width: scroll.availableWidth
            spacing: 16

            ColumnLayout {
                Layout.alignment: Qt.AlignTop
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                Layout.margins: 16
                Layout.rightMargin: 0
                spacing: 12

                GroupBox {
                    title: qsTr("Provider")
                    Layout.fillWidth: true

                    GridLayout {
                        anchors.fill: parent
                        columns: 2
                        columnSpacing: 8

                        Label {
                            text: qsTr("Dialect")
                        }
                        ComboBox {
                            id: providerBox

                            objectName: "settingsProviderBox"
                            Layout.fillWidth: true
                            model: Workbench.providers
                            textRole: "name"
                            valueRole: "id"
                            currentIndex: Workbench.providerIndex
                        }
                        Label {
                            text: qsTr("Base URL")
                        }
                        TextField {
                            id: baseUrlField

                            objectName: "baseUrlField"
                            Layout.fillWidth: true
                            text: Workbench.baseUrl
                            placeholderText: providerBox.currentIndex >= 0
                                ? qsTr("empty: %1").arg(Workbench.providers[providerBox.currentIndex].defaultBaseUrl) : ""
                            onAccepted: applyEndpoint.clicked()
                        }
                        Item {
                            Layout.preferredWidth: 1
                        }
                        RowLayout {
                            Button {
                                id: applyEndpoint

                                objectName: "applyEndpointButton"
                                text: qsTr("Use this endpoint")
                                onClicked: Workbench.configureEndpoint(providerBox.currentValue, baseUrlField.text)
                            }
                            Label {
                                Layout.fillWidth: true
                                elide: Text.ElideMiddle
                                opacity: 0.75
                                text: Workbench.usingSimulator ? qsTr("Now: the built-in simulator (%1)").arg(Workbench.endpoint)
                                                               : qsTr("Now: %1").arg(Workbench.endpoint)
                            }
                        }
                    }
                }

                GroupBox {
                    title: qsTr("API key")
                    Layout.fillWidth: true

                    ColumnLayout {
                        anchors.fill: parent

                        Label {
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            opacity: 0.8
                            text: qsTr("Kept in the system keychain for %1, never in Sluice's files. OPENAI_API_KEY or ANTHROPIC_API_KEY in the environment take precedence.").arg(Workbench.keyHost)
                        }
                        RowLayout {
                            TextField {
                                id: keyField

                                objectName: "settingsKeyField"
                                Layout.fillWidth: true
                                echoMode: TextInput.Password
                                placeholderText: qsTr("Paste the key")
                                inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                            }
                            Button {
                                objectName: "saveKeyButton"
                                text: qsTr("Save")
                                enabled: keyField.text.length > 0
                                onClicked: {
                                    Workbench.saveApiKey(keyField.text)
                                    keyField.clear()
                                }
                            }
                            Button {
                                objectName: "removeKeyButton"
                                text: qsTr("Remove")
                                onClicked: Workbench.removeApiKey()
                            }
                        }
                        Label {
                            objectName: "settingsKeyStatus"
                            Layout.fillWidth: true
                            visible: text.length > 0
                            wrapMode: Text.Wrap
                            text: Workbench.keyStatus
                        }
                    }
                }

                GroupBox {
                    title: qsTr("CA certificates")
                    Layout.fillWidth: true

                    ColumnLayout {
                        anchors.fill: parent

                        Label {
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            opacity: 0.8
                            text: qsTr("For HTTPS through a corporate proxy: a PEM file of CA certificates to trust in addition to the system's. Certificate errors are never ignored.")
                        }
                        RowLayout {
                            TextField {
                                objectName: "caBundleField"
                                Layout.fillWidth: true
                                readOnly: true
                                text: Workbench.caBundlePath
                                placeholderText: qsTr("None: the system's CAs only")
                            }
                            Button {
                                objectName: "chooseCaBundleButton"
                                text: qsTr("Choose…")
                                onClicked: caDialog.open()
                            }
                            Button {
                                objectName: "clearCaBundleButton"
                                text: qsTr("Clear")
                                enabled: Workbench.caBundlePath.length > 0
                                onClicked: Workbench.clearCaBundle()
                            }
                        }
                        Label {
                            objectName: "caBundleStatus"
                            Layout.fillWidth: true
                            visible: text.length > 0
                            wrapMode: Text.Wrap
                            color: Workbench.caBundleProblem ? Theme.errorColor : palette.windowText
                            text: Workbench.caBundleStatus
                        }
                    }
                }

                GroupBox {
                    title: qsTr("Gates")
                    Layout.fillWidth: true

                    GridLayout {
                        anchors.fill: parent
                        columns: 3
                        columnSpacing: 8

                        Label {
                            text: qsTr("Requests per window")
                        }
                        SpinBox {
                            id: rpmBox

                            objectName: "rpmBox"
                            from: 0
                            to: 1000000
                            stepSize: 10
                            editable: true
                            value: Workbench.requestsPerMinute
                        }
                        Label {
                            text: qsTr("0 = no local limit")
                            opacity: 0.6
                        }
                        Label {
                            text: qsTr("Tokens per window")
                        }
                        SpinBox {
                            id: tpmBox

                            objectName: "tpmBox"
                            from: 0
                            to: 100000000
                            stepSize: 1000
                            editable: true
                            value: Workbench.tokensPerMinute
                        }
                        Label {
                            text: qsTr("0 = no local limit")
                            opacity: 0.6
                        }
                        Label {
                            text: qsTr("Window (seconds)")
                        }
                        SpinBox {
                            id: windowBox

                            objectName: "windowBox"
                            from: 1
                            to: 86400
                            editable: true
                            value: Workbench.windowSeconds
                        }
                        Item {
                            Layout.preferredWidth: 1
                        }
                        Label {
                            text: qsTr("Requests in flight")
                        }
                        SpinBox {
                            id: concurrencyBox

                            objectName: "concurrencyBox"
                            from: 1
                            to: 512
                            editable: true
                            value: Workbench.maxConcurrent
                        }
                        Item {
                            Layout.preferredWidth: 1
                        }
                        Button {
                            objectName: "applyLimitsButton"
                            text: qsTr("Apply limits")
                            onClicked: Workbench.setLimits(rpmBox.value, tpmBox.value, windowBox.value, concurrencyBox.value)
                        }
                        Label {
                            Layout.columnSpan: 2
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            opacity: 0.75
                            text: qsTr("The server's own limits (rate-limit headers) apply as well.")
                        }
                    }
                }

                GroupBox {
                    title: qsTr("Appearance")
                    Layout.fillWidth: true

                    GridLayout {
                        anchors.fill: parent
                        columns: 2
                        columnSpacing: 8

                        Label {
                            text: qsTr("Theme")
                        }
                        RowLayout {
                            Repeater {
                                model: [
                                    { value: "system", label: qsTr("System") },
                                    { value: "light", label: qsTr("Light") },
                                    { value: "dark", label: qsTr("Dark") },
                                ]

                                RadioButton {
                                    required property var modelData

                                    objectName: "theme_" + modelData.value
                                    text: modelData.label
                                    checked: Preferences.theme === modelData.value
                                    onToggled: Preferences.theme = modelData.value
                                }
                            }
                        }
                        Label {
                            text: qsTr("Language")
                        }
                        ComboBox {
                            objectName: "languageBox"
                            Layout.fillWidth: true
                            model: root.languageChoices
                            textRole: "name"
                            valueRole: "code"
                            Component.onCompleted: currentIndex = indexOfValue(Preferences.language)
                            onActivated: Preferences.language = currentValue
                        }
                    }
                }
            }

            GroupBox {
                title: qsTr("Price table")
                Layout.alignment: Qt.AlignTop
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                Layout.margins: 16
                Layout.leftMargin: 0

                ColumnLayout {
                    anchors.fill: parent
                    spacing: 8

                    Label {
                        objectName: "priceOrigin"
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        text: Workbench.prices.builtin
                            ? qsTr("Built-in table, version %1. Prices per million tokens.").arg(Workbench.prices.version)
                            : qsTr("%1, version %2. Prices per million tokens.").arg(Workbench.prices.origin).arg(Workbench.prices.version)
                    }
                    RowLayout {
                        Button {
                            objectName: "importPricesButton"
                            text: qsTr("Import…")
                            onClicked: priceDialog.open()
                        }
                        Button {
                            text: qsTr("Use the built-in table")
                            enabled: !Workbench.prices.builtin
                            onClicked: Workbench.prices.useBuiltin()
                        }
                    }
                    Label {
                        objectName: "priceImportError"
                        Layout.fillWidth: true
                        visible: text.length > 0
                        wrapMode: Text.Wrap
                        color: Theme.errorColor
                        text: Workbench.prices.importError
                    }

                    ListView {
                        id: priceView

                        objectName: "priceList"
                        Layout.fillWidth: true
                        Layout.preferredHeight: contentHeight
                        interactive: false
                        model: Workbench.prices
                        header: PriceRow {
                            width: ListView.view ? ListView.view.width : 0
                            header: true
                            modelName: qsTr("Model")
                            input: qsTr("Input")
                            cached: qsTr("Cached")
                            output: qsTr("Output")
                            batch: qsTr("Batch")
                        }

                        delegate: PriceRow {
                            required property int index

                            width: ListView.view.width
                            shaded: index % 2 === 1
                        }
                    }
                }
            }
        }
    }
}
