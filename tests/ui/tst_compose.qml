import QtQuick
import QtTest
import Sluice
import Sluice.Ui

// The Compose page against the embedded simulator (no key in this test):
// the variables table follows the prompt, Ctrl+Enter runs, a streamed answer
// shows its TTFT, Copy puts the answer on the clipboard, and problems found
// before sending say what to do.
TestCase {
    id: root

    name: "ComposePage"
    when: windowShown
    visible: true // TestCase is invisible by default; its children must receive input
    width: 1100
    height: 700

    Component {
        id: pageComponent

        ComposePage {
            width: root.width
            height: root.height
        }
    }

    TextEdit {
        id: pasteTarget
    }

    // Counts the answer's growth while the run is still going (streaming).
    Connections {
        id: streamWatch

        property int growths: 0

        target: Workbench
        function onAnswerStreamed() {
            if (Workbench.running && Workbench.answer.length > 0)
                ++streamWatch.growths
        }
    }

    function init() {
        Workbench.loadSample()
        Workbench.useSchema = false
        Workbench.stream = true
        Workbench.schema.loadExample(0)
    }

    function variableNames(page) {
        const view = findChild(page, "variablesView")
        const names = []
        for (let i = 0; i < view.count; ++i)
            names.push(Workbench.variables.data(Workbench.variables.index(i, 0), Qt.UserRole + 1))
        return names
    }

    function waitForResult() {
        tryVerify(() => Workbench.hasResult && !Workbench.running, 10000, "the run ends")
    }

    function test_variablesTableFollowsThePrompt() {
        const page = createTemporaryObject(pageComponent, root)
        compare(variableNames(page), ["product", "review"], "the sample's variables")

        const prompt = findChild(page, "promptArea")
        prompt.text = "Compare {{product}} with {{rival}}."
        compare(variableNames(page), ["product", "rival"])
        compare(Workbench.variables.value("product"), "Aurora desk lamp", "a kept variable keeps its value")

        // Typing a half-written variable keeps the table, and says what is wrong.
        mouseClick(prompt)
        prompt.cursorPosition = prompt.length
        for (const character of " {{")
            keyClick(character)
        compare(variableNames(page), ["product", "rival"])
        verify(findChild(page, "templateError").visible)
        verify(Workbench.variables.error.indexOf("column") >= 0, Workbench.variables.error)
        for (const character of "year}}")
            keyClick(character)
        compare(variableNames(page), ["product", "rival", "year"])
        verify(!findChild(page, "templateError").visible)

        // A value typed in the table is the value sent.
        const field = findChild(page, "variable_rival")
        verify(field, "one text field per variable")
        mouseClick(field)
        for (const character of "Lumen")
            keyClick(character)
        compare(Workbench.variables.value("rival"), "Lumen")

        // A variable taken out and put back gets its value back.
        prompt.text = "Compare {{product}}."
        compare(variableNames(page), ["product"])
        prompt.text = "Compare {{product}} with {{rival}}."
        compare(findChild(page, "variable_rival").text, "Lumen")
    }

    function test_ctrlEnterStreamsTheAnswerWithTtft() {
        verify(Workbench.usingSimulator, "no key is set, so the simulator must be used")
        const page = createTemporaryObject(pageComponent, root)
        streamWatch.growths = 0
        mouseClick(findChild(page, "promptArea"))
        keyClick(Qt.Key_Return, Qt.ControlModifier)
        verify(Workbench.running, "Ctrl+Enter started a run")
        waitForResult()
        compare(Workbench.errorMessage, "")

        const answer = findChild(page, "answerArea")
        verify(answer.text.length > 0, "the answer is shown")
        compare(answer.text, Workbench.answer)
        verify(answer.text.indexOf("Aurora desk lamp") >= 0 || answer.text.indexOf("Summarise") >= 0,
               "the simulator saw the rendered prompt: " + answer.text)
        verify(streamWatch.growths > 0, "the answer appeared before the run ended")
        verify(Workbench.ttftMs >= 0, "a streamed answer has a time to first token")
        const stats = findChild(page, "statsLabel")
        verify(stats.visible)
        verify(stats.text.indexOf("TTFT") >= 0, stats.text)
        verify(stats.text.indexOf("req_") >= 0, stats.text)
        verify(stats.text.indexOf("$") >= 0, "sim-small is priced: " + stats.text)
        verify(Workbench.inputTokens > 0)
        verify(Workbench.outputTokens > 0)
    }

    function test_plainRunHasNoTtft() {
        Workbench.stream = false
        const page = createTemporaryObject(pageComponent, root)
        streamWatch.growths = 0
        mouseClick(findChild(page, "runButton"))
        waitForResult()
        compare(streamWatch.growths, 0, "a plain answer arrives whole")
        compare(Workbench.errorMessage, "")
        verify(Workbench.answer.length > 0)
        verify(Workbench.ttftMs < 0)
        verify(findChild(page, "statsLabel").text.indexOf("TTFT") < 0)
    }

    function test_answerWithTheSchemaIsValidJson() {
        Workbench.useSchema = true
        const page = createTemporaryObject(pageComponent, root)
        mouseClick(findChild(page, "runButton"))
        waitForResult()
        compare(Workbench.errorMessage, "")
        const answer = JSON.parse(Workbench.answer)
        verify([1, 2, 3, 4, 5].indexOf(answer.rating) >= 0, Workbench.answer)
        compare(Workbench.schema.answerState, SchemaLab.AnswerValid, Workbench.schema.answerMessage)
    }

    function test_copyPutsTheAnswerOnTheClipboard() {
        const page = createTemporaryObject(pageComponent, root)
        mouseClick(findChild(page, "runButton"))
        waitForResult()
        mouseClick(findChild(page, "copyButton"))
        pasteTarget.text = ""
        pasteTarget.paste()
        compare(pasteTarget.text, Workbench.answer)
    }

    function test_escapeStopsARun() {
        const page = createTemporaryObject(pageComponent, root)
        mouseClick(findChild(page, "promptArea"))
        keyClick(Qt.Key_Return, Qt.ControlModifier)
        verify(Workbench.running)
        compare(findChild(page, "runButton").text, "Stop")
        keyClick(Qt.Key_Escape) // before the event loop could deliver any answer
        tryVerify(() => !Workbench.running, 5000)
        verify(Workbench.errorMessage.indexOf("Stopped") === 0, Workbench.errorMessage)
        compare(findChild(page, "runButton").text, "Run")
    }

    function test_emptyPromptSaysWhatToDo() {
        const page = createTemporaryObject(pageComponent, root)
        findChild(page, "promptArea").text = ""
        mouseClick(findChild(page, "runButton"))
        compare(Workbench.errorMessage, qsTr("Write a prompt, then run."))
        verify(findChild(page, "errorLabel").visible)
    }

    function test_brokenSchemaSaysWhereToFixIt() {
        Workbench.useSchema = true
        Workbench.schema.text = "{ \"type\": "
        const page = createTemporaryObject(pageComponent, root)
        mouseClick(findChild(page, "runButton"))
        verify(!Workbench.running, "nothing was sent")
        verify(Workbench.errorMessage.indexOf("Schema page") >= 0, Workbench.errorMessage)
        verify(findChild(page, "errorLabel").visible)
    }
}
