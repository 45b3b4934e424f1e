import QtQuick
import QtTest
import QtCharts
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
