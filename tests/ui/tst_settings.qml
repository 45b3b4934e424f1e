import QtQuick
import QtTest
import Sluice
import Sluice.Ui

// The Settings page: gate limits reach the Workbench (and its service: see
// tst_app_workbench), the theme switches the colours, a bad endpoint or a
// bad price file is refused with a message saying what to do, a good price
// file replaces the table, and so for a CA bundle (whose trust reaching the
// service is in tst_app_workbench).
TestCase {
    id: root

    name: "SettingsPage"
    when: windowShown
    visible: true
    width: 1200
    height: 800

    Component {
        id: pageComponent

        SettingsPage {
            width: root.width
            height: root.height
        }
    }

    function cleanup() {
        Preferences.language = "en"
        Preferences.theme = "system"
        Workbench.prices.useBuiltin()
        Workbench.configureEndpoint("openai-responses", "")
        Workbench.setLimits(0, 0, 60, 16)
        if (Workbench.caBundlePath.length > 0)
            Workbench.clearCaBundle()
    }

    function test_limitsReachTheWorkbench() {
        const page = createTemporaryObject(pageComponent, root)
        findChild(page, "rpmBox").value = 120
        findChild(page, "tpmBox").value = 40000
        findChild(page, "windowBox").value = 30
        findChild(page, "concurrencyBox").value = 4
        compare(Workbench.requestsPerMinute, 0, "nothing applies before the button")
        mouseClick(findChild(page, "applyLimitsButton"))
        compare(Workbench.requestsPerMinute, 120)
        compare(Workbench.tokensPerMinute, 40000)
        compare(Workbench.windowSeconds, 30)
        compare(Workbench.maxConcurrent, 4)
        compare(Preferences.value("limits/rpm", 0), 120, "kept for the next start")
    }

    function test_themeSwitch() {
        const page = createTemporaryObject(pageComponent, root)
        mouseClick(findChild(page, "theme_dark"))
        compare(Preferences.theme, "dark")
        verify(Theme.dark)
        verify(Qt.colorEqual(Theme.window, "#1e2023"), Theme.window)
        mouseClick(findChild(page, "theme_light"))
        compare(Preferences.theme, "light")
        verify(!Theme.dark)
        verify(Qt.colorEqual(Theme.window, "#f4f5f7"), Theme.window)
        compare(Preferences.value("ui/theme", ""), "light", "kept for the next start")
        mouseClick(findChild(page, "theme_system"))
        verify(Qt.colorEqual(Theme.window, Theme.system.window), "System follows the desktop palette")
    }

    function test_languageSwitchRetranslates() {
        const page = createTemporaryObject(pageComponent, root)
        Preferences.language = "en"
        compare(findChild(page, "theme_dark").text, "Dark")
        compare(findChild(page, "applyLimitsButton").text, "Apply limits")
        const box = findChild(page, "languageBox")
        box.currentIndex = box.indexOfValue("de")
        box.activated(box.currentIndex)
        compare(Preferences.language, "de")
        compare(findChild(page, "applyLimitsButton").text, "Limits anwenden")
        // The theme buttons come from a translated model: they are made anew.
        tryVerify(() => findChild(page, "theme_dark").text === "Dunkel")
        compare(Preferences.value("ui/language", ""), "de", "kept for the next start")
        Preferences.language = "en"
        compare(findChild(page, "applyLimitsButton").text, "Apply limits")
    }

    function test_badBaseUrlSaysWhatToEnter() {
        const page = createTemporaryObject(pageComponent, root)
        const field = findChild(page, "baseUrlField")
        field.text = "localhost:11434"
        mouseClick(findChild(page, "applyEndpointButton"))
        verify(Workbench.keyStatus.indexOf("not an http(s) URL") >= 0, Workbench.keyStatus)
        verify(findChild(page, "settingsKeyStatus").visible)
        verify(Workbench.usingSimulator, "the endpoint did not change")
    }

    function test_ownEndpointIsUsedWithoutSimulator() {
        const page = createTemporaryObject(pageComponent, root)
        findChild(page, "settingsProviderBox").currentIndex = 1 // openai-chat
        findChild(page, "baseUrlField").text = "http://127.0.0.1:9/v1"
        mouseClick(findChild(page, "applyEndpointButton"))
        compare(Workbench.providerId, "openai-chat")
        compare(Workbench.endpoint, "http://127.0.0.1:9/v1")
        verify(!Workbench.usingSimulator, "a server of the user's own needs no simulator")
    }

    function test_priceImport() {
        const page = createTemporaryObject(pageComponent, root)
        const builtinCount = Workbench.prices.count
        verify(builtinCount > 5)
        compare(findChild(page, "priceList").count, builtinCount)

        verify(!Workbench.prices.importFile(Qt.resolvedUrl("data/no-such-prices.json")))
        const error = findChild(page, "priceImportError")
        verify(error.visible)
        verify(error.text.indexOf("no-such-prices.json") >= 0, error.text)
        verify(Workbench.prices.builtin, "a failed import keeps the table")

        verify(Workbench.prices.importFile(Qt.resolvedUrl("data/prices-small.json")), Workbench.prices.importError)
        verify(!error.visible)
        verify(!Workbench.prices.builtin)
        compare(Workbench.prices.count, 2)
        verify(findChild(page, "priceOrigin").text.indexOf("prices-small.json") >= 0)
    }

    function test_caBundle() {
        const page = createTemporaryObject(pageComponent, root)
        const field = findChild(page, "caBundleField")
        const status = findChild(page, "caBundleStatus")
        const clear = findChild(page, "clearCaBundleButton")
        compare(field.text, "")
        verify(!Workbench.caBundleProblem)
        verify(!clear.enabled, "nothing to clear")

        verify(!Workbench.setCaBundle(Qt.resolvedUrl("data/no-such-bundle.pem")))
        verify(status.visible)
        verify(status.text.indexOf("cannot read") >= 0, status.text)
        verify(status.text.indexOf("no-such-bundle.pem") >= 0, status.text)
        verify(status.text.indexOf("Choose a PEM file") >= 0, "says what to do: " + status.text)
        verify(Qt.colorEqual(status.color, Theme.errorColor))
        verify(!Workbench.setCaBundle(Qt.resolvedUrl("data/reviews.csv")))
        verify(status.text.indexOf("holds no PEM certificate") >= 0, status.text)
        compare(field.text, "", "a refused file is not used")
        compare(Preferences.value("tls/caBundle", ""), "", "nor kept")

        verify(Workbench.setCaBundle(Qt.resolvedUrl("data/ca-bundle-two.pem")), Workbench.caBundleStatus)
        verify(status.text.indexOf("Added 2 CA certificates") >= 0, status.text)
        verify(!Qt.colorEqual(status.color, Theme.errorColor))
        verify(field.text.endsWith("/data/ca-bundle-two.pem"), field.text)
        compare(Preferences.value("tls/caBundle", ""), field.text, "kept for the next start")
        verify(clear.enabled)

        mouseClick(clear)
        compare(field.text, "")
        compare(Preferences.value("tls/caBundle", ""), "", "forgotten for the next start")
        verify(status.text.indexOf("stay trusted until Sluice restarts") >= 0, status.text)
        verify(!clear.enabled)
    }
}
