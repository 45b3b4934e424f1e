import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts
import Sluice.Runs.Models

// Monitor: live charts of the service's metrics, sampled once a second while
// the page is shown: request and token rates against the gate's limits,
// latency and time to first token, time in the gates, cumulative cost and
// errors by class.
Page {
    id: root

    /// The LlmService to watch.
    property QtObject service: RunsSession.service
    property alias metrics: metricsSeries

    title: qsTr("Monitor")

    MetricsSeries {
        id: metricsSeries

        service: root.service
        active: root.visible && root.service !== null
    }

    ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth

        ColumnLayout {
            width: scroll.availableWidth
            spacing: 8

            Label {
                objectName: "summaryLabel"
                Layout.fillWidth: true
                Layout.margins: 12
                wrapMode: Text.Wrap
                text: {
                    if (root.service === null)
                        return qsTr("No service to watch yet: choose a provider in Settings.")
                    if (metricsSeries.sampleCount === 0)
                        return qsTr("Waiting for the first sample…")
                    const rpm = metricsSeries.latest(MetricsSeries.Rpm)
                    const tpm = metricsSeries.latest(MetricsSeries.Tpm)
                    return qsTr("%1 requests/min, %2 tokens/min, latency p50 %3 ms, p95 %4 ms, cost $%5")
                        .arg(rpm.toFixed(0)).arg(tpm.toFixed(0))
                        .arg(metricsSeries.latest(MetricsSeries.LatencyP50).toFixed(0))
                        .arg(metricsSeries.latest(MetricsSeries.LatencyP95).toFixed(0))
                        .arg(metricsSeries.latest(MetricsSeries.CostUsd).toFixed(6))
                }
            }

            GridLayout {
                Layout.fillWidth: true
                Layout.leftMargin: 8
                Layout.rightMargin: 8
                columns: root.width > 900 ? 2 : 1
                rowSpacing: 8
                columnSpacing: 8

                MetricsChart {
                    objectName: "rpmChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 240
                    title: qsTr("Requests per minute")
                    metrics: metricsSeries
                    unit: qsTr("requests/min")
                    lines: [
                        { which: MetricsSeries.Rpm, name: qsTr("sent") },
                        { which: MetricsSeries.RpmLimit, name: qsTr("gate limit"), dashed: true }
                    ]
                }
                MetricsChart {
                    objectName: "tpmChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 240
                    title: qsTr("Tokens per minute")
                    metrics: metricsSeries
                    unit: qsTr("tokens/min")
                    lines: [
                        { which: MetricsSeries.Tpm, name: qsTr("received") },
                        { which: MetricsSeries.TpmLimit, name: qsTr("gate limit"), dashed: true }
                    ]
                }
                MetricsChart {
                    objectName: "latencyChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 240
                    title: qsTr("Latency since start")
                    metrics: metricsSeries
                    unit: qsTr("ms")
                    lines: [
                        { which: MetricsSeries.LatencyP50, name: qsTr("p50") },
                        { which: MetricsSeries.LatencyP95, name: qsTr("p95") },
                        { which: MetricsSeries.TtftP50, name: qsTr("first token p50"), dashed: true }
                    ]
                }
                MetricsChart {
                    objectName: "queueChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 240
                    title: qsTr("Wait in the gates since start")
                    metrics: metricsSeries
                    unit: qsTr("ms")
                    lines: [
                        { which: MetricsSeries.QueueWaitP50, name: qsTr("p50") },
                        { which: MetricsSeries.QueueWaitP95, name: qsTr("p95") }
                    ]
                }
                MetricsChart {
                    objectName: "costChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 240
                    title: qsTr("Cumulative cost")
                    metrics: metricsSeries
                    unit: qsTr("USD")
                    lines: [
                        { which: MetricsSeries.CostUsd, name: qsTr("cost") }
                    ]
                }
                ChartView {
                    id: errorsChart

                    objectName: "errorsChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 240
                    title: qsTr("Errors by class")
                    antialiasing: true
                    legend.visible: false

                    BarSeries {
                        id: errorBars

                        axisX: BarCategoryAxis {
                            categories: metricsSeries.errorClasses
                        }
                        axisY: ValuesAxis { // ValueAxis; see MetricsChart.qml
                            // Whole counts: the top is a multiple of the four steps.
                            min: 0
                            max: 4 * Math.ceil(Math.max(1, metricsSeries.maxErrorCount * 1.15) / 4)
                            tickCount: 5
                            labelFormat: "%.0f"
                        }

                        BarSet {
                            label: qsTr("errors")
                            values: metricsSeries.errorCounts
                        }
                    }
                    Label {
                        objectName: "noErrorsLabel"
                        anchors.centerIn: parent
                        visible: metricsSeries.errorClasses.length === 0
                        text: qsTr("No errors so far.")
                        opacity: 0.7
                    }
                }
            }
        }
    }
}
