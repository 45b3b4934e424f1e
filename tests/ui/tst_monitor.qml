import QtQuick
import QtTest
import QtCharts
import Sluice
import Sluice.Runs.Models
import Sluice.Runs

// The Monitor samples the service into its charts.
TestCase {
    id: root

    name: "MonitorPage"
    when: windowShown
    visible: true
    width: 1000
    height: 800

    Component {
        id: pageComponent

        MonitorPage {
            width: root.width
            height: root.height
        }
    }

    function test_samplesFillEveryChart() {
        const page = createTemporaryObject(pageComponent, root)
        verify(page)
        verify(page.service !== null, "the app's service is watched")
        compare(page.metrics.service, page.service)
        tryVerify(() => page.metrics.sampleCount > 0, 3000, "sampling starts when the page is shown")
        page.metrics.sampleNow()
        page.metrics.sampleNow()
        for (const name of ["rpmChart", "tpmChart", "latencyChart", "queueChart", "costChart"]) {
            const chart = findChild(page, name)
            verify(chart, name)
            verify(chart.count > 0, name + " has series")
            verify(chart.series(0).count > 0, name + " has points")
        }
        verify(findChild(page, "noErrorsLabel").visible)
        verify(findChild(page, "summaryLabel").text.indexOf("requests/min") >= 0)
    }

    function test_gateLimitsAreDrawnBesideTheRates() {
        const before = [Workbench.requestsPerMinute, Workbench.tokensPerMinute,
                        Workbench.windowSeconds, Workbench.maxConcurrent]
        try {
            verify(Workbench.setLimits(600, 90000, Workbench.windowSeconds, Workbench.maxConcurrent))
            const page = createTemporaryObject(pageComponent, root)
            page.metrics.sampleNow()
            verify(page.metrics.hasRequestLimit)
            verify(page.metrics.hasTokenLimit)
            compare(page.metrics.latest(MetricsSeries.RpmLimit), 600)
            compare(page.metrics.latest(MetricsSeries.TpmLimit), 90000)
            verify(findChild(page, "rpmChart").series(1).count > 0, "the limit line is drawn")
            verify(findChild(page, "tpmChart").series(1).count > 0, "the limit line is drawn")
        } finally {
            Workbench.setLimits(before[0], before[1], before[2], before[3])
        }
    }

    function test_withoutServiceSaysWhatToDo() {
        const page = createTemporaryObject(pageComponent, root, { service: null })
        verify(!page.metrics.active)
        compare(page.metrics.sampleCount, 0)
        verify(findChild(page, "summaryLabel").text.indexOf("Settings") >= 0)
    }

    function test_hiddenPageStopsSampling() {
        const page = createTemporaryObject(pageComponent, root)
        verify(page.metrics.active)
        page.visible = false
        verify(!page.metrics.active)
    }
}
