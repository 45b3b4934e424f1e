// Exports from the run store (issue 6): results as JSONL and CSV, the run
// trace (checked against docs/schemas/sluice-trace.schema.json with the
// project's own validator) and OTLP/JSON (a real pipeline result's answer
// model and id included); atomic writes; no key in any file.
#include "core/redaction.h"
#include "core/schemavalidator.h"
#include "core/tracejson.h"
#include "engine/batch/exports.h"
#include "engine/batch/rowrecord.h"
#include "engine/batch/runstore.h"
#include "engine/llmservice.h"
#include "fakeexchanger.h"
#include "manualclock.h"
#include "pipelinetest.h"
#include "providers/openairesponses.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;

namespace {

// Registered with the redactor, as a process that read it from the
// environment does; placed in the config under a harmless name and in an
// error message.
constexpr auto kRegisteredKey = "sk-export-marker-registered-7c1d94";
// Never registered: only the config's credential-named members hold it.
constexpr auto kConfigKey = "sk-export-marker-config-5a03be";

const QString kAwkwardText = QStringLiteral("Hello, \"world\"\nsecond line,\r\nthird");

/// A trace as the pipeline leaves it: request > queued, gate_wait, attempts
/// (with backoffs between failed ones), validation.
QJsonObject makeTrace(test::ManualClock &clock, int attempts, int lastHttpStatus,
    const QString &lastErrorClass, QString *traceId)
{
    Trace trace(clock);
    const std::uint64_t request = trace.begin(QStringLiteral("request"));
    trace.setAttribute(request, QStringLiteral("model"), QStringLiteral("gpt-test"));
    trace.setAttribute(request, QStringLiteral("fingerprint"), QStringLiteral("abc123"));
    trace.end(trace.begin(QStringLiteral("queued"), request));
    for (int i = 0; i < attempts; ++i) {
        const std::uint64_t gate = trace.begin(QStringLiteral("gate_wait"), request);
        clock.advance(2ms);
        trace.end(gate);
        const std::uint64_t attempt = trace.begin(QStringLiteral("attempt"), request);
        trace.setAttribute(
            attempt, QStringLiteral("kind"), i == 0 ? QStringLiteral("first") : u"retry"_qs);
        const bool last = i == attempts - 1;
        trace.setAttribute(attempt, QStringLiteral("http_status"), last ? lastHttpStatus : 429);
        trace.setAttribute(attempt, QStringLiteral("error_class"),
            last ? lastErrorClass : QStringLiteral("rate_limited"));
        trace.setAttribute(attempt, QStringLiteral("request_id"), QStringLiteral("req_%1").arg(i));
        clock.advance(120ms);
        trace.end(attempt);
        if (!last) {
            const std::uint64_t backoff = trace.begin(QStringLiteral("backoff"), request);
            trace.setAttribute(backoff, QStringLiteral("delay_ms"), 250);
            clock.advance(250ms);
            trace.end(backoff);
        }
    }
    if (lastErrorClass.isEmpty()) {
        trace.setAttribute(request, QStringLiteral("response_model"), u"gpt-test-2026-01-01"_qs);
        trace.setAttribute(request, QStringLiteral("response_id"), QStringLiteral("resp_1"));
        const std::uint64_t validation = trace.begin(QStringLiteral("validation"), request);
        trace.setAttribute(validation, QStringLiteral("valid"), true);
        trace.end(validation);
    }
    trace.setAttribute(request, QStringLiteral("status"),
        lastErrorClass.isEmpty() ? QStringLiteral("ok") : QStringLiteral("failed"));
    trace.end(request);
    *traceId = trace.traceId();
    return traceToJson(trace);
}

GenerationResult okResult(const QString &text, std::optional<QJsonValue> output)
{
    GenerationResult r;
    r.status = GenerationResult::Status::Ok;
    r.text = text;
    r.output = std::move(output);
    r.usage.input = 120;
    r.usage.cached = 20;
    r.usage.output = 30;
    r.usage.reasoning = 5;
    r.cost.pico = picoFromUnits(0.00042);
    r.attempts.append(AttemptRecord {});
    r.latencyMs = 120.25;
    r.queueMs = 2;
    return r;
}

/// A small RFC 4180 reader for checking what the exporter wrote.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            record << field;
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            record << field;
            records << record;
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    return records;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject attributeMap(const QJsonArray &attributes)
{
    QJsonObject map;
    for (const QJsonValue &a : attributes)
        map.insert(a[u"key"].toString(), a[u"value"]);
    return map;
}

} // namespace

class TestExports : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    RunStore m_store;
    QString m_runId;
    QString m_okTraceId;
    QString m_failedTraceId;

    QString exportTo(ExportFormat format, const QString &name)
    {
        const QString path = m_dir.filePath(name);
        QString error;
        if (!exportRun(m_store, m_runId, format, path, &error))
            qWarning("export failed: %s", qPrintable(error));
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        registerSecret(kRegisteredKey);
        QString error;
        QVERIFY2(
            m_store.open(m_dir.filePath(QStringLiteral("runs.sqlite")), &error), qPrintable(error));
        const QJsonObject config {
            {QStringLiteral("provider"), QStringLiteral("openai-responses")},
            {QStringLiteral("base_url"), QStringLiteral("https://api.example.test:8443/v1")},
            {QStringLiteral("model"), QStringLiteral("gpt-test")},
            {QStringLiteral("max_output_tokens"), 256},
            {QStringLiteral("note"), QString::fromLatin1(kRegisteredKey)},
            {QStringLiteral("api_key"), QString::fromLatin1(kConfigKey)},
            {QStringLiteral("headers"),
                QJsonObject {{QStringLiteral("Authorization"),
                    QStringLiteral("Bearer %1").arg(QLatin1String(kConfigKey))}}},
        };
        const std::optional<RunInfo> run
            = m_store.createRun(config, QStringLiteral("fp"), QStringLiteral("2026-11-01"), &error);
        QVERIFY2(run, qPrintable(error));
        m_runId = run->runId;

        test::ManualClock clock;
        QString traceId;
        // Journalled out of order: exports follow the row index.
        const QJsonObject failedTrace
            = makeTrace(clock, 3, 429, QStringLiteral("rate_limited"), &m_failedTraceId);
        GenerationResult failed;
        failed.status = GenerationResult::Status::Failed;
        failed.errorClass = ErrorClass::RateLimited;
        failed.outcome.httpStatus = 429;
        failed.errorMessage = QStringLiteral("rate limited (key %1)").arg(kRegisteredKey);
        failed.attempts = {AttemptRecord {}, AttemptRecord {}, AttemptRecord {}};
        failed.trace = Trace();
        QJsonObject failedLine = rowLine(QStringLiteral("r3"), failed);
        failedLine.insert(QStringLiteral("trace_id"), m_failedTraceId);
        QVERIFY(
            m_store.markSending(m_runId, QStringLiteral("r3"), 2, QStringLiteral("f3"), &error));
        QVERIFY(
            m_store.markDone(m_runId, QStringLiteral("r3"), 2, failedLine, failedTrace, &error));

        const QJsonObject okTrace = makeTrace(clock, 1, 200, QString(), &m_okTraceId);
        QJsonObject okLine = rowLine(QStringLiteral("a,\"b\""), okResult(kAwkwardText, {}));
        okLine.insert(QStringLiteral("trace_id"), m_okTraceId);
        QVERIFY(m_store.markSending(m_runId, QStringLiteral("a,\"b\""), 0, u"f1"_qs, &error));
        QVERIFY(m_store.markDone(m_runId, QStringLiteral("a,\"b\""), 0, okLine, okTrace, &error));

        const QJsonObject schemaTrace = makeTrace(clock, 1, 200, QString(), &traceId);
        QJsonObject schemaLine = rowLine(QStringLiteral("r2"),
            okResult(QString(),
                QJsonObject {
                    {QStringLiteral("a"), 1}, {QStringLiteral("b"), QStringLiteral("x,y")}}));
        schemaLine.insert(QStringLiteral("trace_id"), traceId);
        QVERIFY(m_store.markSending(m_runId, QStringLiteral("r2"), 1, u"f2"_qs, &error));
        QVERIFY(
            m_store.markDone(m_runId, QStringLiteral("r2"), 1, schemaLine, schemaTrace, &error));

        QVERIFY(m_store.markDone(m_runId, QStringLiteral("r4"), 3,
            skippedRowLine(QStringLiteral("r4"), QStringLiteral("quota_exhausted"),
                QStringLiteral("the run stopped first")),
            {}, &error));
        // Still in flight: no line, so in no export.
        QVERIFY(m_store.markSending(m_runId, QStringLiteral("r5"), 4, u"f5"_qs, &error));
        QVERIFY(m_store.setRunStatus(
            m_runId, QStringLiteral("stopped"), QStringLiteral("quota exhausted"), &error));
    }

    void formatNames()
    {
        for (const ExportFormat f :
            {ExportFormat::Jsonl, ExportFormat::Csv, ExportFormat::Trace, ExportFormat::Otlp})
            QCOMPARE(exportFormatFromName(exportFormatName(f)), f);
        QVERIFY(!exportFormatFromName(QStringLiteral("xml")));
    }

    void jsonlRoundTrip()
    {
        const QString path = exportTo(ExportFormat::Jsonl, QStringLiteral("out.jsonl"));
        const QList<QByteArray> lines = readAll(path).split('\n');
        QCOMPARE(lines.size(), 5); // four lines and the empty rest after the last newline
        QVERIFY(lines.last().isEmpty());
        QStringList ids;
        QString error;
        QList<QJsonObject> stored;
        m_store.forEachRow(
            m_runId,
            [&](const StoredRow &row) {
                if (row.state == RowState::Done)
                    stored << row.line;
                return true;
            },
            &error);
        QCOMPARE(stored.size(), 4);
        for (int i = 0; i < 4; ++i) {
            QJsonParseError parseError;
            const QJsonObject line = QJsonDocument::fromJson(lines.at(i), &parseError).object();
            QCOMPARE(parseError.error, QJsonParseError::NoError);
            ids << line.value(u"id").toString();
            QCOMPARE(line, stored.at(i));
        }
        QCOMPARE(ids, QStringList({u"a,\"b\""_qs, u"r2"_qs, u"r3"_qs, u"r4"_qs}));
        QCOMPARE(QJsonDocument::fromJson(lines.at(0)).object().value(u"output").toString(),
            kAwkwardText);
    }

    void csvQuotesAndColumns()
    {
        const QString path = exportTo(ExportFormat::Csv, QStringLiteral("out.csv"));
        const QByteArray bytes = readAll(path);
        QVERIFY(bytes.endsWith("\r\n"));
        const QList<QStringList> records = parseCsv(QString::fromUtf8(bytes));
        QCOMPARE(records.size(), 5);
        QCOMPARE(records.at(0).join(u','),
            QStringLiteral("id,status,output,input_tokens,cached_tokens,output_tokens,"
                           "reasoning_tokens,cost_usd,attempts,latency_ms,queue_ms,ttft_ms,"
                           "error_class,http_status,error_message,trace_id"));
        for (const QStringList &record : records)
            QCOMPARE(record.size(), 16);

        const QStringList ok = records.at(1);
        QCOMPARE(ok.at(0), QStringLiteral("a,\"b\""));
        QCOMPARE(ok.at(1), QStringLiteral("ok"));
        QCOMPARE(ok.at(2), kAwkwardText);
        QCOMPARE(
            ok.mid(3, 5), QStringList({u"120"_qs, u"20"_qs, u"30"_qs, u"5"_qs, u"0.00042"_qs}));
        QCOMPARE(ok.at(8), QStringLiteral("1"));
        QCOMPARE(ok.at(9), QStringLiteral("120.25"));
        QCOMPARE(ok.at(11), QString()); // ttft_ms: not streamed
        QCOMPARE(ok.at(12), QString());
        QCOMPARE(ok.at(15), m_okTraceId);

        // A schema's output is its JSON text.
        QCOMPARE(QJsonDocument::fromJson(records.at(2).at(2).toUtf8()).object(),
            QJsonObject({{QStringLiteral("a"), 1}, {QStringLiteral("b"), QStringLiteral("x,y")}}));

        const QStringList failed = records.at(3);
        QCOMPARE(failed.at(1), QStringLiteral("failed"));
        QCOMPARE(failed.at(2), QString());
        QCOMPARE(failed.at(12), QStringLiteral("rate_limited"));
        QCOMPARE(failed.at(13), QStringLiteral("429"));
        QVERIFY(failed.at(14).startsWith(u"rate limited"));
        QCOMPARE(failed.at(15), m_failedTraceId);

        QCOMPARE(records.at(4).at(1), QStringLiteral("skipped"));
        QCOMPARE(records.at(4).at(12), QStringLiteral("quota_exhausted"));
        QCOMPARE(records.at(4).at(15), QString());
    }

    void traceMatchesItsSchema()
    {
        QFile schemaFile(
            QStringLiteral(SLUICE_SOURCE_DIR "/docs/schemas/sluice-trace.schema.json"));
        QVERIFY(schemaFile.open(QIODevice::ReadOnly));
        const SchemaCompileResult compiled
            = SchemaValidator::compile(QJsonDocument::fromJson(schemaFile.readAll()).object());
        QVERIFY2(compiled,
            qPrintable(compiled.error.path + QStringLiteral(": ") + compiled.error.message));

        const QString path = exportTo(ExportFormat::Trace, QStringLiteral("trace.json"));
        QJsonParseError parseError;
        const QJsonObject trace = QJsonDocument::fromJson(readAll(path), &parseError).object();
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        const QList<ValidationError> errors = compiled.validator->validate(trace);
        for (const ValidationError &e : errors)
            qWarning("%s: %s", qPrintable(e.instancePath), qPrintable(e.message));
        QVERIFY(errors.isEmpty());

        // The schema can fail: a span id of the wrong width is caught.
        QJsonObject broken = trace;
        QJsonArray requests = broken.value(u"requests").toArray();
        QJsonObject first = requests.at(0).toObject();
        QJsonArray spans = first.value(u"spans").toArray();
        QJsonObject span = spans.at(0).toObject();
        span.insert(QStringLiteral("span_id"), QStringLiteral("1"));
        spans.replace(0, span);
        first.insert(QStringLiteral("spans"), spans);
        requests.replace(0, first);
        broken.insert(QStringLiteral("requests"), requests);
        QVERIFY(!compiled.validator->isValid(broken));

        const QJsonObject run = trace.value(u"run").toObject();
        QCOMPARE(run.value(u"run_id").toString(), m_runId);
        QCOMPARE(run.value(u"status").toString(), QStringLiteral("stopped"));
        QCOMPARE(run.value(u"stop_reason").toString(), QStringLiteral("quota exhausted"));
        QCOMPARE(run.value(u"price_table_version").toString(), QStringLiteral("2026-11-01"));
        const QJsonObject config = run.value(u"config").toObject();
        QCOMPARE(config.value(u"model").toString(), QStringLiteral("gpt-test"));
        QVERIFY(!config.contains(u"api_key"));
        QVERIFY(!config.value(u"headers").toObject().contains(u"Authorization"));
        const QJsonObject totals = run.value(u"totals").toObject();
        QCOMPARE(totals.value(u"rows").toObject(),
            QJsonObject({{QStringLiteral("ok"), 2}, {QStringLiteral("failed"), 1},
                {QStringLiteral("skipped"), 1}}));
        QCOMPARE(totals.value(u"tokens").toObject().value(u"input_tokens").toInteger(), 240);
        QCOMPARE(totals.value(u"cost_usd").toDouble(), 0.00084);
        QCOMPARE(totals.value(u"rows_cost_unknown").toInteger(), 1); // the failed row

        const QJsonArray all = trace.value(u"requests").toArray();
        QCOMPARE(all.size(), 4);
        QCOMPARE(all.at(0)[u"trace_id"].toString(), m_okTraceId);
        QCOMPARE(all.at(2)[u"spans"].toArray().size(),
            10); // request, queued, 3x(gate, attempt), 2 backoffs
        QVERIFY(all.at(3)[u"trace_id"].isNull());
        QVERIFY(all.at(3)[u"spans"].toArray().isEmpty());
    }

    void otlpStructure()
    {
        const QString path = exportTo(ExportFormat::Otlp, QStringLiteral("otlp.json"));
        QJsonParseError parseError;
        const QJsonObject root = QJsonDocument::fromJson(readAll(path), &parseError).object();
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        const QJsonArray resourceSpans = root.value(u"resourceSpans").toArray();
        QCOMPARE(resourceSpans.size(), 1);
        const QJsonObject resource
            = attributeMap(resourceSpans.at(0)[u"resource"][u"attributes"].toArray());
        QCOMPARE(resource.value(u"service.name")[u"stringValue"].toString(), u"sluice"_qs);
        QCOMPARE(resource.value(u"sluice.run_id")[u"stringValue"].toString(), m_runId);
        const QJsonObject scopeSpans = resourceSpans.at(0)[u"scopeSpans"][0].toObject();
        QCOMPARE(scopeSpans.value(u"scope")[u"name"].toString(), u"sluice"_qs);
        QVERIFY(scopeSpans.value(u"schemaUrl")
                    .toString()
                    .startsWith(u"https://opentelemetry.io/schemas/"));

        const QJsonArray spans = scopeSpans.value(u"spans").toArray();
        QCOMPARE(spans.size(), 5 + 5 + 10); // the skipped row has no spans
        const QRegularExpression traceHex(QStringLiteral("^[0-9a-f]{32}$"));
        const QRegularExpression spanHex(QStringLiteral("^[0-9a-f]{16}$"));
        const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
        QSet<QString> known;
        QList<QJsonObject> roots;
        for (const QJsonValue &v : spans) {
            const QJsonObject span = v.toObject();
            QVERIFY(traceHex.match(span.value(u"traceId").toString()).hasMatch());
            QVERIFY(spanHex.match(span.value(u"spanId").toString()).hasMatch());
            known.insert(span.value(u"traceId").toString() + span.value(u"spanId").toString());
            // int64 as decimal strings, enums as integers
            const QString start = span.value(u"startTimeUnixNano").toString();
            const QString end = span.value(u"endTimeUnixNano").toString();
            QVERIFY(digits.match(start).hasMatch());
            QVERIFY(digits.match(end).hasMatch());
            QVERIFY(end.toLongLong() >= start.toLongLong());
            QVERIFY(start.toLongLong() > 1'600'000'000'000'000'000LL);
            QVERIFY(span.value(u"kind").isDouble());
            QVERIFY(span.value(u"status")[u"code"].isDouble());
            if (!span.contains(u"parentSpanId"))
                roots << span;
        }
        for (const QJsonValue &v : spans) {
            if (v[u"parentSpanId"].isString()) {
                QVERIFY(known.contains(v[u"traceId"].toString() + v[u"parentSpanId"].toString()));
            }
        }
        QCOMPARE(roots.size(), 3);

        const QJsonObject ok = roots.at(0);
        QCOMPARE(ok.value(u"traceId").toString(), m_okTraceId);
        QCOMPARE(ok.value(u"name").toString(), QStringLiteral("chat gpt-test"));
        QCOMPARE(ok.value(u"kind").toInt(), 3); // SPAN_KIND_CLIENT
        QCOMPARE(ok.value(u"status")[u"code"].toInt(), 0);
        const QJsonObject a = attributeMap(ok.value(u"attributes").toArray());
        QCOMPARE(a.value(u"gen_ai.operation.name")[u"stringValue"].toString(), u"chat"_qs);
        QCOMPARE(a.value(u"gen_ai.provider.name")[u"stringValue"].toString(), u"openai"_qs);
        QCOMPARE(a.value(u"gen_ai.system")[u"stringValue"].toString(), u"openai"_qs);
        QCOMPARE(a.value(u"gen_ai.request.model")[u"stringValue"].toString(), u"gpt-test"_qs);
        QCOMPARE(a.value(u"gen_ai.request.max_tokens")[u"intValue"].toString(), u"256"_qs);
        QCOMPARE(a.value(u"gen_ai.usage.input_tokens")[u"intValue"].toString(), u"120"_qs);
        QCOMPARE(a.value(u"gen_ai.usage.output_tokens")[u"intValue"].toString(), u"30"_qs);
        QCOMPARE(
            a.value(u"gen_ai.usage.cache_read.input_tokens")[u"intValue"].toString(), u"20"_qs);
        QCOMPARE(a.value(u"gen_ai.response.model")[u"stringValue"].toString(),
            u"gpt-test-2026-01-01"_qs);
        QCOMPARE(a.value(u"gen_ai.response.id")[u"stringValue"].toString(), u"resp_1"_qs);
        QCOMPARE(a.value(u"server.address")[u"stringValue"].toString(), u"api.example.test"_qs);
        QCOMPARE(a.value(u"server.port")[u"intValue"].toString(), u"8443"_qs);
        QCOMPARE(a.value(u"sluice.cost_usd")[u"doubleValue"].toDouble(), 0.00042);
        QCOMPARE(a.value(u"sluice.fingerprint")[u"stringValue"].toString(), u"abc123"_qs);
        QVERIFY(!a.contains(u"error.type"));

        const QJsonObject failed = roots.at(2);
        QCOMPARE(failed.value(u"traceId").toString(), m_failedTraceId);
        QCOMPARE(failed.value(u"status")[u"code"].toInt(), 2); // STATUS_CODE_ERROR
        QVERIFY(failed.value(u"status")[u"message"].toString().startsWith(u"rate limited"));
        const QJsonObject f = attributeMap(failed.value(u"attributes").toArray());
        QCOMPARE(f.value(u"error.type")[u"stringValue"].toString(), u"rate_limited"_qs);

        // Steps are children; an attempt is an HTTP exchange (a client span).
        int attempts = 0;
        for (const QJsonValue &v : spans) {
            if (v[u"traceId"].toString() != m_failedTraceId || v[u"name"].toString() != u"attempt")
                continue;
            ++attempts;
            QCOMPARE(v[u"kind"].toInt(), 3);
            const QJsonObject attempt = attributeMap(v[u"attributes"].toArray());
            QCOMPARE(
                attempt.value(u"http.response.status_code")[u"intValue"].toString(), u"429"_qs);
            QCOMPARE(attempt.value(u"error.type")[u"stringValue"].toString(), u"rate_limited"_qs);
            QCOMPARE(v[u"status"][u"code"].toInt(), 2);
        }
        QCOMPARE(attempts, 3);
        const auto queued = std::find_if(spans.cbegin(), spans.cend(),
            [](const QJsonValue &v) { return v[u"name"].toString() == u"queued"; });
        QVERIFY(queued != spans.cend());
        QCOMPARE((*queued)[u"kind"].toInt(), 1); // SPAN_KIND_INTERNAL
    }

    void otlpOfAPipelineResultNamesTheAnswer()
    {
        // A result as LlmService makes it, journalled as BatchRun does.
        QtTimerFactory timers;
        auto fake = std::make_unique<test::FakeExchanger>();
        fake->defaultReply
            = test::FakeExchanger::completed(u"hello"_qs, u"gpt-5-mini-2025-08-07"_qs);
        LlmService service(std::make_shared<OpenAiResponsesProvider>(
                               QUrl(u"http://127.0.0.1:9/v1"_qs), QByteArray("sk-test-secret")),
            SteadyClock::instance(), timers, {}, std::move(fake));
        LlmRequest request;
        request.model = QStringLiteral("gpt-5-mini");
        request.promptTemplate = QStringLiteral("Say hello");
        const std::optional<GenerationResult> result = test::runBlocking(service, request);
        QVERIFY(result);
        QCOMPARE(result->status, GenerationResult::Status::Ok);

        QString error;
        const std::optional<RunInfo> run
            = m_store.createRun({{QStringLiteral("provider"), QStringLiteral("openai-responses")},
                                    {QStringLiteral("model"), request.model}},
                QStringLiteral("pipeline"), result->priceTableVersion, &error);
        QVERIFY2(run, qPrintable(error));
        QVERIFY(m_store.markSending(run->runId, u"p1"_qs, 0, result->fingerprint, &error));
        QVERIFY2(m_store.markDone(run->runId, u"p1"_qs, 0, rowLine(u"p1"_qs, *result),
                     traceToJson(result->trace), &error),
            qPrintable(error));
        const QString path = m_dir.filePath(QStringLiteral("pipeline-otlp.json"));
        QVERIFY2(
            exportRun(m_store, run->runId, ExportFormat::Otlp, path, &error), qPrintable(error));

        const QJsonArray spans = QJsonDocument::fromJson(readAll(path))
                                     .object()[u"resourceSpans"][0][u"scopeSpans"][0][u"spans"]
                                     .toArray();
        const auto root = std::find_if(spans.cbegin(), spans.cend(),
            [](const QJsonValue &v) { return !v.toObject().contains(u"parentSpanId"); });
        QVERIFY(root != spans.cend());
        const QJsonObject a = attributeMap((*root)[u"attributes"].toArray());
        QCOMPARE(a.value(u"gen_ai.request.model")[u"stringValue"].toString(), request.model);
        QCOMPARE(a.value(u"gen_ai.response.model")[u"stringValue"].toString(),
            u"gpt-5-mini-2025-08-07"_qs);
        QCOMPARE(a.value(u"gen_ai.response.id")[u"stringValue"].toString(), u"resp_fake"_qs);
        QCOMPARE(a.value(u"sluice.price_table_version")[u"stringValue"].toString(),
            service.priceBook()->version());
    }

    void reExportIsIdentical()
    {
        for (const ExportFormat f :
            {ExportFormat::Jsonl, ExportFormat::Csv, ExportFormat::Trace, ExportFormat::Otlp}) {
            const QByteArray first = readAll(exportTo(f, QStringLiteral("again1")));
            QVERIFY(!first.isEmpty());
            QCOMPARE(readAll(exportTo(f, QStringLiteral("again2"))), first);
        }
    }

    void noKeyInAnyExport()
    {
        for (const ExportFormat f :
            {ExportFormat::Jsonl, ExportFormat::Csv, ExportFormat::Trace, ExportFormat::Otlp}) {
            const QByteArray bytes
                = readAll(exportTo(f, QStringLiteral("scan-") + exportFormatName(f)));
            QVERIFY(!bytes.isEmpty());
            for (const char *key : {kRegisteredKey, kConfigKey}) {
                for (const QByteArray &form : Redactor::encodedForms(key))
                    QVERIFY2(!bytes.contains(form), qPrintable(exportFormatName(f)));
            }
        }
        // The harmless-named member is kept, masked.
        const QJsonObject trace
            = QJsonDocument::fromJson(readAll(m_dir.filePath(QStringLiteral("scan-trace"))))
                  .object();
        QCOMPARE(trace[u"run"][u"config"][u"note"].toString(), QString(Redactor::kMask));
    }

    void manyRowsStreamInOrder()
    {
        // More rows than the store reads per page, journalled backwards.
        QString error;
        const std::optional<RunInfo> run
            = m_store.createRun({}, QStringLiteral("many"), QString(), &error);
        QVERIFY2(run, qPrintable(error));
        constexpr int kRows = 1201;
        for (int i = kRows - 1; i >= 0; --i) {
            const QString id = QStringLiteral("row-%1").arg(i);
            QVERIFY(m_store.markDone(run->runId, id, i,
                skippedRowLine(id, QStringLiteral("budget"), QStringLiteral("over budget")), {},
                &error));
        }
        const QString jsonl = m_dir.filePath(QStringLiteral("many.jsonl"));
        QVERIFY(exportRun(m_store, run->runId, ExportFormat::Jsonl, jsonl, &error));
        const QList<QByteArray> lines = readAll(jsonl).trimmed().split('\n');
        QCOMPARE(lines.size(), kRows);
        for (int i = 0; i < kRows; ++i) {
            QCOMPARE(QJsonDocument::fromJson(lines.at(i)).object().value(u"id").toString(),
                QStringLiteral("row-%1").arg(i));
        }
        const QString trace = m_dir.filePath(QStringLiteral("many.json"));
        QVERIFY(exportRun(m_store, run->runId, ExportFormat::Trace, trace, &error));
        const QJsonObject doc = QJsonDocument::fromJson(readAll(trace)).object();
        QCOMPARE(doc[u"run"][u"totals"][u"rows"][u"skipped"].toInteger(), kRows);
        const QJsonArray requests = doc.value(u"requests").toArray();
        QCOMPARE(requests.size(), kRows);
        QCOMPARE(requests.last()[u"row_id"].toString(), QStringLiteral("row-%1").arg(kRows - 1));
    }

    void failedWriteLeavesNoPartialFile()
    {
        QString error;
        // The folder does not exist (a file stands where it should be).
        const QString blocker = m_dir.filePath(QStringLiteral("blocker"));
        QFile(blocker).open(QIODevice::WriteOnly);
        const QString inside = blocker + QStringLiteral("/out.csv");
        QVERIFY(!exportRun(m_store, m_runId, ExportFormat::Csv, inside, &error));
        QVERIFY2(error.contains(inside), qPrintable(error));
        QVERIFY(!QFile::exists(inside + QStringLiteral(".tmp")));

        // Written completely, then the rename fails (the target is a folder):
        // the temporary file goes away.
        const QString folder = m_dir.filePath(QStringLiteral("a-folder"));
        QVERIFY(QDir().mkpath(folder + QStringLiteral("/content")));
        error.clear();
        QVERIFY(!exportRun(m_store, m_runId, ExportFormat::Trace, folder, &error));
        QVERIFY(error.startsWith(u"cannot write"));
        QVERIFY(!QFile::exists(folder + QStringLiteral(".tmp")));

        // An earlier export stays as it was when a new one fails.
        const QString target = exportTo(ExportFormat::Jsonl, QStringLiteral("kept.jsonl"));
        const QByteArray before = readAll(target);
        QVERIFY(QDir().mkpath(target + QStringLiteral(".tmp/x")));
        QVERIFY(!exportRun(m_store, m_runId, ExportFormat::Csv, target, &error));
        QCOMPARE(readAll(target), before);

        // An unknown run writes nothing at all.
        const QString none = m_dir.filePath(QStringLiteral("none.csv"));
        QVERIFY(!exportRun(m_store, QStringLiteral("run_nope"), ExportFormat::Csv, none, &error));
        QVERIFY2(error.contains(u"run_nope"), qPrintable(error));
        QVERIFY(!QFile::exists(none));
        QVERIFY(!QFile::exists(none + QStringLiteral(".tmp")));
    }
};

QTEST_GUILESS_MAIN(TestExports)
#include "tst_exports.moc"
