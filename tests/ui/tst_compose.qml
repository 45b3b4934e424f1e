import QtQuick
import QtTest
import Sluice
import Sluice.Ui

// Types a prompt, clicks Run and waits for the simulator's answer.
TestCase {
    id: root

    name: "ComposePage"
    when: windowShown
    visible: true // TestCase is invisible by default; its children must receive input
    width: 900
    height: 640

    Component {
        id: pageComponent

        ComposePage {
            width: root.width
            height: root.height
        }
    }

    function test_runShowsTheSimulatorAnswer() {
        verify(Workbench.usingSimulator, "no key is set, so the simulator must be used")
        const page = createTemporaryObject(pageComponent, root)
        verify(page)

        const prompt = findChild(page, "promptArea")
        mouseClick(prompt)
        verify(prompt.activeFocus)
        for (const character of "Hello rivers")
            keyClick(character)
        compare(prompt.text, "Hello rivers")

        mouseClick(findChild(page, "runButton"))
        tryVerify(() => Workbench.hasResult && !Workbench.running, 10000)
        compare(Workbench.errorMessage, "")

        const answer = findChild(page, "answerArea")
        verify(answer.text.length > 0, "the answer is shown")
        compare(answer.text, Workbench.answer)
        const stats = findChild(page, "statsLabel")
        verify(stats.visible)
        verify(stats.text.indexOf("req_") >= 0, stats.text)
        verify(Workbench.inputTokens > 0)
        verify(Workbench.outputTokens > 0)
    }

    function test_emptyPromptSaysWhatToDo() {
        const page = createTemporaryObject(pageComponent, root)
        findChild(page, "promptArea").text = ""
        mouseClick(findChild(page, "runButton"))
        compare(Workbench.errorMessage, qsTr("Write a prompt, then run."))
        verify(findChild(page, "errorLabel").visible)
    }
}
