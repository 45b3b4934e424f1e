pragma Singleton

import QtQuick
import Sluice

// The colours of the chosen theme (Preferences.theme): "system" takes the
// desktop's palette as it is, "light" and "dark" are Sluice's own. Main.qml
// applies `palette` to the window; pages take their status colours from here.
QtObject {
    id: root

    readonly property SystemPalette system: SystemPalette {
        colorGroup: SystemPalette.Active
    }
    readonly property bool dark: Preferences.theme === "dark"
        || (Preferences.theme === "system" && system.window.hslLightness < 0.5)
    readonly property bool followsSystem: Preferences.theme === "system"

    // Window palette roles (the system's own while following it).
    readonly property color window: followsSystem ? system.window : dark ? "#1e2023" : "#f4f5f7"
    readonly property color windowText: followsSystem ? system.windowText : dark ? "#e4e6ea" : "#1c1e21"
    readonly property color base: followsSystem ? system.base : dark ? "#272a2f" : "#ffffff"
    readonly property color alternateBase: followsSystem ? system.alternateBase : dark ? "#2e3237" : "#eef0f3"
    readonly property color text: followsSystem ? system.text : dark ? "#e4e6ea" : "#1c1e21"
    readonly property color button: followsSystem ? system.button : dark ? "#33373d" : "#e8eaee"
    readonly property color buttonText: followsSystem ? system.buttonText : dark ? "#e4e6ea" : "#1c1e21"
    readonly property color highlight: followsSystem ? system.highlight : dark ? "#4a8fe7" : "#2f6fd0"
    readonly property color highlightedText: followsSystem ? system.highlightedText : "#ffffff"
    readonly property color mid: followsSystem ? system.mid : dark ? "#4a4f57" : "#c4c8cf"
    readonly property color placeholderText: Qt.rgba(text.r, text.g, text.b, 0.5)

    // Status colours, readable on `base` in both themes.
    readonly property color errorColor: dark ? "#ff8a80" : "#b3261e"
    readonly property color warningColor: dark ? "#ffd180" : "#8a5a00"
    readonly property color okColor: dark ? "#8bd49a" : "#1e7a34"
    readonly property color failingLine: dark ? "#5c2b2b" : "#fde2e0"
    readonly property color bannerBackground: dark ? "#4a3b00" : "#fff4cc"
    readonly property color bannerBorder: dark ? "#806600" : "#e0c060"
    readonly property color bannerText: dark ? "#ffe9a6" : "#3d2e00"
    readonly property string monospace: "monospace"
}
