import QtQuick
import QtCharts
import Sluice.Runs.Models

// One live chart of the Monitor: a line per entry of `lines`, all on a time
// axis that spans the whole session (the series are downsampled in C++, so
// the points drawn stay bounded however long the app runs).
ChartView {
    id: root

    required property MetricsSeries metrics
    /// [{ which: MetricsSeries.Rpm, name: qsTr("Requests per minute"), dashed: false }]
    required property var lines
    property string unit
    property var created: []

    function refresh() {
        let top = 0
        for (let i = 0; i < created.length; ++i) {
            metrics.fill(created[i], lines[i].which)
            top = Math.max(top, metrics.maxOf(lines[i].which))
        }
        yAxis.max = top > 0 ? top * 1.15 : 1
        if (metrics.sampleCount > 0) {
            xAxis.min = metrics.firstTime
            // At least one minute wide, so the first samples do not fill the chart.
            xAxis.max = new Date(Math.max(metrics.lastTime.getTime(), metrics.firstTime.getTime() + 60000))
        }
    }

    antialiasing: true
    legend.alignment: Qt.AlignBottom
    margins.top: 4
    margins.bottom: 4
    margins.left: 4
    margins.right: 4
    Component.onCompleted: {
        const made = []
        for (const line of lines) {
            const series = createSeries(ChartView.SeriesTypeLine, line.name, xAxis, yAxis)
            if (line.dashed)
                series.style = Qt.DashLine
            made.push(series)
        }
        created = made
        refresh()
    }

    DateTimeAxis {
        id: xAxis

        format: "hh:mm:ss"
        tickCount: 4
    }
    // ValuesAxis is ValueAxis's older name: Qt 6.4's qmltypes declare the
    // type twice and qmllint only sees this one.
    ValuesAxis {
        id: yAxis

        min: 0
        max: 1
        titleText: root.unit
        labelFormat: "%.4g"
    }
    Connections {
        function onSampled() {
            root.refresh()
        }

        target: root.metrics
    }
}
