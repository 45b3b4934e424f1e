import QtQuick
import QtTest
import Sluice
import Sluice.Ui

// The simulator banner offers to add a key; the key dialog hands it to the
// keychain and says plainly when there is no secret service (as in this
// test, which runs without D-Bus), leaving the simulator in use.
TestCase {
    id: root

    name: "ApiKey"
    when: windowShown
    visible: true // TestCase is invisible by default; its children must receive input
    width: 900
    height: 640

    Component {
        id: bannerComponent

        SimulatorBanner {
            width: root.width
            endpoint: "http://127.0.0.1:1/v1"
        }
    }

    Component {
        id: dialogComponent

        ApiKeyDialog {
            width: 480
        }
    }

    SignalSpy {
        id: addKeySpy

        signalName: "addKeyRequested"
    }

    function test_bannerOffersToAddAKey() {
        const banner = createTemporaryObject(bannerComponent, root)
        addKeySpy.target = banner
        mouseClick(findChild(banner, "addKeyButton"))
        compare(addKeySpy.count, 1)
    }

    function test_saveWithoutSecretServiceSaysSo() {
        const dialog = createTemporaryObject(dialogComponent, root)
        dialog.open()
        tryVerify(() => dialog.opened)
        const field = findChild(dialog.contentItem, "apiKeyField")
        field.text = "sk-sluice-ui-marker-12345"
        dialog.accept()
        compare(field.text, "", "the key does not stay in the field")
        tryVerify(() => Workbench.keyStatus.indexOf("not saved") >= 0, 5000, Workbench.keyStatus)
        verify(Workbench.keyStatus.indexOf("sk-sluice-ui-marker") < 0)
        verify(Workbench.usingSimulator, "a key that was not saved does not switch providers")
    }
}
