// The output line of a row: the exact field set and types of the CLI
// contract, every status with its error class, cost null when unknown,
// content dropped on request, and error messages through the key redactor.
#include "core/redaction.h"
#include "engine/batch/rowrecord.h"
#include "manualclock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace sluice;
using sluice::test::ManualClock;

namespace {

using Status = GenerationResult::Status;

const QStringList kLineFields {"attempts", "cost_usd", "error", "id", "latency_ms", "output",
    "queue_ms", "status", "trace_id", "ttft_ms", "usage"};
const QStringList kUsageFields {
    "cached_tokens", "input_tokens", "output_tokens", "reasoning_tokens"};
const QStringList kErrorFields {"class", "http_status", "message"};

QStringList keysOf(const QJsonObject &object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

bool isInteger(const QJsonValue &value)
{
    return value.isDouble() && value.toDouble() == double(value.toInteger());
}

/// A finished request: two attempts, known cost, usage by class, a trace.
GenerationResult finished(Status status)
{
    static ManualClock clock;
    GenerationResult result;
    result.status = status;
    result.usage = {120, 20, 0, 45, 5};
    result.cost.pico = 58'000'000; // $0.000058
    result.attempts = {AttemptRecord {}, AttemptRecord {}};
    result.latencyMs = 812.34567;
    result.queueMs = 3.5;
    result.trace = Trace(clock);
    result.outcome.httpStatus = 200;
    return result;
}

} // namespace

class TestRowRecord : public QObject
{
    Q_OBJECT

    /// Every line, whatever its status, has the same fields and types.
    static void checkShape(const QJsonObject &line)
    {
        QCOMPARE(keysOf(line), kLineFields);
        QVERIFY(line.value("id").isString());
        QVERIFY(line.value("status").isString());
        const QJsonObject usage = line.value("usage").toObject();
        QCOMPARE(keysOf(usage), kUsageFields);
        for (const QString &key : kUsageFields)
            QVERIFY2(isInteger(usage.value(key)), qPrintable(key));
        QVERIFY(line.value("cost_usd").isDouble() || line.value("cost_usd").isNull());
        QVERIFY(isInteger(line.value("attempts")));
        QVERIFY(line.value("latency_ms").isDouble());
        QVERIFY(line.value("queue_ms").isDouble());
        QVERIFY(line.value("ttft_ms").isDouble() || line.value("ttft_ms").isNull());
        QVERIFY(line.value("trace_id").isString() || line.value("trace_id").isNull());
        const QJsonValue error = line.value("error");
        if (line.value("status").toString() == u"ok") {
            QVERIFY(error.isNull());
        } else {
            QVERIFY(error.isObject());
            QCOMPARE(keysOf(error.toObject()), kErrorFields);
            QVERIFY(error["class"].isString());
            QVERIFY(!error["class"].toString().isEmpty());
            QVERIFY(error["message"].isString());
            QVERIFY(error["http_status"].isNull() || isInteger(error["http_status"]));
        }
    }

private Q_SLOTS:
    void statusNames()
    {
        QCOMPARE(rowStatusName(Status::Ok), QStringLiteral("ok"));
        QCOMPARE(rowStatusName(Status::InvalidOutput), QStringLiteral("invalid_output"));
        QCOMPARE(rowStatusName(Status::Refused), QStringLiteral("refused"));
        QCOMPARE(rowStatusName(Status::Incomplete), QStringLiteral("incomplete"));
        QCOMPARE(rowStatusName(Status::Failed), QStringLiteral("failed"));
        QCOMPARE(rowStatusName(Status::BudgetExceeded), QStringLiteral("skipped"));
        QCOMPARE(rowStatusName(Status::Cancelled), QStringLiteral("skipped"));
    }

    void okLineWithText()
    {
        GenerationResult result = finished(Status::Ok);
        result.text = QStringLiteral("Paris");
        const QJsonObject line = rowLine(QStringLiteral("row-1"), result);
        checkShape(line);
        QCOMPARE(line.value("id").toString(), QStringLiteral("row-1"));
        QCOMPARE(line.value("status").toString(), QStringLiteral("ok"));
        QCOMPARE(line.value("output").toString(), QStringLiteral("Paris"));
        const QJsonObject usage = line.value("usage").toObject();
        QCOMPARE(usage.value("input_tokens").toInteger(), 120);
        QCOMPARE(usage.value("cached_tokens").toInteger(), 20);
        QCOMPARE(usage.value("output_tokens").toInteger(), 45);
        QCOMPARE(usage.value("reasoning_tokens").toInteger(), 5);
        QCOMPARE(line.value("cost_usd").toDouble(), unitsFromPico(58'000'000));
        QCOMPARE(line.value("attempts").toInteger(), 2);
        QCOMPARE(line.value("latency_ms").toDouble(), 812.346); // to the microsecond
        QCOMPARE(line.value("queue_ms").toDouble(), 3.5);
        QVERIFY(line.value("ttft_ms").isNull());
        QVERIFY(line.value("error").isNull());
        QCOMPARE(line.value("trace_id").toString(), result.traceId());
        QCOMPARE(line.value("trace_id").toString().size(), 32);
    }

    void okLineWithSchemaOutput()
    {
        GenerationResult result = finished(Status::Ok);
        result.text = QStringLiteral("```json\n{\"city\":\"Paris\"}\n```");
        result.output = QJsonObject {{"city", "Paris"}};
        result.ttftMs = 120.25;
        const QJsonObject line = rowLine(QStringLiteral("r"), result);
        checkShape(line);
        QCOMPARE(line.value("output").toObject(), QJsonObject({{"city", "Paris"}}));
        QCOMPARE(line.value("ttft_ms").toDouble(), 120.25);

        // An empty answer is still an answer; without content there is none.
        result.output.reset();
        result.text.clear();
        QCOMPARE(rowLine(QStringLiteral("r"), result).value("output"), QJsonValue(QString()));
        result.text = QStringLiteral("secret prompt echo");
        const QJsonObject withoutContent = rowLine(QStringLiteral("r"), result, false);
        checkShape(withoutContent);
        QVERIFY(withoutContent.value("output").isNull());
    }

    void costUnknownIsNullNotZero()
    {
        GenerationResult result = finished(Status::Ok);
        result.cost = Cost {};
        result.cost.unknownReason = QStringLiteral("model not in the price table");
        QVERIFY(rowLine(QStringLiteral("r"), result).value("cost_usd").isNull());
        result.cost.pico = 0;
        const QJsonValue zero = rowLine(QStringLiteral("r"), result).value("cost_usd");
        QVERIFY(zero.isDouble());
        QCOMPARE(zero.toDouble(), 0.0);
        result.cost.pico = 2'500'000'000'000; // $2.50
        QCOMPARE(rowLine(QStringLiteral("r"), result).value("cost_usd").toDouble(), 2.5);
    }

    void errorClassPerStatus_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("statusName");
        QTest::addColumn<QString>("errorClass");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QJsonValue>("httpStatus");

        QTest::newRow("refused") << int(Status::Refused) << "refused"
                                 << "refused"
                                 << "I can't help with that." << QJsonValue(200);
        QTest::newRow("incomplete") << int(Status::Incomplete) << "incomplete"
                                    << "incomplete"
                                    << "max_output_tokens" << QJsonValue(200);
        QTest::newRow("failed") << int(Status::Failed) << "failed"
                                << "rate_limited"
                                << "Rate limit reached" << QJsonValue(429);
        QTest::newRow("failed without HTTP")
            << int(Status::Failed) << "failed"
            << "network"
            << "Connection refused" << QJsonValue(QJsonValue::Null);
        QTest::newRow("budget") << int(Status::BudgetExceeded) << "skipped"
                                << "budget"
                                << "not sent: the cap is reached" << QJsonValue(QJsonValue::Null);
        QTest::newRow("cancelled") << int(Status::Cancelled) << "skipped"
                                   << "cancelled"
                                   << "the run was cancelled" << QJsonValue(QJsonValue::Null);
    }

    void errorClassPerStatus()
    {
        QFETCH(int, status);
        QFETCH(QString, statusName);
        QFETCH(QString, errorClass);
        QFETCH(QString, message);
        QFETCH(QJsonValue, httpStatus);

        GenerationResult result = finished(Status(status));
        result.outcome.httpStatus = httpStatus.isNull() ? 0 : httpStatus.toInt();
        switch (Status(status)) {
        case Status::Refused:
            result.outcome.refusal = message;
            break;
        case Status::Incomplete:
            result.outcome.incompleteReason = message;
            break;
        case Status::Failed:
            result.errorClass = *errorClassFromName(errorClass);
            result.errorMessage = message;
            break;
        default:
            result.errorMessage = message;
            break;
        }
        const QJsonObject line = rowLine(QStringLiteral("r"), result);
        checkShape(line);
        QCOMPARE(line.value("status").toString(), statusName);
        const QJsonObject error = line.value("error").toObject();
        QCOMPARE(error.value("class").toString(), errorClass);
        QCOMPARE(error.value("message").toString(), message);
        QCOMPARE(error.value("http_status"), httpStatus);
        QVERIFY(line.value("output").isNull()); // no answer text
    }

    void invalidOutputNamesTheFirstErrors()
    {
        GenerationResult result = finished(Status::InvalidOutput);
        result.text = QStringLiteral("{\"age\":\"old\"}");
        result.validationErrors = {QStringLiteral("/age: expected integer"),
            QStringLiteral("/: missing name"), QStringLiteral("/: missing city"),
            QStringLiteral("/: missing zip"), QStringLiteral("/: missing country")};
        const QJsonObject line = rowLine(QStringLiteral("r"), result);
        checkShape(line);
        QCOMPARE(line.value("status").toString(), QStringLiteral("invalid_output"));
        QCOMPARE(line.value("output").toString(), result.text); // the raw answer, for repair
        const QJsonObject error = line.value("error").toObject();
        QCOMPARE(error.value("class").toString(), QStringLiteral("invalid_output"));
        QCOMPARE(error.value("message").toString(),
            QStringLiteral(
                "/age: expected integer; /: missing name; /: missing city (and 2 more)"));
    }

    void skippedRowNeverSent()
    {
        const QJsonObject line = skippedRowLine(QStringLiteral("row-9"),
            QStringLiteral("quota_exhausted"), QStringLiteral("the run stopped: quota exhausted"));
        checkShape(line);
        QCOMPARE(line.value("id").toString(), QStringLiteral("row-9"));
        QCOMPARE(line.value("status").toString(), QStringLiteral("skipped"));
        QVERIFY(line.value("output").isNull());
        QCOMPARE(line.value("cost_usd").toDouble(), 0.0);
        QVERIFY(line.value("cost_usd").isDouble());
        QCOMPARE(line.value("attempts").toInteger(), 0);
        QVERIFY(line.value("trace_id").isNull());
        QCOMPARE(line.value("error").toObject(),
            QJsonObject({{"class", "quota_exhausted"}, {"http_status", QJsonValue::Null},
                {"message", "the run stopped: quota exhausted"}}));
    }

    void errorMessagesAreRedacted()
    {
        const QByteArray key = "sk-rowrecord-test-key-0123456789";
        registerSecret(key);
        GenerationResult result = finished(Status::Failed);
        result.errorClass = ErrorClass::Auth;
        result.errorMessage
            = QStringLiteral("Incorrect API key provided: %1").arg(QString::fromLatin1(key));
        const QByteArray text
            = QJsonDocument(rowLine(QStringLiteral("r"), result)).toJson(QJsonDocument::Compact);
        QVERIFY2(!text.contains(key), text.constData());
        QVERIFY(text.contains("[redacted]"));
        const QByteArray skipped = QJsonDocument(
            skippedRowLine(QStringLiteral("r"), QStringLiteral("auth"), result.errorMessage))
                                       .toJson(QJsonDocument::Compact);
        QVERIFY2(!skipped.contains(key), skipped.constData());
    }
};

QTEST_GUILESS_MAIN(TestRowRecord)
#include "tst_rowrecord.moc"
