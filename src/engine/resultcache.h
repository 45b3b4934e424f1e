#pragma once

#include "core/generation.h"

#include <QCache>
#include <QDateTime>
#include <QString>

#include <chrono>
#include <optional>

namespace sluice {

/// A successful answer kept for a request fingerprint: what the provider
/// said, so the pipeline can validate and repair it again like a fresh one.
struct CachedAnswer
{
    QString text;
    QString model;
    QString responseId;
    TokenUsage usage;
    QDateTime storedAt; ///< UTC
};

/// The opt-in result cache: an in-memory LRU in front of an optional
/// directory with one JSON file per fingerprint (`<fingerprint>.json`,
/// written through QSaveFile, so a crash leaves the old file or the new one,
/// never half of one). Entries older than the TTL (wall time, since they
/// outlive the process) are misses and are removed. Single-threaded.
class ResultCache
{
public:
    /// `directory` empty: memory only.
    ResultCache(int maxEntries, std::chrono::seconds ttl, QString directory = {});

    [[nodiscard]] std::optional<CachedAnswer> find(const QString &fingerprint);
    void store(const QString &fingerprint, const CachedAnswer &answer);

    [[nodiscard]] const QString &directory() const { return m_directory; }

private:
    [[nodiscard]] bool fresh(const CachedAnswer &answer) const;
    [[nodiscard]] QString pathFor(const QString &fingerprint) const;

    QCache<QString, CachedAnswer> m_memory;
    std::chrono::seconds m_ttl;
    QString m_directory;
};

} // namespace sluice
