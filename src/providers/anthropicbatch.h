#pragma once

#include "providers/batchcall.h"
#include "providers/provider.h"

#include <QByteArray>
#include <QJsonObject>

#include <memory>

namespace sluice {

/// Anthropic's Message Batches API, pure encode and decode. Built on the
/// live Messages dialect: each request's `params` is exactly its encode()
/// body (streaming off), and each succeeded result's `message` is decoded
/// by its decode(). The base URL and key are the dialect's own.
/// Wire facts: docs/wire-formats.md in the shared docs, "Batch APIs".
class AnthropicBatchApi
{
public:
    /// Anthropic's limits for one batch.
    static constexpr qsizetype kMaxRequests = 100'000;
    static constexpr qint64 kMaxBytes = 256LL * 1024 * 1024;

    /// `dialect` must be `anthropic`.
    explicit AnthropicBatchApi(std::shared_ptr<const Provider> dialect);

    [[nodiscard]] const Provider &dialect() const { return *m_dialect; }

    /// One entry of `requests`: `{"custom_id", "params": {...}}` as compact
    /// JSON (custom ids match `^[a-zA-Z0-9_-]{1,64}$`).
    [[nodiscard]] QByteArray requestEntry(const QString &customId, GenerationRequest request) const;

    /// `POST {base}/messages/batches {"requests": [entries]}`.
    [[nodiscard]] BatchCall createBatch(const QList<QByteArray> &entries) const;
    /// `GET {base}/messages/batches/{id}`.
    [[nodiscard]] BatchCall retrieveBatch(const QString &batchId) const;
    /// `POST {base}/messages/batches/{id}/cancel`.
    [[nodiscard]] BatchCall cancelBatch(const QString &batchId) const;
    /// `GET` the batch's `results_url` (else `{base}/messages/batches/{id}/results`).
    [[nodiscard]] BatchCall results(const BatchStatus &status) const;

    /// A message batch object (create, retrieve and cancel all answer one):
    /// processing_status in_progress, canceling, ended (Cancelled when a
    /// cancel was initiated, else Completed).
    [[nodiscard]] BatchReply<BatchStatus> decodeBatch(const HttpResponse &response) const;
    /// The raw bytes of the results download.
    [[nodiscard]] BatchReply<QByteArray> decodeContent(const HttpResponse &response) const;

    /// The results JSONL: `succeeded` decodes its `message` as a live
    /// answer; `errored` its error as a live error answer would be;
    /// `canceled` and `expired` are not run (Expired fails as a Timeout).
    /// A line that cannot be read goes to `problems` ("line N: why").
    [[nodiscard]] QList<BatchLineResult> decodeResults(
        const QByteArray &jsonl, QStringList *problems) const;

private:
    std::shared_ptr<const Provider> m_dialect;
    BatchEndpoint m_endpoint;
};

} // namespace sluice
