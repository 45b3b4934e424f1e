import QtQuick
import QtTest
import Sluice
import Sluice.Ui

// The Schema page: parse errors with line and column, the strict-mode lint
// for the chosen provider, a sample instance that the schema accepts, and
// the last answer validated with the failing values marked.
TestCase {
    id: root

    name: "SchemaPage"
    when: windowShown
    visible: true
    width: 1100
    height: 700

    Component {
        id: pageComponent

        SchemaPage {
            width: root.width
            height: root.height
        }
    }

    function init() {
        Workbench.configureEndpoint("openai-responses", "")
        Workbench.schema.loadExample(0)
        Workbench.schema.answer = ""
    }

    function test_parseErrorShowsLineAndColumn() {
        const page = createTemporaryObject(pageComponent, root)
        const editor = findChild(page, "schemaEditor")
        editor.text = "{\n  \"type\": \"object\",\n  \"properties\": }\n"
        const error = findChild(page, "schemaError")
        verify(error.visible)
        verify(error.text.indexOf("Line 3, column 17") === 0, error.text)
        compare(Workbench.schema.errorLine, 3)
        verify(!findChild(page, "schemaOk").visible)
        compare(Workbench.schema.sample, "", "no sample for a broken schema")

        // Clicking the message puts the cursor there.
        mouseClick(error)
        verify(editor.activeFocus)
        compare(editor.cursorPosition, editor.text.indexOf("}"))

        editor.text = "{ \"type\": \"object\" }"
        verify(!error.visible)
        verify(findChild(page, "schemaOk").visible)
    }

    function test_unusableSchemaNamesThePath() {
        const page = createTemporaryObject(pageComponent, root)
        findChild(page, "schemaEditor").text = "{ \"properties\": { \"a\": { \"type\": \"strung\" } } }"
        const error = findChild(page, "schemaError").text
        verify(error.indexOf("/properties/a") >= 0, error)
    }

    function test_lintFindingsForANonStrictSchema() {
        const page = createTemporaryObject(pageComponent, root)
        verify(Workbench.schema.lintApplies, "OpenAI Responses enforces schemas")
        compare(findChild(page, "lintList").count, 0, "the first example is strict-ready")

        Workbench.schema.loadExample(3) // "Loose (lint demo)"
        const list = findChild(page, "lintList")
        verify(list.count >= 2, "findings: " + list.count)
        const rules = Workbench.schema.lintFindings.map(finding => finding.rule)
        verify(rules.indexOf("additional-properties") >= 0, rules)
        verify(rules.indexOf("required-all") >= 0, rules)
        verify(findChild(page, "lintSummary").text.indexOf("refuse") >= 0)

        // Anthropic does not enforce schemas: no strict lint there.
        Workbench.configureEndpoint("anthropic", "")
        verify(!Workbench.schema.lintApplies)
        compare(findChild(page, "lintList").count, 0)
        verify(findChild(page, "lintSummary").text.indexOf("does not enforce") >= 0)
    }

    function test_sampleInstanceIsValid() {
        const page = createTemporaryObject(pageComponent, root)
        const first = Workbench.schema.sample
        verify(first.length > 0)
        compare(findChild(page, "sampleArea").text, first)
        Workbench.schema.answer = first
        compare(Workbench.schema.answerState, SchemaLab.AnswerValid, Workbench.schema.answerMessage)
    }

    function test_validationMarksTheFailingPaths() {
        const page = createTemporaryObject(pageComponent, root)
        Workbench.schema.answer = "Here you go:\n```json\n{\"summary\": \"Bright lamp\", \"rating\": 9, \"sentiment\": \"happy\"}\n```"
        compare(Workbench.schema.answerState, SchemaLab.AnswerInvalid)
        const errors = Workbench.schema.answerErrors.map(error => error.path).sort()
        compare(errors, ["/rating", "/sentiment"])
        verify(findChild(page, "answerStatus").text.indexOf("2 problem") === 0, findChild(page, "answerStatus").text)

        const view = findChild(page, "answerLines")
        compare(view.count, 5) // {, three members, }
        let failing = []
        for (let i = 0; i < view.count; ++i) {
            tryVerify(() => findChild(view, "answerLine_" + i), 2000, "line " + i + " is drawn")
            const line = findChild(view, "answerLine_" + i)
            if (line.failing) {
                failing.push(line.modelData.text.trim())
                verify(line.color !== Qt.color("transparent"), "a failing line is highlighted")
            }
        }
        compare(failing, ["\"rating\": 9,", "\"sentiment\": \"happy\","]) // keys sorted: summary is last
        compare(findChild(page, "answerErrors").count, 2)
    }

    function test_answerWithoutJsonSaysWhatToDo() {
        const page = createTemporaryObject(pageComponent, root)
        Workbench.schema.answer = "The lamp is nice."
        compare(Workbench.schema.answerState, SchemaLab.NotJson)
        verify(findChild(page, "answerStatus").text.indexOf("ask for JSON") >= 0)
    }

    function test_examplesLoad() {
        const page = createTemporaryObject(pageComponent, root)
        const box = findChild(page, "exampleBox")
        verify(box.count >= 3)
        box.activated(2)
        verify(Workbench.schema.text.indexOf("$defs") >= 0)
        verify(Workbench.schema.valid, Workbench.schema.error)
        verify(JSON.parse(Workbench.schema.sample).lines.length >= 1)
    }
}
