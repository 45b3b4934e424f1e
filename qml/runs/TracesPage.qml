import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Sluice.Runs.Models

// Traces: the runs in the run store (newest first), the requests of the
// selected run filtered by status, and one request's timeline: queued, gate
// wait, attempts, backoff, validation and repair as bars on a time axis.
// A run exports as sluice-trace JSON or OTLP/JSON. An unfinished run
// (running after a crash, paused, stopped) offers Continue, which opens it
// on the Batch page.
Page {
    id: root

    property alias storePath: runList.storePath
    property alias runs: runList
    property alias requests: requestRows
    property alias timeline: traceTimeline
    property string selectedRunId

    // The views' current items drive these (a click sets currentIndex).
    function selectRun(index: int) {
        runsView.currentIndex = index
        selectedRunId = runList.runIdAt(index)
        requestsView.currentIndex = -1
        traceTimeline.clear()
        requestRows.reload()
    }
    function selectRequest(index: int) {
        requestsView.currentIndex = index
        traceTimeline.setTraceMap(requestRows.traceAt(index))
    }
    function exportRun(format: string, file: url) : bool {
        return runList.exportRun(selectedRunId, file, format)
    }

    title: qsTr("Traces")
    onVisibleChanged: if (visible) runList.reload()

    RunListModel {
        id: runList

        storePath: RunsSession.storePath
    }
    RunRowsModel {
        id: requestRows

        storePath: runList.storePath
        runId: root.selectedRunId
        capacity: 1000
    }
    TraceTimeline {
        id: traceTimeline
    }
    FileDialog {
        id: exportDialog

        property string format

        fileMode: FileDialog.SaveFile
        nameFilters: format === "otlp" ? [qsTr("OTLP JSON (*.json)")] : [qsTr("Sluice trace JSON (*.json)")]
        onAccepted: root.exportRun(format, selectedFile)
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 8

        Label {
            objectName: "tracesError"
            Layout.fillWidth: true
            visible: text.length > 0
            text: runList.errorMessage || requestRows.errorMessage
            color: palette.highlight
            wrapMode: Text.Wrap
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true

            // Runs
            ColumnLayout {
                SplitView.preferredWidth: 300
                spacing: 6

                RowLayout {
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Runs")
                        font.bold: true
                    }
                    Button {
                        objectName: "reloadRunsButton"
                        text: qsTr("Reload")
                        onClicked: runList.reload()
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: runList.count === 0
                    text: qsTr("No runs yet. Runs from the Batch page and from sluice-cli appear here.")
                    wrapMode: Text.Wrap
                    opacity: 0.7
                }
                ListView {
                    id: runsView

                    objectName: "runsView"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    currentIndex: -1
                    model: runList
                    onCurrentIndexChanged: root.selectRun(currentIndex)

                    delegate: ItemDelegate {
                        id: runDelegate

                        required property int index
                        required property string runId
                        required property date createdAt
                        required property string status
                        required property string stopReason
                        required property string model
                        required property string summary

                        width: ListView.view.width
                        highlighted: ListView.isCurrentItem
                        onClicked: ListView.view.currentIndex = index

                        contentItem: ColumnLayout {
                            spacing: 2

                            Label {
                                text: runDelegate.createdAt.toLocaleString(Qt.locale(), Locale.ShortFormat)
                                      + "  " + runDelegate.model
                                font.bold: true
                            }
                            Label {
                                text: runDelegate.stopReason.length > 0
                                      ? qsTr("%1 (%2)").arg(runDelegate.status).arg(runDelegate.stopReason)
                                      : runDelegate.status
                            }
                            Label {
                                text: runDelegate.summary
                                opacity: 0.7
                            }
                            Button {
                                objectName: "continueRunButton"
                                visible: runDelegate.status === "running" || runDelegate.status === "paused"
                                         || runDelegate.status === "stopped"
                                text: qsTr("Continue")
                                ToolTip.visible: hovered
                                ToolTip.text: qsTr("Open the run on the Batch page to send the rows it has not finished.")
                                // The shell (Main.qml) shows the Batch page, which opens the run.
                                onClicked: {
                                    RunsSession.continueRunId = runDelegate.runId
                                    const shell = ApplicationWindow.window
                                    if (shell && typeof shell["showPage"] === "function")
                                        shell["showPage"]("batch")
                                }
                            }
                        }
                    }
                }
            }

            // Requests of the selected run
            ColumnLayout {
                SplitView.preferredWidth: 380
                spacing: 6

                RowLayout {
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Requests")
                        font.bold: true
                    }
                    ComboBox {
                        id: statusFilter

                        objectName: "requestStatusFilter"
                        model: requestRows.filterChoices
                        displayText: currentIndex <= 0 ? qsTr("All statuses") : currentText
                        onActivated: requestRows.statusFilter = currentIndex <= 0 ? "" : currentText
                    }
                }
                RowLayout {
                    enabled: root.selectedRunId.length > 0

                    Button {
                        objectName: "exportTraceButton"
                        text: qsTr("Export trace JSON…")
                        onClicked: {
                            exportDialog.format = "trace"
                            exportDialog.open()
                        }
                    }
                    Button {
                        objectName: "exportOtlpButton"
                        text: qsTr("Export OTLP…")
                        onClicked: {
                            exportDialog.format = "otlp"
                            exportDialog.open()
                        }
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: requestRows.matchingRows > requestRows.count
                    text: qsTr("Showing the first %1 of %2 requests; export the run for all of them.")
                          .arg(requestRows.count).arg(requestRows.matchingRows)
                    wrapMode: Text.Wrap
                    opacity: 0.7
                }
                ListView {
                    id: requestsView

                    objectName: "requestsView"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    currentIndex: -1
                    model: requestRows
                    onCurrentIndexChanged: root.selectRequest(currentIndex)

                    delegate: ItemDelegate {
                        id: requestDelegate

                        required property int index
                        required property string rowId
                        required property string status
                        required property double latencyMs
                        required property int attempts
                        required property string errorClass

                        width: ListView.view.width
                        highlighted: ListView.isCurrentItem
                        onClicked: ListView.view.currentIndex = index
                        text: qsTr("%1  %2  %3 ms  %4 attempt(s) %5")
                              .arg(rowId).arg(status).arg(latencyMs.toFixed(0)).arg(attempts)
                              .arg(errorClass)
                    }
                }
            }

            // One request's timeline
            ColumnLayout {
                SplitView.fillWidth: true
                spacing: 6

                Label {
                    Layout.fillWidth: true
                    text: traceTimeline.count > 0
                          ? qsTr("Trace %1, %2 ms").arg(traceTimeline.traceId).arg(traceTimeline.totalMs.toFixed(1))
                          : qsTr("Select a request to see its timeline.")
                    font.bold: traceTimeline.count > 0
                    wrapMode: Text.Wrap
                }
                ListView {
                    id: timelineView

                    objectName: "timelineView"
                    Layout.fillWidth: true
                    // As tall as its spans (26 + 4 each), so the time axis sits under them.
                    Layout.preferredHeight: count * 30
                    Layout.maximumHeight: 600
                    clip: true
                    spacing: 4
                    model: traceTimeline

                    delegate: Item {
                        id: spanDelegate

                        required property string name
                        required property int depth
                        required property double offsetMs
                        required property double durationMs
                        required property bool open
                        required property string details
                        required property double startFraction
                        required property double durationFraction
                        readonly property real labelWidth: 110
                        readonly property real barsWidth: width - labelWidth - 8

                        width: ListView.view.width
                        height: 26

                        Label {
                            width: spanDelegate.labelWidth
                            anchors.verticalCenter: parent.verticalCenter
                            leftPadding: spanDelegate.depth * 10
                            text: spanDelegate.name
                            elide: Text.ElideRight
                        }
                        Rectangle {
                            objectName: "spanBar"
                            x: spanDelegate.labelWidth + spanDelegate.startFraction * spanDelegate.barsWidth
                            anchors.verticalCenter: parent.verticalCenter
                            width: Math.max(2, spanDelegate.durationFraction * spanDelegate.barsWidth)
                            height: 16
                            radius: 3
                            color: spanDelegate.name === "backoff" || spanDelegate.name === "gate_wait"
                                   || spanDelegate.name === "queued" ? palette.mid : palette.highlight
                            opacity: spanDelegate.open ? 0.5 : 1

                            HoverHandler {
                                id: spanHover
                            }
                            ToolTip.visible: spanHover.hovered
                            ToolTip.text: qsTr("%1: starts at %2 ms, %3 ms %4")
                                          .arg(spanDelegate.name).arg(spanDelegate.offsetMs.toFixed(1))
                                          .arg(spanDelegate.durationMs.toFixed(1)).arg(spanDelegate.details)
                        }
                    }
                }

                // The time axis under the bars: from the trace's start to its end.
                Item {
                    objectName: "timeAxis"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 24
                    visible: traceTimeline.count > 0

                    Rectangle {
                        x: 110
                        width: parent.width - 118
                        height: 1
                        color: palette.mid
                    }
                    Label {
                        x: 110
                        y: 4
                        text: qsTr("0 ms")
                        opacity: 0.7
                    }
                    Label {
                        anchors.right: parent.right
                        anchors.rightMargin: 8
                        y: 4
                        text: qsTr("%1 ms").arg(traceTimeline.totalMs.toFixed(1))
                        opacity: 0.7
                    }
                }
                Item {
                    Layout.fillHeight: true
                }
            }
        }
    }
}
