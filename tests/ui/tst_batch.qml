import QtQuick
import QtTest
import Sluice
import Sluice.Runs
import Sluice.Runs.Models

// The Batch page: a dataset, its preview and plan, and a small run against
// the embedded simulator through the page, checked in the results table.
TestCase {
    id: root

    readonly property url dataset: Qt.resolvedUrl("data/reviews.csv")

    name: "BatchPage"
    when: windowShown
    visible: true
    width: 1100
    height: 900

    Component {
        id: pageComponent

        BatchPage {
            width: root.width
            height: root.height
        }
    }

    function makePage() {
        const page = createTemporaryObject(pageComponent, root)
        verify(page)
        compare(page.batch.schemaText, RunsSession.schemaText)
        compare(page.batch.useSchema, RunsSession.useSchema)
        page.batch.prompt = "How does this review feel? {{review}}"
        page.batch.instructions = ""
        page.batch.useSchema = false
        return page
    }

    function test_smallRunAgainstTheSimulator() {
        verify(Workbench.usingSimulator, "no key is set, so the simulator answers")
        const page = makePage()
        const batch = page.batch
        verify(batch.openDataset(root.dataset), batch.datasetError)
        compare(batch.datasetError, "")
        compare(batch.preview.count, 10)
        compare(batch.preview.columns, ["id", "review", "stars"])
        compare(batch.preview.columnUsed, [false, true, false])
        compare(batch.missingVariables.length, 0)
        verify(!findChild(page, "missingVariablesLabel").visible)
        verify(batch.hasPlan)
        compare(batch.planRows, 20)
        verify(batch.planInputTokens > 0)
        verify(findChild(page, "planLabel").text.indexOf("20 rows") >= 0)

        const start = findChild(page, "startButton")
        verify(start.enabled)
        mouseClick(start)
        compare(batch.errorMessage, "")
        verify(batch.runId.length > 0)
        tryCompare(batch, "state", BatchController.Finished, 30000)
        compare(batch.finishedRows, 20)
        compare(batch.okRows, 20)
        compare(batch.progress, 1)
        verify(findChild(page, "runStateLabel").text.indexOf("20 ok") >= 0)

        const results = findChild(page, "resultsView")
        verify(results.visible)
        tryCompare(results, "count", 20)
        tryVerify(() => results.itemAtIndex(0) !== null, 2000, "the first row is drawn")
        const first = results.itemAtIndex(0)
        compare(first.status, "ok")
        verify(first.output.length > 0, "the simulator's answer is shown")
        verify(first.latencyMs > 0)
        compare(batch.results.countsByStatus["ok"], 20)
        compare(batch.results.filterChoices, ["", "ok"])

        // Filtered by status: nothing failed, then every row again.
        batch.results.statusFilter = "failed"
        tryCompare(results, "count", 0)
        batch.results.statusFilter = ""
        tryCompare(results, "count", 20)
    }

    function test_schemaShapesEveryAnswer() {
        const page = makePage()
        const batch = page.batch
        batch.schemaText = JSON.stringify({
            type: "object",
            properties: { sentiment: { type: "string", enum: ["positive", "negative", "mixed"] } },
            required: ["sentiment"],
            additionalProperties: false
        })
        batch.useSchema = true
        verify(batch.openDataset(root.dataset))
        verify(batch.start(), batch.errorMessage)
        tryCompare(batch, "state", BatchController.Finished, 30000)
        compare(batch.okRows, 20)
        const results = findChild(page, "resultsView")
        tryVerify(() => results.itemAtIndex(0) !== null, 2000)
        const answer = JSON.parse(results.itemAtIndex(0).output)
        verify(["positive", "negative", "mixed"].indexOf(answer.sentiment) >= 0, results.itemAtIndex(0).output)
    }

    function test_sampleDatasetIsOneClickAway() {
        const page = makePage()
        const sample = findChild(page, "sampleDatasetButton")
        verify(sample.visible)
        mouseClick(sample)
        compare(page.batch.datasetError, "")
        compare(page.batch.datasetPath, Workbench.sampleDataset)
        compare(page.batch.preview.columns, ["id", "product", "review"])
        compare(page.batch.planRows, 200)
        verify(!sample.visible)
    }

    function test_pauseResumeAndCancel() {
        const page = makePage()
        const batch = page.batch
        verify(batch.openDataset(root.dataset))
        verify(batch.start())
        // Rows are taken from the event loop: the pause comes first.
        batch.pause()
        compare(batch.state, BatchController.Paused)
        verify(findChild(page, "resumeButton").visible)
        verify(!batch.canStart, "one run at a time")
        wait(50)
        compare(batch.finishedRows, 0)
        batch.resume()
        tryCompare(batch, "state", BatchController.Finished, 30000)
        compare(batch.okRows, 20)

        verify(batch.start(), batch.errorMessage)
        batch.cancel()
        compare(batch.state, BatchController.Cancelled)
        verify(findChild(page, "runStateLabel").text.length > 0)
        verify(batch.canStart, "a cancelled run makes way for a new one")
    }

    function test_closingThePageMidRunLeavesTheServiceUsable() {
        const page = makePage()
        verify(page.batch.openDataset(root.dataset))
        verify(page.batch.start())
        wait(5) // some rows in flight
        page.destroy()
        wait(200) // their answers arrive for a run that is gone: nothing breaks
        // The service still answers a new run.
        const next = makePage()
        verify(next.batch.openDataset(root.dataset))
        verify(next.batch.start(), next.batch.errorMessage)
        tryCompare(next.batch, "state", BatchController.Finished, 30000)
        compare(next.batch.okRows, 20)
    }

    // A run left by closing the page (or quitting) is continued from where it
    // stopped: the rows it finished are shown and not sent again.
    function test_continueARunLeftUnfinished() {
        const first = makePage()
        verify(first.batch.openDataset(root.dataset))
        first.batch.budget = 0.01 // a few of the simulator's rows (each reserves its worst case)
        verify(first.batch.start(), first.batch.errorMessage)
        tryVerify(() => first.batch.pausedAtBudget, 30000, "the run pauses at its cap")
        tryVerify(() => first.batch.inFlight === 0, 30000, "the rows admitted finish")
        const runId = first.batch.runId
        const done = first.batch.finishedRows
        verify(done > 0 && done < 20, done)
        first.destroy()
        wait(50)

        const page = makePage()
        const batch = page.batch
        RunsSession.continueRunId = runId
        compare(RunsSession.continueRunId, "", "the page took the run")
        compare(batch.continuingRunId, runId)
        compare(batch.errorMessage, "")
        compare(batch.datasetError, "")
        verify(findChild(page, "continueRow").visible)
        compare(batch.results.totalRows, done)
        compare(batch.finishedRows, done)
        const start = findChild(page, "startButton")
        compare(start.text, "Continue")
        verify(start.enabled)
        mouseClick(start)
        compare(batch.errorMessage, "")
        compare(batch.runId, runId)
        tryCompare(batch, "state", BatchController.Finished, 30000)
        compare(batch.finishedRows, 20)
        compare(batch.okRows, 20)
        compare(batch.progress, 1)
        compare(batch.results.totalRows, 20)
        const results = findChild(page, "resultsView")
        tryCompare(results, "count", 20)
        compare(start.text, "Start", "a finished run leaves nothing to continue")
        verify(!findChild(page, "continueRow").visible)

        // Finished now: it cannot be continued again, and the page says so.
        verify(!batch.openRun(runId))
        verify(batch.errorMessage.indexOf("finished") >= 0, batch.errorMessage)
    }

    function test_budgetPausesTheRunUntilRaised() {
        const page = makePage()
        const batch = page.batch
        verify(batch.openDataset(root.dataset))
        batch.budget = 0.00003 // two or three of the simulator's rows
        verify(batch.start(), batch.errorMessage)
        tryVerify(() => batch.pausedAtBudget, 30000, "the run pauses at its cap")
        compare(batch.state, BatchController.Paused)
        verify(batch.finishedRows < 20, "rows past the cap wait")
        verify(findChild(page, "budgetReachedRow").visible)
        verify(batch.spentText.length > 0)
        mouseClick(findChild(page, "raiseBudgetButton")) // twice the cap: still short
        batch.raiseBudget(1)
        tryCompare(batch, "state", BatchController.Finished, 30000)
        compare(batch.okRows, 20)
        verify(!findChild(page, "budgetReachedRow").visible)
    }

    function test_missingColumnIsNamed() {
        const page = makePage()
        const batch = page.batch
        batch.prompt = "Weather in {{city}} for {{review}}"
        verify(batch.openDataset(root.dataset))
        compare(batch.missingVariables, ["city"])
        const label = findChild(page, "missingVariablesLabel")
        verify(label.visible)
        verify(label.text.indexOf("{{city}}") >= 0, label.text)
        compare(batch.planRenderFailures, 20)
    }

    function test_wrongFileSaysWhatToOpen() {
        const page = makePage()
        verify(!page.batch.openDataset("file:///tmp/notes.txt"))
        const error = findChild(page, "batchError")
        verify(error.visible)
        verify(error.text.indexOf(".csv") >= 0, error.text)
    }

    function test_startWithoutDatasetSaysWhatToDo() {
        const page = makePage()
        verify(!page.batch.start())
        verify(page.batch.errorMessage.indexOf("Open a CSV or JSONL dataset") === 0)
        verify(findChild(page, "batchError").visible)
    }
}
