#include "app/promptvariables.h"

#include "core/prompttemplate.h"

namespace sluice {

PromptVariables::PromptVariables(QObject *parent) : QAbstractListModel(parent) { }

int PromptVariables::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_names.size());
}

QVariant PromptVariables::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &name = m_names.at(index.row());
    switch (role) {
    case NameRole:
        return name;
    case ValueRole:
    case Qt::EditRole:
        return m_values.value(name);
    default:
        return {};
    }
}

bool PromptVariables::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || (role != ValueRole && role != Qt::EditRole))
        return false;
    setValue(m_names.at(index.row()), value.toString());
    return true;
}

Qt::ItemFlags PromptVariables::flags(const QModelIndex &index) const
{
    return QAbstractListModel::flags(index) | Qt::ItemIsEditable;
}

QHash<int, QByteArray> PromptVariables::roleNames() const
{
    return {{NameRole, "name"}, {ValueRole, "value"}};
}

void PromptVariables::setTemplates(const QString &instructions, const QString &prompt)
{
    const PromptTemplate instructionsTemplate(instructions, QStringLiteral("instructions"));
    const PromptTemplate promptTemplate(prompt, QStringLiteral("prompt"));
    QString error;
    if (!instructionsTemplate.isValid())
        error = instructionsTemplate.error()->message;
    else if (!promptTemplate.isValid())
        error = promptTemplate.error()->message;
    if (error != m_error) {
        m_error = error;
        Q_EMIT errorChanged();
    }
    // A template with an error keeps the rows it had: the table does not
    // flicker while the user is half-way through typing `{{name}}`.
    if (!error.isEmpty())
        return;

    QStringList names = instructionsTemplate.variables();
    for (const QString &name : promptTemplate.variables()) {
        if (!names.contains(name))
            names.append(name);
    }
    if (names == m_names)
        return;
    // Remove the rows that went, then insert the new ones where they belong.
    for (qsizetype row = m_names.size() - 1; row >= 0; --row) {
        if (!names.contains(m_names.at(row))) {
            beginRemoveRows({}, int(row), int(row));
            m_names.removeAt(row);
            endRemoveRows();
        }
    }
    for (qsizetype row = 0; row < names.size(); ++row) {
        const QString &name = names.at(row);
        const qsizetype at = m_names.indexOf(name);
        if (at == row)
            continue;
        if (at >= 0) {
            beginMoveRows({}, int(at), int(at), {}, int(row));
            m_names.move(at, row);
            endMoveRows();
        } else {
            beginInsertRows({}, int(row), int(row));
            m_names.insert(row, name);
            endInsertRows();
        }
    }
    Q_EMIT countChanged();
}

void PromptVariables::setValue(const QString &name, const QString &value)
{
    if (m_values.value(name) == value && m_values.contains(name))
        return;
    m_values.insert(name, value);
    const qsizetype row = m_names.indexOf(name);
    if (row >= 0)
        Q_EMIT dataChanged(index(int(row)), index(int(row)), {ValueRole});
    Q_EMIT valuesEdited();
}

QString PromptVariables::value(const QString &name) const
{
    return m_values.value(name);
}

QHash<QString, QString> PromptVariables::values() const
{
    QHash<QString, QString> values;
    for (const QString &name : m_names)
        values.insert(name, m_values.value(name));
    return values;
}

void PromptVariables::setAllValues(const QHash<QString, QString> &values)
{
    m_values = values;
    if (!m_names.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_names.size()) - 1), {ValueRole});
}

} // namespace sluice
