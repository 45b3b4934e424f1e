#pragma once

#include <QObject>
#include <QPointer>
#include <QQmlEngine>

namespace sluice {

class Workbench;

/// What the Monitor, Batch and Traces pages share with the rest of the app:
/// the Workbench's current LlmService and the run store's path (the CLI's
/// default store), as QML properties. The controllers take both as plain
/// properties, so that tests can give them their own.
class RunsSession : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    /// The service requests go through now (an LlmService); replaced when
    /// the provider, endpoint or key changes.
    Q_PROPERTY(QObject *service READ service NOTIFY serviceChanged)
    Q_PROPERTY(QString storePath READ storePath CONSTANT)
    /// The Schema page's schema text, and whether runs should send it (the
    /// user chose to and it is a valid schema).
    Q_PROPERTY(QString schemaText READ schemaText NOTIFY schemaChanged)
    Q_PROPERTY(bool useSchema READ useSchema NOTIFY schemaChanged)
    /// A stored run the Traces page asked the Batch page to continue; the
    /// Batch page opens it and sets this back to "".
    Q_PROPERTY(QString continueRunId MEMBER m_continueRunId NOTIFY continueRunIdChanged)

public:
    explicit RunsSession(Workbench *workbench, QObject *parent = nullptr);
    /// The engine's Workbench singleton behind it.
    static RunsSession *create(QQmlEngine *engine, QJSEngine *);

    [[nodiscard]] QObject *service() const;
    [[nodiscard]] QString storePath() const { return m_storePath; }
    [[nodiscard]] QString schemaText() const;
    [[nodiscard]] bool useSchema() const;

Q_SIGNALS:
    void serviceChanged();
    void schemaChanged();
    void continueRunIdChanged();

private:
    QPointer<Workbench> m_workbench;
    QString m_storePath;
    QString m_continueRunId;
};

} // namespace sluice
