import QtQuick

// The frame of a multi-line text field; the highlight shows where typing goes.
Rectangle {
    readonly property bool focused: parent && parent.activeFocus

    color: Theme.base
    border.color: focused ? Theme.highlight : Theme.mid
    border.width: focused ? 2 : 1
    radius: 2
}
