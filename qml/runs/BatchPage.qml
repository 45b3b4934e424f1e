import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Sluice
import Sluice.Runs.Models

// Batch: the Compose page's prompt over a CSV or JSONL dataset. Open a file
// (or drop one here), check the preview and the plan, then Start; pause,
// resume or cancel while it runs; filter and export the results. A run the
// Traces page asks to continue (RunsSession.continueRunId) opens here with
// its dataset and prompt, its finished rows, and Continue in place of Start.
Page {
    id: root

    property alias batch: controller

    function describeSeconds(seconds: real) : string {
        const s = Math.ceil(seconds)
        if (s < 60)
            return qsTr("%1 s").arg(s)
        if (s < 3600)
            return qsTr("%1 min %2 s").arg(Math.floor(s / 60)).arg(s % 60)
        return qsTr("%1 h %2 min").arg(Math.floor(s / 3600)).arg(Math.floor((s % 3600) / 60))
    }

    // Opens the run the Traces page asked for, once.
    function takeContinueRequest() {
        const runId = RunsSession.continueRunId
        if (runId.length === 0)
            return
        RunsSession.continueRunId = ""
        controller.openRun(runId)
    }

    title: qsTr("Batch")
    Component.onCompleted: takeContinueRequest()

    Connections {
        target: RunsSession

        function onContinueRunIdChanged() {
            root.takeContinueRequest()
        }
    }

    BatchController {
        id: controller

        service: RunsSession.service
        storePath: RunsSession.storePath
        providerId: Workbench.providerId
        baseUrl: Workbench.endpoint
        model: Workbench.model
        prompt: Workbench.prompt
        instructions: Workbench.instructions
        maxOutputTokens: Workbench.maxOutputTokens
        stream: Workbench.stream
        schemaText: RunsSession.schemaText
        useSchema: RunsSession.useSchema
        requestsPerMinute: Workbench.requestsPerMinute
        tokensPerMinute: Workbench.tokensPerMinute
        windowSeconds: Workbench.windowSeconds
        concurrency: Workbench.maxConcurrent
    }
    FileDialog {
        id: openDialog

        nameFilters: [qsTr("Datasets (*.csv *.jsonl *.ndjson)")]
        onAccepted: controller.openDataset(selectedFile)
    }
    FileDialog {
        id: exportDialog

        property string format

        fileMode: FileDialog.SaveFile
        nameFilters: format === "csv" ? [qsTr("CSV (*.csv)")] : [qsTr("JSON Lines (*.jsonl)")]
        onAccepted: controller.exportResults(selectedFile, format)
    }
    DropArea {
        id: drop

        objectName: "datasetDropArea"
        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: (event) => {
            if (event.hasUrls)
                controller.openDataset(event.urls[0])
        }
    }
    Rectangle {
        anchors.fill: parent
        visible: drop.containsDrag
        color: palette.highlight
        opacity: 0.15
    }

    ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth

        ColumnLayout {
            width: scroll.availableWidth - 24
            x: 12
            spacing: 8

            // The dataset
            RowLayout {
                Layout.topMargin: 12
                spacing: 8

                Button {
                    objectName: "openDatasetButton"
                    text: qsTr("Open dataset…")
                    onClicked: openDialog.open()
                }
                Button {
                    objectName: "sampleDatasetButton"
                    visible: controller.datasetPath.length === 0
                    text: qsTr("Use the sample reviews")
                    onClicked: controller.openDataset(Workbench.sampleDataset)
                }
                Label {
                    objectName: "datasetLabel"
                    Layout.fillWidth: true
                    text: controller.datasetPath === Workbench.sampleDataset
                          ? qsTr("The built-in sample: 200 product reviews.")
                          : controller.datasetPath.length > 0
                            ? controller.datasetPath
                            : qsTr("Open a CSV or JSONL file, or drop one here. The prompt comes from the Compose page.")
                    elide: Text.ElideMiddle
                }
            }
            RowLayout {
                objectName: "continueRow"
                visible: controller.continuingRunId.length > 0
                spacing: 8

                Label {
                    objectName: "continueLabel"
                    Layout.fillWidth: true
                    text: qsTr("Continuing run %1: the rows it finished are kept, the others are sent with the dataset and prompt it was started with, on the provider selected in Settings.")
                          .arg(controller.continuingRunId)
                          + (controller.continueNote.length > 0 ? " " + controller.continueNote : "")
                    wrapMode: Text.Wrap
                }
                Button {
                    objectName: "newRunButton"
                    text: qsTr("New run instead")
                    enabled: controller.state !== BatchController.Running
                             && controller.state !== BatchController.Paused
                    onClicked: controller.newRun()
                }
            }
            Label {
                objectName: "batchError"
                Layout.fillWidth: true
                visible: text.length > 0
                text: controller.datasetError || controller.templateError || controller.errorMessage
                color: palette.highlight
                wrapMode: Text.Wrap
            }
            Label {
                objectName: "missingVariablesLabel"
                Layout.fillWidth: true
                visible: controller.datasetPath.length > 0 && controller.missingVariables.length > 0
                text: qsTr("No column for %1: those rows fail before they are sent. Rename a column or change the prompt on the Compose page.")
                      .arg(controller.missingVariablesText)
                color: palette.highlight
                wrapMode: Text.Wrap
            }

            // The preview
            Label {
                visible: controller.preview.count > 0
                text: qsTr("First rows (columns the prompt reads are marked with {{ }})")
                font.bold: true
            }
            Flickable {
                objectName: "previewTable"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(contentHeight, 260)
                visible: controller.preview.count > 0
                clip: true
                contentWidth: previewColumn.width
                contentHeight: previewColumn.height
                ScrollBar.horizontal: ScrollBar { }

                Column {
                    id: previewColumn

                    Row {
                        Repeater {
                            model: controller.preview.headers

                            Label {
                                required property var modelData

                                width: 160
                                padding: 4
                                text: modelData.used ? "{{" + modelData.name + "}}" : modelData.name
                                font.bold: modelData.used
                                elide: Text.ElideRight
                            }
                        }
                    }
                    Repeater {
                        model: controller.preview

                        Row {
                            id: previewRow

                            required property var cells

                            Repeater {
                                model: previewRow.cells

                                Label {
                                    required property string modelData

                                    width: 160
                                    padding: 4
                                    text: modelData
                                    elide: Text.ElideRight
                                    maximumLineCount: 1
                                }
                            }
                        }
                    }
                }
            }

            // The plan
            Label {
                objectName: "planLabel"
                Layout.fillWidth: true
                visible: controller.hasPlan
                wrapMode: Text.Wrap
                text: qsTr("Plan: %1 rows, ~%2 input tokens, ~%3 output tokens, cost ~%4 (at most %5), about %6 (bound by %7).")
                      .arg(controller.planRows).arg(controller.planInputTokens)
                      .arg(controller.planOutputTokens).arg(controller.planCost)
                      .arg(controller.planCostMax).arg(root.describeSeconds(controller.planEtaSeconds))
                      .arg(controller.planBoundBy)
            }
            Label {
                Layout.fillWidth: true
                visible: controller.planProblemsText.length > 0
                text: qsTr("%1 unreadable records, %2 rows missing a variable:\n%3")
                      .arg(controller.planBadRows).arg(controller.planRenderFailures)
                      .arg(controller.planProblemsText)
                wrapMode: Text.Wrap
                opacity: 0.8
            }

            // The run
            RowLayout {
                spacing: 8

                Label {
                    text: qsTr("Budget")
                }
                TextField {
                    objectName: "budgetField"
                    Layout.preferredWidth: 90
                    placeholderText: qsTr("no cap")
                    validator: DoubleValidator {
                        bottom: 0
                        locale: "C"
                    }
                    text: controller.budget > 0 ? String(controller.budget) : ""
                    onEditingFinished: controller.budget = text.length > 0 ? Number(text) : 0
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("The run pauses when its rows have cost this much (in the price table's currency).")
                }
                Button {
                    objectName: "startButton"
                    text: controller.continuingRunId.length > 0 ? qsTr("Continue") : qsTr("Start")
                    enabled: controller.canStart
                    onClicked: controller.start()
                }
                Button {
                    objectName: "pauseButton"
                    text: qsTr("Pause")
                    visible: controller.state === BatchController.Running
                    onClicked: controller.pause()
                }
                Button {
                    objectName: "resumeButton"
                    text: qsTr("Resume")
                    visible: controller.state === BatchController.Paused
                    onClicked: controller.resume()
                }
                Button {
                    objectName: "cancelButton"
                    text: qsTr("Cancel")
                    visible: controller.state === BatchController.Running
                             || controller.state === BatchController.Paused
                    onClicked: controller.cancel()
                }
                Label {
                    objectName: "runStateLabel"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: {
                        switch (controller.state) {
                        case BatchController.Running:
                            return qsTr("Running: %1 rows done, %2 in flight, %3 spent.").arg(controller.finishedRows).arg(controller.inFlight).arg(controller.spentText)
                        case BatchController.Paused:
                            return qsTr("Paused: %1").arg(controller.stateReason)
                        case BatchController.Stopped:
                            return qsTr("Stopped: %1").arg(controller.stateReason)
                        case BatchController.Finished:
                            return qsTr("Finished: %1 ok, %2 not ok, %3 skipped.").arg(controller.okRows).arg(controller.notOkRows).arg(controller.skippedRows)
                        case BatchController.Cancelled:
                            return qsTr("Cancelled.")
                        }
                        return ""
                    }
                }
            }
            RowLayout {
                objectName: "budgetReachedRow"
                visible: controller.pausedAtBudget
                spacing: 8

                Label {
                    text: qsTr("The run reached its budget (%1 spent). Raise the cap to go on:").arg(controller.spentText)
                    color: palette.highlight
                }
                TextField {
                    id: raisedBudget

                    objectName: "raisedBudgetField"
                    Layout.preferredWidth: 90
                    validator: DoubleValidator {
                        bottom: 0
                        locale: "C"
                    }
                    text: String(controller.budget * 2)
                }
                Button {
                    objectName: "raiseBudgetButton"
                    text: qsTr("Raise and go on")
                    onClicked: controller.raiseBudget(Number(raisedBudget.text))
                }
            }
            ProgressBar {
                objectName: "runProgress"
                Layout.fillWidth: true
                visible: controller.state !== BatchController.Idle
                value: controller.progress
            }

            // The results
            RowLayout {
                visible: controller.runId.length > 0
                spacing: 8

                Label {
                    text: qsTr("Results")
                    font.bold: true
                }
                ComboBox {
                    id: statusFilter

                    objectName: "resultsStatusFilter"
                    model: controller.results.filterChoices
                    displayText: currentIndex <= 0 ? qsTr("All statuses") : currentText
                    onActivated: controller.results.statusFilter = currentIndex <= 0 ? "" : currentText
                }
                Item {
                    Layout.fillWidth: true
                }
                Button {
                    objectName: "exportJsonlButton"
                    text: qsTr("Export JSONL…")
                    onClicked: {
                        exportDialog.format = "jsonl"
                        exportDialog.open()
                    }
                }
                Button {
                    objectName: "exportCsvButton"
                    text: qsTr("Export CSV…")
                    onClicked: {
                        exportDialog.format = "csv"
                        exportDialog.open()
                    }
                }
            }
            Label {
                Layout.fillWidth: true
                visible: controller.results.matchingRows > controller.results.count
                text: qsTr("Showing the first %1 of %2 rows; export for all of them.")
                      .arg(controller.results.count).arg(controller.results.matchingRows)
                wrapMode: Text.Wrap
                opacity: 0.7
            }
            ListView {
                id: resultsView

                objectName: "resultsView"
                Layout.fillWidth: true
                Layout.preferredHeight: 320
                visible: controller.runId.length > 0
                clip: true
                model: controller.results
                ScrollBar.vertical: ScrollBar { }

                header: Row {
                    spacing: 8

                    Label { width: 110; text: qsTr("Status"); font.bold: true }
                    Label { width: 80; text: qsTr("Row"); font.bold: true }
                    Label { width: 90; text: qsTr("Cost"); font.bold: true }
                    Label { width: 90; text: qsTr("Latency"); font.bold: true }
                    Label { text: qsTr("Output or error"); font.bold: true }
                }
                delegate: Row {
                    id: resultDelegate

                    required property string status
                    required property string rowId
                    required property var costUsd
                    required property double latencyMs
                    required property string output
                    required property string errorClass
                    required property string errorMessage

                    spacing: 8

                    Label { width: 110; text: resultDelegate.status }
                    Label { width: 80; text: resultDelegate.rowId; elide: Text.ElideRight }
                    Label {
                        width: 90
                        text: resultDelegate.costUsd === undefined ? qsTr("unknown")
                                                                   : "$" + Number(resultDelegate.costUsd).toFixed(6)
                    }
                    Label { width: 90; text: qsTr("%1 ms").arg(resultDelegate.latencyMs.toFixed(0)) }
                    Label {
                        width: resultDelegate.ListView.view.width - 400
                        text: resultDelegate.errorClass.length > 0
                              ? qsTr("%1: %2").arg(resultDelegate.errorClass).arg(resultDelegate.errorMessage)
                              : resultDelegate.output
                        elide: Text.ElideRight
                        maximumLineCount: 1
                    }
                }
            }
        }
    }
}
