#include "app/runs/runssession.h"

#include "app/schemalab.h"
#include "app/workbench.h"
#include "engine/llmservice.h"

namespace sluice {

RunsSession::RunsSession(Workbench *workbench, QObject *parent)
    : QObject(parent)
    , m_workbench(workbench)
    , m_storePath(workbench ? workbench->runStorePath() : QString())
{
    if (!workbench)
        return;
    connect(workbench, &Workbench::serviceChanged, this, &RunsSession::serviceChanged);
    connect(workbench, &Workbench::inputsChanged, this, &RunsSession::schemaChanged);
    connect(workbench->schema(), &SchemaLab::textChanged, this, &RunsSession::schemaChanged);
}

RunsSession *RunsSession::create(QQmlEngine *engine, QJSEngine *)
{
    const int workbenchType = qmlTypeId("Sluice", 1, 0, "Workbench");
    return new RunsSession(engine->singletonInstance<Workbench *>(workbenchType));
}

QString RunsSession::schemaText() const
{
    return m_workbench ? m_workbench->schema()->text() : QString();
}

bool RunsSession::useSchema() const
{
    return m_workbench && m_workbench->useSchema() && m_workbench->schema()->valid();
}

QObject *RunsSession::service() const
{
    return m_workbench ? m_workbench->service() : nullptr;
}

} // namespace sluice
