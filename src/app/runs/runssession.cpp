#include "app/runs/runssession.h"

#include "app/workbench.h"
#include "engine/llmservice.h"

namespace sluice {

RunsSession::RunsSession(Workbench *workbench, QObject *parent)
    : QObject(parent)
    , m_workbench(workbench)
    , m_storePath(workbench ? workbench->runStorePath() : QString())
{
    if (workbench)
        connect(workbench, &Workbench::serviceChanged, this, &RunsSession::serviceChanged);
}

RunsSession *RunsSession::create(QQmlEngine *engine, QJSEngine *)
{
    const int workbenchType = qmlTypeId("Sluice", 1, 0, "Workbench");
    return new RunsSession(engine->singletonInstance<Workbench *>(workbenchType));
}

QObject *RunsSession::service() const
{
    return m_workbench ? m_workbench->service() : nullptr;
}

} // namespace sluice
