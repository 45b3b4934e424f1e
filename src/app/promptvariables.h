#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QQmlEngine>
#include <QString>

namespace sluice {

/// The Compose page's variables table: one row per `{{name}}` found in the
/// instructions and the prompt (first appearance first, each once), with the
/// value the user typed. Values are kept by name, so a variable that leaves
/// the text while the user edits it gets its value back when it returns.
/// `error` names a template that does not parse (line and column).
class PromptVariables : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Workbench.variables is the one table")

    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        ValueRole,
    };

    explicit PromptVariables(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] QString error() const { return m_error; }

    /// Re-reads the variables of both texts; rows that stay keep their place.
    void setTemplates(const QString &instructions, const QString &prompt);
    /// Sets the value of variable `name` (kept even while no row shows it).
    Q_INVOKABLE void setValue(const QString &name, const QString &value);
    [[nodiscard]] Q_INVOKABLE QString value(const QString &name) const;
    /// The values of the variables the texts use now.
    [[nodiscard]] QHash<QString, QString> values() const;
    /// Every value typed so far, for restoring them next time.
    [[nodiscard]] const QHash<QString, QString> &allValues() const { return m_values; }
    void setAllValues(const QHash<QString, QString> &values);

Q_SIGNALS:
    void countChanged();
    void errorChanged();
    /// A value changed (by the table or setValue).
    void valuesEdited();

private:
    QStringList m_names;
    QHash<QString, QString> m_values;
    QString m_error;
};

} // namespace sluice
