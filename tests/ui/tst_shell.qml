import QtQuick
import QtTest
import Sluice
import Sluice.Ui

// The shell (Main.qml): one tab per page from its `pages` list, Ctrl+1..N
// and Ctrl+, switch pages, a page loads when first shown and then stays,
// and the last page and the window geometry are kept for the next start.
TestCase {
    id: root

    name: "Shell"
    when: windowShown

    Component {
        id: mainComponent

        Main {}
    }

    function openMain() {
        const window = createTemporaryObject(mainComponent, root)
        verify(window)
        window.requestActivate()
        tryVerify(() => window.active, 5000, "the main window takes the keyboard")
        return window
    }

    function test_tabsFollowThePageList() {
        Preferences.setValue("shell/page", 0)
        const window = openMain()
        const names = window.pages.map(page => page.name)
        compare(names[0], "compose")
        compare(names[1], "schema")
        compare(names[names.length - 1], "settings")
        compare(findChild(window.contentItem, "pageTabs").count, names.length)
        for (const name of names)
            verify(findChild(window.contentItem, "tab_" + name), "a tab for " + name)
        verify(findChild(window.contentItem, "page_compose").item, "the first page is loaded")
        verify(!findChild(window.contentItem, "page_settings").item, "the others wait until shown")
    }

    function test_shortcutsSwitchPages() {
        Preferences.setValue("shell/page", 0)
        const window = openMain()
        keyClick(Qt.Key_2, Qt.ControlModifier)
        compare(window.currentPage, 1)
        verify(findChild(window.contentItem, "page_schema").item)
        keyClick(Qt.Key_Comma, Qt.ControlModifier)
        compare(window.pages[window.currentPage].name, "settings")
        keyClick(Qt.Key_1, Qt.ControlModifier)
        compare(window.currentPage, 0)
        verify(findChild(window.contentItem, "page_settings").item, "a page shown once stays loaded")
    }

    function test_lastPageAndGeometryComeBack() {
        let window = openMain()
        window.showPage("schema")
        window.width = 1001
        window.close()
        compare(Preferences.value("window/width", 0), 1001)
        window = openMain()
        compare(window.pages[window.currentPage].name, "schema")
        compare(window.width, 1001)
        window.close()

        // After a restart the settings file gives the numbers back as strings.
        Preferences.setValue("window/width", "987")
        Preferences.setValue("shell/page", "0")
        window = openMain()
        compare(window.width, 987)
        compare(window.currentPage, 0)
    }
}
