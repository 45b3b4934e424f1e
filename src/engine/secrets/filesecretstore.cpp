#include "engine/secrets/filesecretstore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice {

namespace {

QString systemError(const char *what, const QString &path)
{
    return QStringLiteral("%1 %2: %3")
        .arg(QLatin1StringView(what), path, QString::fromLocal8Bit(std::strerror(errno)));
}

} // namespace

struct FileSecretStore::Loaded
{
    SecretResult status; ///< None, or why the file cannot be used
    QJsonObject keys;
};

FileSecretStore::FileSecretStore(QString path, QObject *parent)
    : SecretStore(parent), m_path(std::move(path))
{ }

QString FileSecretStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/sluice/keys.json");
}

QString FileSecretStore::location() const
{
    return QStringLiteral("the key file %1 (not encrypted, readable only by you)").arg(m_path);
}

FileSecretStore::Loaded FileSecretStore::load() const
{
    const QByteArray nativePath = QFile::encodeName(m_path);
    // O_NOFOLLOW: a symlink planted in place of the file is not followed.
    const int fd = ::open(nativePath.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return {};
        return {{SecretError::Other, {}, systemError("cannot open", m_path)}, {}};
    }
    struct stat info
    {
    };
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::getuid()
        || (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        return {{SecretError::PermissionDenied, {},
                    QStringLiteral("%1 is not a file of yours with mode 0600").arg(m_path)},
            {}};
    }
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return {{SecretError::Other, {}, file.errorString()}, {}};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject() || document.object().value(u"version").toInt() != 1) {
        return {{SecretError::Other, {},
                    QStringLiteral("%1 is not a Sluice key file (version 1)").arg(m_path)},
            {}};
    }
    return {{}, document.object().value(u"keys").toObject()};
}

SecretResult FileSecretStore::save(const Loaded &loaded) const
{
    const QFileInfo target(m_path);
    if (!QDir().mkpath(target.absolutePath()))
        return {
            SecretError::Other, {}, QStringLiteral("cannot create %1").arg(target.absolutePath())};
    ::chmod(QFile::encodeName(target.absolutePath()).constData(), S_IRWXU);

    const QByteArray bytes = QJsonDocument(
        QJsonObject {{QStringLiteral("version"), 1},
            {QStringLiteral("keys"),
                loaded.keys}}).toJson(QJsonDocument::Indented);
    QByteArray temporary = QFile::encodeName(m_path) + ".XXXXXX";
    // mkstemp creates the file with mode 0600 before anything is written.
    const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
    if (fd < 0)
        return {SecretError::Other, {}, systemError("cannot create a file next to", m_path)};
    bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
    for (qsizetype written = 0; ok && written < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.constData() + written, size_t(bytes.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        written += n > 0 ? n : 0;
    }
    ok = ok && ::fsync(fd) == 0;
    ok = (::close(fd) == 0) && ok;
    ok = ok && ::rename(temporary.constData(), QFile::encodeName(m_path).constData()) == 0;
    if (!ok) {
        const SecretResult result {SecretError::Other, {}, systemError("cannot write", m_path)};
        ::unlink(temporary.constData());
        return result;
    }
    return {};
}

void FileSecretStore::finishLater(const SecretResult &result, Callback done)
{
    QTimer::singleShot(0, this, [result, done = std::move(done)] { done(result); });
}

void FileSecretStore::read(const SecretSlot &slot, Callback done)
{
    const Loaded loaded = load();
    if (!loaded.status.ok()) {
        finishLater(loaded.status, std::move(done));
        return;
    }
    const QJsonValue value = loaded.keys.value(slot.account());
    if (!slot.isValid() || !value.isString()) {
        finishLater({SecretError::NotFound, {}, QStringLiteral("no key stored")}, std::move(done));
        return;
    }
    finishLater({SecretError::None, value.toString().toUtf8(), {}}, std::move(done));
}

void FileSecretStore::write(const SecretSlot &slot, const QByteArray &secret, Callback done)
{
    Loaded loaded = load();
    if (!loaded.status.ok()) {
        finishLater(loaded.status, std::move(done));
        return;
    }
    if (!slot.isValid()) {
        finishLater(
            {SecretError::Other, {}, QStringLiteral("no provider or host")}, std::move(done));
        return;
    }
    loaded.keys.insert(slot.account(), QString::fromUtf8(secret));
    finishLater(save(loaded), std::move(done));
}

void FileSecretStore::remove(const SecretSlot &slot, Callback done)
{
    Loaded loaded = load();
    if (!loaded.status.ok() || !loaded.keys.contains(slot.account())) {
        finishLater(loaded.status, std::move(done));
        return;
    }
    loaded.keys.remove(slot.account());
    finishLater(save(loaded), std::move(done));
}

} // namespace sluice
