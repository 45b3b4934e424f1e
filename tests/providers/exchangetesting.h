#pragma once

// Helpers shared by the dialect tests: recorded exchanges with their
// headers, and streams fed to a StreamDecoder in chunks of any size.

#include "providers/provider.h"
#include "testdata.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice::test {

/// A body under tests/data with `status`; when a `.meta.json` sits beside it
/// (recorded traffic), the recorded status and headers replace the defaults.
inline HttpResponse loadExchange(const QString &bodyPath, int status)
{
    HttpResponse response;
    response.status = status;
    response.body = readTestData(bodyPath);
    QString metaPath = bodyPath;
    const qsizetype dot = metaPath.lastIndexOf(u'.');
    metaPath = metaPath.left(dot) + u".meta.json"_qs;
    if (QFile::exists(testDataPath(metaPath))) {
        const QJsonObject meta = QJsonDocument::fromJson(readTestData(metaPath)).object();
        const QJsonObject recorded = meta.value(u"response").toObject();
        response.status = recorded.value(u"status").toInt();
        const QJsonObject headers = recorded.value(u"headers").toObject();
        for (auto it = headers.begin(); it != headers.end(); ++it)
            response.headers.append({it.key().toLatin1(), it.value().toString().toLatin1()});
    }
    return response;
}

/// Usage in OpenAI accounting, class by class.
inline TokenUsage tokens(qint64 input, qint64 cached, qint64 output, qint64 reasoning)
{
    TokenUsage usage;
    usage.input = input;
    usage.cached = cached;
    usage.output = output;
    usage.reasoning = reasoning;
    return usage;
}

/// The non-streaming bodies under tests/data/recorded-openai matching
/// `patterns` (paths relative to tests/data), so that a table of decoded
/// fixtures can prove it left none out.
inline QStringList recordedBodies(const QStringList &patterns)
{
    QStringList paths;
    const QDir root(testDataPath(u"recorded-openai"_qs));
    for (const QString &dir : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        for (const QString &file : QDir(root.filePath(dir)).entryList(patterns, QDir::Files)) {
            if (!file.endsWith(u".meta.json") && !file.contains(u"streaming"))
                paths.append(u"recorded-openai/"_qs + dir + u'/' + file);
        }
    }
    return paths;
}

/// One SSE `data:` payload per line (vercel-ai's `*.chunks.txt`) as a stream.
inline QByteArray chunksToSse(const QByteArray &lines)
{
    QByteArray stream;
    for (const QByteArray &line : lines.split('\n')) {
        if (!line.trimmed().isEmpty())
            stream += "data: " + line + "\n\n";
    }
    return stream;
}

struct Streamed
{
    GenerationOutcome outcome;
    QStringList deltas;
};

/// Feeds `head.body` in chunks of `chunkSize` bytes (0: all at once) to a
/// fresh decoder, then finishes it with `head` minus its body.
inline Streamed streamThrough(const Provider &provider, HttpResponse head, qsizetype chunkSize = 0)
{
    Streamed streamed;
    const std::unique_ptr<StreamDecoder> decoder = provider.createStreamDecoder(
        [&streamed](const QString &delta) { streamed.deltas.append(delta); });
    const QByteArray body = std::exchange(head.body, {});
    const qsizetype step = chunkSize > 0 ? chunkSize : std::max<qsizetype>(1, body.size());
    for (qsizetype at = 0; at < body.size(); at += step)
        decoder->feed(QByteArrayView(body).sliced(at, std::min(step, body.size() - at)));
    streamed.outcome = decoder->finish(head);
    return streamed;
}

/// `bytes` cut just before the first occurrence of `marker`.
inline QByteArray cutBefore(const QByteArray &bytes, QByteArrayView marker)
{
    const qsizetype at = bytes.indexOf(marker);
    return at < 0 ? bytes : bytes.left(at);
}

} // namespace sluice::test
