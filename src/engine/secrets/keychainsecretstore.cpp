#include "engine/secrets/keychainsecretstore.h"

#include <QLoggingCategory>
#include <qt6keychain/keychain.h>

namespace sluice {

namespace {

Q_LOGGING_CATEGORY(lcSecrets, "sluice.secrets", QtInfoMsg)

constexpr auto kService = "Sluice";

// The message QtKeychain gives for an error, or the class's advice when it
// gives none.
SecretResult failure(const QKeychain::Job &job)
{
    const SecretError error = KeychainSecretStore::classify(job.error(), job.errorString());
    return {error, {}, job.errorString().isEmpty() ? secretErrorName(error) : job.errorString()};
}

} // namespace

SecretError KeychainSecretStore::classify(int keychainError, const QString &message)
{
    switch (keychainError) {
    case QKeychain::NoError:
        return SecretError::None;
    case QKeychain::EntryNotFound:
        return SecretError::NotFound;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return SecretError::NoService;
    case QKeychain::AccessDeniedByUser:
        return SecretError::Locked;
    default:
        break;
    }
    // libsecret reports both "no bus" and "locked" as OtherError; only the
    // message tells them apart (see qt64-notes.md).
    static const char *const noService[] = {"D-Bus", "DBus", "dbus", "org.freedesktop.secrets",
        "was not provided by any", "ServiceUnknown", "secret service"};
    static const char *const locked[] = {"locked", "Locked", "collection/login", "unlock"};
    for (const char *needle : locked) {
        if (message.contains(QLatin1StringView(needle)))
            return SecretError::Locked;
    }
    for (const char *needle : noService) {
        if (message.contains(QLatin1StringView(needle)))
            return SecretError::NoService;
    }
    return SecretError::Other;
}

void KeychainSecretStore::read(const SecretSlot &slot, Callback done)
{
    auto *job = new QKeychain::ReadPasswordJob(QString::fromLatin1(kService), this);
    job->setKey(slot.account());
    connect(job, &QKeychain::Job::finished, this,
        [this, account = slot.account(), done = std::move(done)](QKeychain::Job *finished) {
            auto *readJob = static_cast<QKeychain::ReadPasswordJob *>(finished);
            if (readJob->error() == QKeychain::NoError) {
                m_failedWrites.remove(account);
                done({SecretError::None, readJob->textData().toUtf8(), {}});
                return;
            }
            SecretResult result = failure(*readJob);
            if (result.error == SecretError::NotFound && m_failedWrites.contains(account))
                result = m_failedWrites.value(account);
            qCDebug(lcSecrets) << "read" << account << "failed:" << result.message;
            done(result);
        });
    job->start();
}

void KeychainSecretStore::write(const SecretSlot &slot, const QByteArray &secret, Callback done)
{
    auto *job = new QKeychain::WritePasswordJob(QString::fromLatin1(kService), this);
    job->setKey(slot.account());
    job->setTextData(QString::fromUtf8(secret));
    connect(job, &QKeychain::Job::finished, this,
        [this, account = slot.account(), done = std::move(done)](QKeychain::Job *finished) {
            if (finished->error() == QKeychain::NoError) {
                m_failedWrites.remove(account);
                done({});
                return;
            }
            const SecretResult result = failure(*finished);
            m_failedWrites.insert(account, result);
            qCWarning(lcSecrets) << "write" << account << "failed:" << result.message;
            done(result);
        });
    job->start();
}

void KeychainSecretStore::remove(const SecretSlot &slot, Callback done)
{
    auto *job = new QKeychain::DeletePasswordJob(QString::fromLatin1(kService), this);
    job->setKey(slot.account());
    connect(
        job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job *finished) {
            const SecretResult result = failure(*finished);
            done(result.error == SecretError::NotFound ? SecretResult {} : result);
        });
    job->start();
}

} // namespace sluice
