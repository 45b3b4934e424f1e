import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One row of the price table (or its header): model, then prices per
// million tokens.
Rectangle {
    id: root

    required property string modelName
    required property string input
    required property string cached
    required property string output
    required property string batch
    property bool header: false
    property bool shaded: false

    implicitHeight: row.implicitHeight + 6
    color: shaded ? Theme.alternateBase : "transparent"

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: 4
        anchors.rightMargin: 4
        spacing: 8

        Label {
            Layout.fillWidth: true
            Layout.preferredWidth: 3
            text: root.modelName
            font.bold: root.header
            elide: Text.ElideRight
        }
        Repeater {
            model: [
                { text: root.input, bold: root.header },
                { text: root.cached, bold: root.header },
                { text: root.output, bold: root.header },
                { text: root.batch, bold: root.header },
            ]

            Label {
                required property var modelData

                Layout.fillWidth: true
                Layout.preferredWidth: 2
                horizontalAlignment: Text.AlignRight
                text: modelData.text
                font.bold: modelData.bold
            }
        }
    }
}
