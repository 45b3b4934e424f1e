#include "engine/resultcache.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace sluice {

namespace {

bool isFingerprint(const QString &text)
{
    // Fingerprints are SHA-256 hex: anything else never becomes a path.
    if (text.size() != 64)
        return false;
    return std::all_of(text.cbegin(), text.cend(),
        [](QChar c) { return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'); });
}

} // namespace

ResultCache::ResultCache(int maxEntries, std::chrono::seconds ttl, QString directory)
    : m_memory(qMax(1, maxEntries)), m_ttl(ttl), m_directory(std::move(directory))
{
    if (!m_directory.isEmpty())
        QDir().mkpath(m_directory);
}

bool ResultCache::fresh(const CachedAnswer &answer) const
{
    return answer.storedAt.secsTo(QDateTime::currentDateTimeUtc()) < m_ttl.count();
}

QString ResultCache::pathFor(const QString &fingerprint) const
{
    return QDir(m_directory).filePath(fingerprint + QStringLiteral(".json"));
}

std::optional<CachedAnswer> ResultCache::find(const QString &fingerprint)
{
    if (const CachedAnswer *hit = m_memory.object(fingerprint)) {
        if (fresh(*hit))
            return *hit;
        m_memory.remove(fingerprint);
    }
    if (m_directory.isEmpty() || !isFingerprint(fingerprint))
        return std::nullopt;
    QFile file(pathFor(fingerprint));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    CachedAnswer answer;
    answer.text = o.value(QStringLiteral("text")).toString();
    answer.model = o.value(QStringLiteral("model")).toString();
    answer.responseId = o.value(QStringLiteral("response_id")).toString();
    const QJsonObject usage = o.value(QStringLiteral("usage")).toObject();
    answer.usage.input = usage.value(QStringLiteral("input")).toInteger();
    answer.usage.cached = usage.value(QStringLiteral("cached")).toInteger();
    answer.usage.cacheWrite = usage.value(QStringLiteral("cache_write")).toInteger();
    answer.usage.output = usage.value(QStringLiteral("output")).toInteger();
    answer.usage.reasoning = usage.value(QStringLiteral("reasoning")).toInteger();
    answer.storedAt
        = QDateTime::fromString(o.value(QStringLiteral("stored_at")).toString(), Qt::ISODateWithMs);
    if (!answer.storedAt.isValid() || !fresh(answer)) {
        QFile::remove(file.fileName());
        return std::nullopt;
    }
    m_memory.insert(fingerprint, new CachedAnswer(answer));
    return answer;
}

void ResultCache::store(const QString &fingerprint, const CachedAnswer &answer)
{
    m_memory.insert(fingerprint, new CachedAnswer(answer));
    if (m_directory.isEmpty() || !isFingerprint(fingerprint))
        return;
    const QJsonObject usage {
        {QStringLiteral("input"), qint64(answer.usage.input)},
        {QStringLiteral("cached"), qint64(answer.usage.cached)},
        {QStringLiteral("cache_write"), qint64(answer.usage.cacheWrite)},
        {QStringLiteral("output"), qint64(answer.usage.output)},
        {QStringLiteral("reasoning"), qint64(answer.usage.reasoning)},
    };
    const QJsonObject o {
        {QStringLiteral("text"), answer.text},
        {QStringLiteral("model"), answer.model},
        {QStringLiteral("response_id"), answer.responseId},
        {QStringLiteral("usage"), usage},
        {QStringLiteral("stored_at"), answer.storedAt.toString(Qt::ISODateWithMs)},
    };
    QSaveFile file(pathFor(fingerprint));
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        file.commit();
    }
}

} // namespace sluice
