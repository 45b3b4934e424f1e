#pragma once

#include "engine/secrets/secretstore.h"

#include <QHash>

namespace sluice {

/// Keys in the operating system's keychain through QtKeychain (libsecret on
/// Linux): service "Sluice", account "provider@host". QtKeychain's own
/// insecure fallback is off; it does nothing on libsecret anyway.
class KeychainSecretStore final : public SecretStore
{
    Q_OBJECT

public:
    using SecretStore::SecretStore;

    [[nodiscard]] QString location() const override
    {
        return QStringLiteral("the system keychain");
    }
    void read(const SecretSlot &slot, Callback done) override;
    void write(const SecretSlot &slot, const QByteArray &secret, Callback done) override;
    void remove(const SecretSlot &slot, Callback done) override;

    /// Maps a QtKeychain error code and message to a SecretError (exposed for tests).
    [[nodiscard]] static SecretError classify(int keychainError, const QString &message);

private:
    // A write that failed (a locked collection) makes a later read of the
    // same slot report EntryNotFound; the write's error is the true one.
    QHash<QString, SecretResult> m_failedWrites;
};

} // namespace sluice
