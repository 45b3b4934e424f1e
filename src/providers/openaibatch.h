#pragma once

#include "providers/batchcall.h"
#include "providers/provider.h"

#include <QByteArray>
#include <QJsonObject>

#include <memory>

namespace sluice {

/// OpenAI's Batch API (files + batches), pure encode and decode. Built on a
/// live dialect (OpenAI Responses or Chat Completions): each JSONL line's
/// body is exactly that dialect's encode() body (streaming off), and each
/// result line's `response.body` is decoded by that dialect's decode(). The
/// base URL and key are the dialect's own (its auth headers are reused).
/// Wire facts: docs/wire-formats.md in the shared docs, "Batch APIs".
class OpenAiBatchApi
{
public:
    /// OpenAI's limits for one input file.
    static constexpr qsizetype kMaxLines = 50'000;
    static constexpr qint64 kMaxFileBytes = 200LL * 1024 * 1024;

    /// The line `url` for a dialect id (`/v1/responses`, `/v1/chat/completions`);
    /// empty for a dialect OpenAI's batches do not take.
    [[nodiscard]] static QString endpointFor(QStringView providerId);

    /// `dialect` must be `openai-responses` or `openai-chat` (see endpointFor).
    explicit OpenAiBatchApi(std::shared_ptr<const Provider> dialect);

    [[nodiscard]] const Provider &dialect() const { return *m_dialect; }
    /// The batch's endpoint and every line's `url`.
    [[nodiscard]] const QString &endpoint() const { return m_endpoint; }

    /// One input line, ending in a newline:
    /// `{"custom_id","method":"POST","url":endpoint(),"body":{...}}`.
    [[nodiscard]] QByteArray inputLine(const QString &customId, GenerationRequest request) const;

    /// `POST {base}/files`, multipart/form-data with `purpose=batch` and the file.
    [[nodiscard]] BatchCall uploadFile(const QByteArray &jsonl, const QString &filename) const;
    /// `POST {base}/batches {input_file_id, endpoint, completion_window:"24h", metadata?}`.
    [[nodiscard]] BatchCall createBatch(
        const QString &inputFileId, const QJsonObject &metadata = {}) const;
    /// `GET {base}/batches/{id}`.
    [[nodiscard]] BatchCall retrieveBatch(const QString &batchId) const;
    /// `POST {base}/batches/{id}/cancel`.
    [[nodiscard]] BatchCall cancelBatch(const QString &batchId) const;
    /// `GET {base}/files/{id}/content`.
    [[nodiscard]] BatchCall fileContent(const QString &fileId) const;

    /// The uploaded file's id.
    [[nodiscard]] BatchReply<QString> decodeFile(const HttpResponse &response) const;
    /// A batch object (create, retrieve and cancel all answer one).
    [[nodiscard]] BatchReply<BatchStatus> decodeBatch(const HttpResponse &response) const;
    /// The raw bytes of a download (file content).
    [[nodiscard]] BatchReply<QByteArray> decodeContent(const HttpResponse &response) const;

    /// The lines of an output or error file: `response {status_code,
    /// request_id, body}` decoded as the live answer it is; `error
    /// {code, message}` (no response) as Expired (`batch_expired`),
    /// Cancelled (`batch_cancelled`) or a Server failure. A line that cannot
    /// be read goes to `problems` ("line N: why").
    [[nodiscard]] QList<BatchLineResult> decodeResults(
        const QByteArray &jsonl, QStringList *problems) const;

private:
    [[nodiscard]] BatchCall call(BatchCall::Method method, const QString &path) const;

    std::shared_ptr<const Provider> m_dialect;
    QString m_endpoint;
    QUrl m_baseUrl;
    HttpHeaders m_auth; ///< the dialect's own auth headers
};

} // namespace sluice
