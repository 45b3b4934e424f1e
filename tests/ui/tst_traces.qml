import QtQuick
import QtTest
import Sluice
import Sluice.Runs
import Sluice.Runs.Models

// The Traces page: a run made here appears in the list, its requests in the
// middle, and a request's spans as bars on one time axis; exports write files.
TestCase {
    id: root

    name: "TracesPage"
    when: windowShown
    visible: true
    width: 1200
    height: 800

    BatchController {
        id: seed

        service: RunsSession.service
        storePath: RunsSession.storePath
        model: Workbench.model
        prompt: "Summarise: {{review}}"
    }

    // A run left paused at its cap: unfinished, so it can be continued.
    BatchController {
        id: unfinished

        service: RunsSession.service
        storePath: RunsSession.storePath
        model: Workbench.model
        prompt: "Summarise: {{review}}"
        budget: 0.00003
    }

    Component {
        id: pageComponent

        TracesPage {
            width: root.width
            height: root.height
        }
    }

    function initTestCase() {
        verify(unfinished.openDataset(Qt.resolvedUrl("data/reviews.csv")), unfinished.datasetError)
        verify(unfinished.start(), unfinished.errorMessage)
        tryVerify(() => unfinished.pausedAtBudget, 30000, "the run pauses at its cap")
        verify(seed.openDataset(Qt.resolvedUrl("data/reviews.csv")), seed.datasetError)
        verify(seed.start(), seed.errorMessage)
        tryCompare(seed, "state", BatchController.Finished, 30000)
    }

    function runRow(page, runId) {
        for (let i = 0; i < page.runs.count; ++i) {
            if (page.runs.runIdAt(i) === (runId || seed.runId))
                return i
        }
        return -1
    }

    function test_runRequestsAndTimeline() {
        const page = createTemporaryObject(pageComponent, root)
        verify(page)
        compare(page.storePath, seed.storePath)
        compare(page.runs.errorMessage, "")
        compare(page.runs.runIdAt(0), seed.runId, "newest first")
        const row = runRow(page)
        verify(row >= 0)

        const runsView = findChild(page, "runsView")
        tryVerify(() => runsView.height > 0, 2000, "the page is laid out")
        mouseClick(runsView.itemAtIndex(row))
        compare(page.selectedRunId, seed.runId)
        verify(runsView.itemAtIndex(row).summary.indexOf("20 ok") >= 0)
        tryCompare(page.requests, "count", 20)
        compare(page.requests.statuses, ["ok"])

        const requestsView = findChild(page, "requestsView")
        mouseClick(requestsView.itemAtIndex(0))
        tryVerify(() => page.timeline.count >= 3, 2000, "request, queued, attempt at least")
        verify(page.timeline.traceId.length > 0)
        const timelineView = findChild(page, "timelineView")
        tryVerify(() => timelineView.itemAtIndex(timelineView.count - 1) !== null, 2000,
                  "every span is drawn")
        verify(findChild(page, "timeAxis").visible)
        const names = []
        for (let i = 0; i < timelineView.count; ++i) {
            const item = timelineView.itemAtIndex(i)
            if (item)
                names.push(item.name)
        }
        verify(names.indexOf("request") >= 0, names.join(","))
        verify(names.indexOf("attempt") >= 0, names.join(","))
        compare(timelineView.itemAtIndex(0).startFraction, 0)
    }

    function test_exportsWriteFiles() {
        const page = createTemporaryObject(pageComponent, root)
        const row = runRow(page)
        findChild(page, "runsView").currentIndex = row
        compare(page.selectedRunId, seed.runId)
        const base = seed.storePath.replace(/[^\/]*$/, "")
        verify(page.exportRun("trace", "file://" + base + "export-trace.json"), page.runs.errorMessage)
        verify(page.exportRun("otlp", "file://" + base + "export-otlp.json"), page.runs.errorMessage)
        verify(!page.exportRun("otlp", "file:///nonexistent-dir/x/y.json"))
        verify(findChild(page, "tracesError").visible)
    }

    function test_unfinishedRunOffersContinue() {
        const page = createTemporaryObject(pageComponent, root)
        const runsView = findChild(page, "runsView")
        tryVerify(() => runsView.height > 0, 2000, "the page is laid out")
        const finishedRow = runRow(page)
        const pausedRow = runRow(page, unfinished.runId)
        verify(pausedRow >= 0)
        tryVerify(() => runsView.itemAtIndex(pausedRow) !== null, 2000)
        compare(runsView.itemAtIndex(pausedRow).status, "paused")
        verify(!findChild(runsView.itemAtIndex(finishedRow), "continueRunButton").visible,
               "a finished run has nothing to continue")
        const button = findChild(runsView.itemAtIndex(pausedRow), "continueRunButton")
        verify(button.visible)
        compare(button.text, "Continue")
        mouseClick(button)
        compare(RunsSession.continueRunId, unfinished.runId, "the Batch page is asked to open it")
        RunsSession.continueRunId = ""
    }
}
