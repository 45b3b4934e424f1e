#include "engine/batch/exports.h"

#include "core/redaction.h"
#include "engine/batch/runstore.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <unistd.h>

namespace sluice {

namespace {

// The OpenTelemetry semantic conventions release the OTLP export follows
// (docs/trace-format.md).
constexpr QLatin1StringView kSemconvSchemaUrl {"https://opentelemetry.io/schemas/1.37.0"};

// OTLP enums travel as integers in OTLP/JSON.
enum SpanKind : int { KindInternal = 1, KindClient = 3 };
enum StatusCode : int { StatusUnset = 0, StatusError = 2 };

/// `path.tmp`, renamed over `path` by commit(); removed if never committed.
/// Every byte written goes through the process-wide redactor.
class AtomicFile
{
public:
    explicit AtomicFile(const QString &path) : m_path(path), m_file(path + QStringLiteral(".tmp"))
    { }
    ~AtomicFile()
    {
        if (m_opened && !m_committed) {
            m_file.close();
            m_file.remove();
        }
    }
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    bool open(QString *error)
    {
        m_opened = m_file.open(QIODevice::WriteOnly | QIODevice::Truncate);
        if (!m_opened)
            *error = failure();
        return m_opened;
    }

    void write(const QByteArray &bytes)
    {
        if (!m_failed && m_file.write(redactSecrets(bytes)) < 0)
            m_failed = true;
    }

    bool commit(QString *error)
    {
        m_failed = m_failed || !m_file.flush() || ::fsync(m_file.handle()) != 0;
        m_file.close();
        m_failed = m_failed || m_file.error() != QFileDevice::NoError;
        // rename(2) replaces `path` in one step: readers see the old file or the new one.
        if (!m_failed
            && std::rename(QFile::encodeName(m_file.fileName()).constData(),
                   QFile::encodeName(m_path).constData())
                != 0) {
            m_failed = true;
        }
        if (m_failed) {
            *error = failure();
            return false;
        }
        m_committed = true;
        return true;
    }

private:
    [[nodiscard]] QString failure() const
    {
        return QStringLiteral("cannot write %1: %2; check that its folder exists, is writable "
                              "and has room")
            .arg(m_path, m_file.errorString());
    }

    QString m_path;
    QFile m_file;
    bool m_opened = false;
    bool m_failed = false;
    bool m_committed = false;
};

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// Visits the rows that have an output line (Done), in row order.
bool forEachLine(const RunStore &store, const QString &runId,
    const std::function<void(const StoredRow &)> &visit, QString *error)
{
    return store.forEachRow(
        runId,
        [&](const StoredRow &row) {
            if (row.state == RowState::Done && !row.line.isEmpty())
                visit(row);
            return true;
        },
        error);
}

/// The run config without members named like credentials, at any depth. The
/// store never holds a key; this keeps one out of an export even if a config
/// was written by hand or by an older version.
QJsonValue withoutCredentials(const QJsonValue &value)
{
    static const QStringList kNames {QStringLiteral("api_key"), QStringLiteral("apikey"),
        QStringLiteral("api-key"), QStringLiteral("x-api-key"), QStringLiteral("key"),
        QStringLiteral("authorization"), QStringLiteral("proxy-authorization"),
        QStringLiteral("password"), QStringLiteral("secret"), QStringLiteral("token"),
        QStringLiteral("access_token"), QStringLiteral("bearer_token")};
    static const QStringList kSuffixes {
        QStringLiteral("_api_key"), QStringLiteral("_secret"), QStringLiteral("_password")};
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &item : value.toArray())
            out.append(withoutCredentials(item));
        return out;
    }
    if (!value.isObject())
        return value;
    QJsonObject out;
    const QJsonObject object = value.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString name = it.key().toLower();
        const bool credential = kNames.contains(name)
            || std::any_of(kSuffixes.cbegin(), kSuffixes.cend(),
                [&](const QString &suffix) { return name.endsWith(suffix); });
        if (!credential)
            out.insert(it.key(), withoutCredentials(it.value()));
    }
    return out;
}

// --- results: JSONL and CSV ------------------------------------------------

QString csvField(const QString &text)
{
    static const QString kSpecial = QStringLiteral(",\"\r\n");
    if (std::none_of(text.cbegin(), text.cend(), [](QChar c) { return kSpecial.contains(c); }))
        return text;
    QString quoted = text;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

/// A CSV cell for a JSON value: strings as they are, numbers in their
/// shortest exact decimal form, null or missing as empty, anything else as
/// compact JSON.
QString csvValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'f', QLocale::FloatingPointShortest);
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(compact(value.toObject()));
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

QByteArray csvRecord(const QStringList &fields)
{
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString &field : fields)
        quoted << csvField(field);
    return quoted.join(u',').toUtf8() + "\r\n";
}

QStringList csvColumns(const QJsonObject &line)
{
    const QJsonObject usage = line.value(u"usage").toObject();
    const QJsonObject error = line.value(u"error").toObject();
    return {csvValue(line.value(u"id")), csvValue(line.value(u"status")),
        csvValue(line.value(u"output")), csvValue(usage.value(u"input_tokens")),
        csvValue(usage.value(u"cached_tokens")), csvValue(usage.value(u"output_tokens")),
        csvValue(usage.value(u"reasoning_tokens")), csvValue(line.value(u"cost_usd")),
        csvValue(line.value(u"attempts")), csvValue(line.value(u"latency_ms")),
        csvValue(line.value(u"queue_ms")), csvValue(line.value(u"ttft_ms")),
        csvValue(error.value(u"class")), csvValue(error.value(u"http_status")),
        csvValue(error.value(u"message")), csvValue(line.value(u"trace_id"))};
}

// --- the run trace -----------------------------------------------------------

QJsonObject runObject(const RunInfo &run, const RunStore &store, QString *error, bool *ok)
{
    QMap<QString, qint64> byStatus;
    qint64 tokens[4] = {};
    static const char16_t *const kTokenNames[4]
        = {u"input_tokens", u"cached_tokens", u"output_tokens", u"reasoning_tokens"};
    double cost = 0;
    qint64 costUnknown = 0;
    *ok = forEachLine(
        store, run.runId,
        [&](const StoredRow &row) {
            ++byStatus[row.line.value(u"status").toString()];
            const QJsonObject usage = row.line.value(u"usage").toObject();
            for (int i = 0; i < 4; ++i)
                tokens[i] += usage.value(QStringView(kTokenNames[i])).toInteger();
            if (const QJsonValue c = row.line.value(u"cost_usd"); c.isDouble())
                cost += c.toDouble();
            else if (row.line.value(u"attempts").toInteger() > 0)
                ++costUnknown;
        },
        error);

    QJsonObject rows;
    for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it)
        rows.insert(it.key(), it.value());
    QJsonObject tokenTotals;
    for (int i = 0; i < 4; ++i)
        tokenTotals.insert(QString::fromUtf16(kTokenNames[i]), tokens[i]);
    auto orNull = [](const QString &s) { return s.isEmpty() ? QJsonValue() : QJsonValue(s); };
    return {
        {QStringLiteral("run_id"), run.runId},
        {QStringLiteral("created"), run.createdAt.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("status"), run.status},
        {QStringLiteral("stop_reason"), orNull(run.stopReason)},
        {QStringLiteral("config"), withoutCredentials(run.config)},
        {QStringLiteral("price_table_version"), orNull(run.priceTableVersion)},
        {QStringLiteral("totals"),
            QJsonObject {
                {QStringLiteral("rows"), rows},
                {QStringLiteral("tokens"), tokenTotals},
                {QStringLiteral("cost_usd"), cost},
                {QStringLiteral("rows_cost_unknown"), costUnknown},
            }},
    };
}

bool writeTrace(const RunStore &store, const RunInfo &run, AtomicFile &file, QString *error)
{
    bool ok = false;
    const QJsonObject header = runObject(run, store, error, &ok);
    if (!ok)
        return false;
    file.write(QByteArrayLiteral("{\"format\":\"sluice-trace\",\"version\":1,\"run\":")
        + compact(header) + QByteArrayLiteral(",\"requests\":["));
    bool first = true;
    ok = forEachLine(
        store, run.runId,
        [&](const StoredRow &row) {
            const QString traceId = row.trace.value(u"trace_id").toString();
            const QJsonObject request {
                {QStringLiteral("row_id"), row.rowId},
                {QStringLiteral("trace_id"), traceId.isEmpty() ? QJsonValue() : traceId},
                {QStringLiteral("status"), row.line.value(u"status")},
                {QStringLiteral("spans"), row.trace.value(u"spans").toArray()},
            };
            file.write((first ? "\n" : ",\n") + compact(request));
            first = false;
        },
        error);
    file.write(QByteArrayLiteral("\n]}\n"));
    return ok;
}

// --- OTLP/JSON -----------------------------------------------------------------

/// An OTLP AnyValue for a JSON value: whole numbers as intValue (a decimal
/// string, as the protobuf JSON mapping writes int64), others as doubleValue.
QJsonObject anyValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return {{QStringLiteral("stringValue"), value.toString()}};
    case QJsonValue::Bool:
        return {{QStringLiteral("boolValue"), value.toBool()}};
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::trunc(d) == d && std::abs(d) < 9007199254740992.0)
            return {{QStringLiteral("intValue"), QString::number(qint64(d))}};
        return {{QStringLiteral("doubleValue"), d}};
    }
    case QJsonValue::Array: {
        QJsonArray values;
        for (const QJsonValue &item : value.toArray())
            values.append(anyValue(item));
        return {{QStringLiteral("arrayValue"), QJsonObject {{QStringLiteral("values"), values}}}};
    }
    case QJsonValue::Object: {
        QJsonArray values;
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            values.append(QJsonObject {
                {QStringLiteral("key"), it.key()}, {QStringLiteral("value"), anyValue(*it)}});
        }
        return {{QStringLiteral("kvlistValue"), QJsonObject {{QStringLiteral("values"), values}}}};
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

/// OTLP attributes in the order they are set; setting a key again replaces it.
class Attributes
{
public:
    void set(const QString &key, const QJsonValue &value)
    {
        // Empty strings say nothing (an attempt without an error class).
        if (!value.isNull() && !value.isUndefined()
            && !(value.isString() && value.toString().isEmpty()))
            put(key, anyValue(value));
    }
    /// A double even when the value is whole (money, milliseconds).
    void setDouble(const QString &key, const QJsonValue &value)
    {
        if (value.isDouble())
            put(key, QJsonObject {{QStringLiteral("doubleValue"), value.toDouble()}});
    }
    /// Every member of a span's attributes, as `sluice.<name>`.
    void setAll(const QJsonObject &attributes)
    {
        for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it)
            set(QStringLiteral("sluice.") + it.key(), *it);
    }
    [[nodiscard]] const QJsonArray &array() const { return m_entries; }

private:
    void put(const QString &key, const QJsonObject &value)
    {
        const QJsonObject entry {{QStringLiteral("key"), key}, {QStringLiteral("value"), value}};
        for (qsizetype i = 0; i < m_entries.size(); ++i) {
            if (m_entries.at(i).toObject().value(u"key").toString() == key) {
                m_entries.replace(i, entry);
                return;
            }
        }
        m_entries.append(entry);
    }

    QJsonArray m_entries;
};

/// What the run config says about the endpoint, for every root span.
struct Endpoint
{
    QString provider; ///< gen_ai.provider.name
    QString model;
    QJsonValue maxTokens;
    QString host;
    int port = -1;
};

Endpoint endpointOf(const QJsonObject &config)
{
    Endpoint e;
    const QString provider = config.value(u"provider").toString();
    e.provider = provider.startsWith(u"openai") ? QStringLiteral("openai") : provider;
    e.model = config.value(u"model").toString();
    e.maxTokens = config.value(u"max_output_tokens");
    const QUrl url(config.value(u"base_url").toString());
    e.host = url.host();
    e.port = url.port(url.scheme() == u"http" ? 80 : 443);
    return e;
}

QString nanosSinceEpoch(const QDateTime &start, double offsetMs)
{
    if (!start.isValid())
        return QStringLiteral("0");
    return QString::number(
        start.toMSecsSinceEpoch() * 1'000'000 + qint64(std::llround(offsetMs * 1e6)));
}

QJsonObject otlpSpan(
    const QString &traceId, const QJsonObject &span, const StoredRow &row, const Endpoint &endpoint)
{
    const QJsonObject attributes = span.value(u"attributes").toObject();
    const QDateTime start
        = QDateTime::fromString(span.value(u"start").toString(), Qt::ISODateWithMs);
    const double durationMs = span.value(u"duration_ms").toDouble();
    const bool root = span.value(u"parent_span_id").isNull();
    const QString name = span.value(u"name").toString();

    Attributes out;
    out.setAll(attributes);
    int kind = KindInternal;
    QString errorType;
    QString statusMessage;
    if (root) {
        kind = KindClient;
        const QJsonObject &line = row.line;
        const QJsonObject usage = line.value(u"usage").toObject();
        const QJsonObject error = line.value(u"error").toObject();
        const QString status = line.value(u"status").toString();
        QString model = attributes.value(u"model").toString();
        if (model.isEmpty())
            model = endpoint.model;
        out.set(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat"));
        if (!endpoint.provider.isEmpty()) {
            out.set(QStringLiteral("gen_ai.provider.name"), endpoint.provider);
            out.set(QStringLiteral("gen_ai.system"), endpoint.provider);
        }
        if (!model.isEmpty())
            out.set(QStringLiteral("gen_ai.request.model"), model);
        out.set(QStringLiteral("gen_ai.request.max_tokens"), endpoint.maxTokens);
        out.set(QStringLiteral("gen_ai.response.model"), attributes.value(u"response_model"));
        out.set(QStringLiteral("gen_ai.response.id"), attributes.value(u"response_id"));
        out.set(QStringLiteral("gen_ai.usage.input_tokens"), usage.value(u"input_tokens"));
        out.set(QStringLiteral("gen_ai.usage.output_tokens"), usage.value(u"output_tokens"));
        out.set(
            QStringLiteral("gen_ai.usage.cache_read.input_tokens"), usage.value(u"cached_tokens"));
        if (!endpoint.host.isEmpty()) {
            out.set(QStringLiteral("server.address"), endpoint.host);
            out.set(QStringLiteral("server.port"), endpoint.port);
        }
        out.set(QStringLiteral("sluice.row_id"), row.rowId);
        out.set(QStringLiteral("sluice.status"), status);
        out.set(QStringLiteral("sluice.attempts"), line.value(u"attempts"));
        out.set(QStringLiteral("sluice.usage.reasoning_tokens"), usage.value(u"reasoning_tokens"));
        out.setDouble(QStringLiteral("sluice.cost_usd"), line.value(u"cost_usd"));
        out.setDouble(QStringLiteral("sluice.latency_ms"), line.value(u"latency_ms"));
        out.setDouble(QStringLiteral("sluice.queue_ms"), line.value(u"queue_ms"));
        out.setDouble(QStringLiteral("sluice.ttft_ms"), line.value(u"ttft_ms"));
        errorType = error.value(u"class").toString();
        statusMessage = error.value(u"message").toString();
    } else if (name == u"attempt") {
        // One HTTP exchange: a client span of its own.
        kind = KindClient;
        if (const int http = attributes.value(u"http_status").toInt(); http > 0)
            out.set(QStringLiteral("http.response.status_code"), http);
        errorType = attributes.value(u"error_class").toString();
    }
    if (!errorType.isEmpty())
        out.set(QStringLiteral("error.type"), errorType);

    QString spanName = name;
    if (root) {
        spanName = QStringLiteral("chat");
        if (const QString model = attributes.value(u"model").toString(); !model.isEmpty())
            spanName += u' ' + model;
        else if (!endpoint.model.isEmpty())
            spanName += u' ' + endpoint.model;
    }
    QJsonObject status {{QStringLiteral("code"), errorType.isEmpty() ? StatusUnset : StatusError}};
    if (!errorType.isEmpty() && !statusMessage.isEmpty())
        status.insert(QStringLiteral("message"), statusMessage);

    QJsonObject result {
        {QStringLiteral("traceId"), traceId},
        {QStringLiteral("spanId"), span.value(u"span_id")},
        {QStringLiteral("name"), spanName},
        {QStringLiteral("kind"), kind},
        {QStringLiteral("startTimeUnixNano"), nanosSinceEpoch(start, 0)},
        {QStringLiteral("endTimeUnixNano"), nanosSinceEpoch(start, durationMs)},
        {QStringLiteral("attributes"), out.array()},
        {QStringLiteral("status"), status},
    };
    if (!root)
        result.insert(QStringLiteral("parentSpanId"), span.value(u"parent_span_id"));
    return result;
}

bool writeOtlp(const RunStore &store, const RunInfo &run, AtomicFile &file, QString *error)
{
    const QJsonObject resource {{QStringLiteral("attributes"),
        QJsonArray {
            QJsonObject {{QStringLiteral("key"), QStringLiteral("service.name")},
                {QStringLiteral("value"), anyValue(QStringLiteral("sluice"))}},
            QJsonObject {{QStringLiteral("key"), QStringLiteral("sluice.run_id")},
                {QStringLiteral("value"), anyValue(run.runId)}},
        }}};
    QJsonObject scope {{QStringLiteral("name"), QStringLiteral("sluice")}};
    if (const QString version = QCoreApplication::applicationVersion(); !version.isEmpty())
        scope.insert(QStringLiteral("version"), version);
    file.write(QByteArrayLiteral("{\"resourceSpans\":[{\"resource\":") + compact(resource)
        + QByteArrayLiteral(",\"scopeSpans\":[{\"scope\":") + compact(scope)
        + QByteArrayLiteral(",\"schemaUrl\":\"") + QByteArray(kSemconvSchemaUrl.data())
        + QByteArrayLiteral("\",\"spans\":["));

    const Endpoint endpoint = endpointOf(run.config);
    bool first = true;
    const bool ok = forEachLine(
        store, run.runId,
        [&](const StoredRow &row) {
            const QString traceId = row.trace.value(u"trace_id").toString();
            if (traceId.isEmpty())
                return; // never sent (skipped): no spans
            for (const QJsonValue &span : row.trace.value(u"spans").toArray()) {
                file.write((first ? "\n" : ",\n")
                    + compact(otlpSpan(traceId, span.toObject(), row, endpoint)));
                first = false;
            }
        },
        error);
    file.write(QByteArrayLiteral("\n]}]}]}\n"));
    return ok;
}

} // namespace

std::optional<ExportFormat> exportFormatFromName(const QString &name)
{
    for (const ExportFormat format :
        {ExportFormat::Jsonl, ExportFormat::Csv, ExportFormat::Trace, ExportFormat::Otlp}) {
        if (exportFormatName(format) == name)
            return format;
    }
    return std::nullopt;
}

QString exportFormatName(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Jsonl:
        return QStringLiteral("jsonl");
    case ExportFormat::Csv:
        return QStringLiteral("csv");
    case ExportFormat::Trace:
        return QStringLiteral("trace");
    case ExportFormat::Otlp:
        return QStringLiteral("otlp");
    }
    return {};
}

bool exportRun(const RunStore &store, const QString &runId, ExportFormat format,
    const QString &path, QString *error)
{
    const std::optional<RunInfo> run = store.run(runId);
    if (!run) {
        *error = QStringLiteral("no run '%1' in %2; `sluice-cli runs` lists the runs it holds")
                     .arg(runId, store.path());
        return false;
    }
    AtomicFile file(path);
    if (!file.open(error))
        return false;

    bool ok = false;
    switch (format) {
    case ExportFormat::Jsonl:
        ok = forEachLine(
            store, runId, [&](const StoredRow &row) { file.write(compact(row.line) + '\n'); },
            error);
        break;
    case ExportFormat::Csv:
        file.write(csvRecord({QStringLiteral("id"), QStringLiteral("status"),
            QStringLiteral("output"), QStringLiteral("input_tokens"),
            QStringLiteral("cached_tokens"), QStringLiteral("output_tokens"),
            QStringLiteral("reasoning_tokens"), QStringLiteral("cost_usd"),
            QStringLiteral("attempts"), QStringLiteral("latency_ms"), QStringLiteral("queue_ms"),
            QStringLiteral("ttft_ms"), QStringLiteral("error_class"), QStringLiteral("http_status"),
            QStringLiteral("error_message"), QStringLiteral("trace_id")}));
        ok = forEachLine(
            store, runId,
            [&](const StoredRow &row) { file.write(csvRecord(csvColumns(row.line))); }, error);
        break;
    case ExportFormat::Trace:
        ok = writeTrace(store, *run, file, error);
        break;
    case ExportFormat::Otlp:
        ok = writeOtlp(store, *run, file, error);
        break;
    }
    return ok && file.commit(error);
}

} // namespace sluice
