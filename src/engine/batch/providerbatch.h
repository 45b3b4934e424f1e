#pragma once

#include "core/clock.h"
#include "core/generation.h"
#include "core/pricebook.h"
#include "core/trace.h"
#include "engine/generationresult.h"
#include "providers/batchcall.h"
#include "providers/httptransport.h"
#include "providers/provider.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>

namespace sluice {

/// One row handed to a provider batch: its id in the run and its rendered
/// request (a schema in `outputSchema` is validated when the answer comes).
struct ProviderBatchRow
{
    QString rowId;
    GenerationRequest request;
};

/// How a provider batch job runs.
struct ProviderBatchConfig
{
    /// Between two looks at a batch that is not final (a 429's retry-after
    /// replaces it for the next look).
    std::chrono::milliseconds pollInterval {30'000};
    /// Rows per provider batch; 0 means the provider's limit (OpenAI 50,000
    /// lines, Anthropic 100,000 requests). The byte limits (200 MB, 256 MB)
    /// always apply; a smaller `maxBytesPerBatch` (0: none) splits sooner.
    int maxRowsPerBatch = 0;
    qint64 maxBytesPerBatch = 0;
    /// Consecutive transient failures of a batch call (network, timeout,
    /// 429, 5xx) before the job gives up; the batches it created stay
    /// resumable by id.
    int maxConsecutiveFailures = 5;
    /// Each batch call's total timeout (uploads and downloads can be large).
    std::chrono::milliseconds callTimeout {600'000};
};

/// The HTTP seam of a provider batch: a GET or POST, answered once, later.
/// (The live pipeline's Exchanger only POSTs.)
class BatchHttp
{
public:
    using Done = std::function<void(HttpResponse)>;
    virtual ~BatchHttp() = default;
    virtual void send(const BatchCall &call, std::chrono::milliseconds timeout, Done done) = 0;
};

/// BatchHttp over the network: every call through one HttpTransport
/// (HTTP/1.1, the timeout as the total and first-byte timeout, TLS errors
/// never ignored). A POST is never re-sent by Qt (a batch created twice is
/// paid twice); a GET may be, harmlessly (docs/transport.md).
class NetworkBatchHttp final : public BatchHttp
{
public:
    NetworkBatchHttp();
    ~NetworkBatchHttp() override;
    void send(const BatchCall &call, std::chrono::milliseconds timeout, Done done) override;

private:
    std::unique_ptr<HttpTransport> m_transport;
};

/// Runs rows through a provider's own Batch API (OpenAI files + batches for
/// the `openai-responses` and `openai-chat` dialects, Anthropic Message
/// Batches for `anthropic`), where the provider's engine does the work at the
/// batch price: submit (split at the provider's limits), poll, download,
/// and make each row a GenerationResult as the live pipeline would: the
/// outcome decoded by the live dialect, the schema validated and repaired
/// (engine/outputcheck.h), cost at the batch price, a trace.
///
/// Resumable: batchCreated() reports each provider batch id as soon as it
/// exists, with its rows, so a caller can persist it; resume() follows
/// batches by id without submitting anything (never pays twice).
///
/// Each row's result: status ok / invalid_output / refused / incomplete /
/// failed (a line's error, an expired row as `timeout`, a row the results
/// lack) / cancelled (a row the provider never ran because of a cancel); one
/// attempt, latency = submit to download; `trace` holds a `request` span
/// (attributes model, batch_id, custom_id, batch_trace_id, status) and its
/// `validation` / `repair` spans. The job's own trace() holds `batch_submit`,
/// `batch_wait` (attributes polls, status) and `batch_download` per batch.
/// Keys never appear in errors, logs or traces. Single-threaded.
class ProviderBatchJob : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle,
        Running,  ///< submitting, waiting or downloading
        Finished, ///< every row has its result
        Failed,   ///< stopped early: see errorMessage(); created batches stay resumable
    };

    /// `provider` is the live dialect with its base URL and key. `http`
    /// empty: NetworkBatchHttp. Prices: the built-in table unless set.
    ProviderBatchJob(std::shared_ptr<const Provider> provider, ProviderBatchConfig config = {},
        std::unique_ptr<BatchHttp> http = {}, QObject *parent = nullptr);
    ~ProviderBatchJob() override;

    /// Whether the provider's dialect has a Batch API Sluice speaks.
    [[nodiscard]] static bool supports(const Provider &provider);
    /// The `custom_id` of a row: the row id when it is `[a-zA-Z0-9_-]{1,64}`
    /// (what Anthropic allows), else `h-` and 40 hex digits of its SHA-256.
    [[nodiscard]] static QString customIdFor(const QString &rowId);

    void setPriceBook(std::shared_ptr<const PriceBook> book) { m_prices = std::move(book); }

    /// Submits `rows` (ids unique) in as many batches as the limits need and
    /// follows them to the end. Once per job.
    void start(QList<ProviderBatchRow> rows);
    /// Follows batches created earlier (ids from batchCreated) to the end
    /// without submitting anything. `rows` are the rows those batches hold
    /// (same ids and requests: they map the results back and carry the
    /// schemas); a row no batch answers ends failed. Once per job.
    void resume(const QStringList &batchIds, QList<ProviderBatchRow> rows);
    /// Asks the provider to cancel every batch not final; the job goes on to
    /// download what was done (rows never run end cancelled).
    void cancel();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] const QString &errorMessage() const { return m_error; }
    /// Provider batch ids, in creation order.
    [[nodiscard]] QStringList batchIds() const;
    [[nodiscard]] const Trace &trace() const { return m_trace; }

Q_SIGNALS:
    /// A provider batch exists (persist `batchId` to resume); `rowIds` are its rows.
    void batchCreated(const QString &batchId, const QStringList &rowIds);
    /// A look at a batch: its provider status and counts.
    void batchProgress(
        const QString &batchId, const QString &providerStatus, qint64 done, qint64 total);
    /// One row's result, once (rows of a batch arrive when it is downloaded).
    void rowFinished(const QString &rowId, const sluice::GenerationResult &result);
    /// Every row has its result.
    void finished();
    /// The job stopped early: a one-line reason naming the way out.
    void failed(const QString &message);

private:
    struct Part;
    struct Apis;

    void begin(QList<ProviderBatchRow> rows);
    void submitNext();
    void sendUpload(int partIndex, const BatchCall &upload);
    /// Creates the batch; only a refusal the server states is tried again.
    void sendCreate(int partIndex, const BatchCall &create);
    void onCreated(Part &part);
    void poll(int partIndex);
    void schedulePoll(int partIndex, std::chrono::milliseconds delay);
    void download(int partIndex);
    void fetchResults(int partIndex, const BatchCall &results);
    void downloadFile(int partIndex, const QStringList &fileIds, QByteArray collected);
    void settle(int partIndex, const QByteArray &jsonl);
    /// Emits the results of `rowIds`; `part` null: rows never submitted (cancelled).
    void finishRows(const QStringList &rowIds, const Part *part,
        const QHash<QString, BatchLineResult> &lines, const QString &missing);
    [[nodiscard]] GenerationResult resultFor(const ProviderBatchRow &row, const Part &part,
        const BatchLineResult *line, const QString &missing);
    void sendCall(const BatchCall &call, std::function<void(const HttpResponse &)> done);
    /// A transient failure: true when the call should be tried again after `delay`.
    bool retryable(const GenerationOutcome &failure, std::chrono::milliseconds *delay);
    void fail(const QString &message);
    void checkDone();

    std::shared_ptr<const Provider> m_provider;
    ProviderBatchConfig m_config;
    std::unique_ptr<BatchHttp> m_http;
    std::unique_ptr<Apis> m_apis;
    std::shared_ptr<const PriceBook> m_prices;
    const Clock &m_clock;
    QString m_endpointUrl; ///< the live endpoint, for request fingerprints
    Trace m_trace;
    std::uint64_t m_rootSpan = 0;
    State m_state = State::Idle;
    QString m_error;
    QList<ProviderBatchRow> m_rows;
    QHash<QString, qsizetype> m_rowByCustomId;
    qsizetype m_nextRow = 0; ///< the first row not yet in a part
    QList<std::shared_ptr<Part>> m_parts;
    QSet<QString> m_rowsDone;
    int m_failures = 0;
    bool m_cancelRequested = false;
    QDateTime m_startedAt;
    TimePoint m_startedClock {};
};

} // namespace sluice
