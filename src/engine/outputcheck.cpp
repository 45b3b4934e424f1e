#include "engine/outputcheck.h"

#include "core/outputrepair.h"

namespace sluice {

OutputCheck checkOutput(
    const QString &text, const SchemaValidator &validator, Trace &trace, std::uint64_t parentSpan)
{
    OutputCheck check;
    const std::uint64_t validation = trace.begin(QStringLiteral("validation"), parentSpan);
    const RepairResult repaired = repairJsonOutput(
        text, [&validator](const QJsonValue &value) { return validator.isValid(value); });
    trace.setAttribute(validation, QStringLiteral("valid"), repaired.ok());
    trace.end(validation);
    if (repaired.ok()) {
        if (repaired.repaired()) {
            const std::uint64_t repair = trace.begin(QStringLiteral("repair"), parentSpan);
            trace.setAttribute(repair, QStringLiteral("step"), repairStepName(repaired.step));
            trace.end(repair);
        }
        check.output = repaired.value;
        check.repairStep = repairStepName(repaired.step);
        check.repaired = repaired.repaired();
        return check;
    }
    const RepairResult anyJson = repairJsonOutput(text);
    if (anyJson.ok()) {
        for (const ValidationError &e : validator.validate(*anyJson.value)) {
            check.validationErrors << QStringLiteral("%1: %2").arg(
                e.instancePath.isEmpty() ? QStringLiteral("/") : e.instancePath, e.message);
        }
    } else {
        check.validationErrors << QStringLiteral("/: the answer contains no JSON");
    }
    return check;
}

} // namespace sluice
