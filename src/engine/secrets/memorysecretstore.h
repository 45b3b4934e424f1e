#pragma once

#include "engine/secrets/secretstore.h"

#include <QHash>

namespace sluice {

/// A SecretStore in memory, for tests: as asynchronous as the real ones
/// (callbacks run from the event loop), and it can be told to fail.
class MemorySecretStore final : public SecretStore
{
    Q_OBJECT

public:
    using SecretStore::SecretStore;

    [[nodiscard]] QString location() const override { return QStringLiteral("memory"); }
    void read(const SecretSlot &slot, Callback done) override;
    void write(const SecretSlot &slot, const QByteArray &secret, Callback done) override;
    void remove(const SecretSlot &slot, Callback done) override;

    /// Every following operation fails with `error` (None: back to normal).
    void setFailure(SecretError error) { m_failure = error; }
    [[nodiscard]] int size() const { return int(m_secrets.size()); }

private:
    void finishLater(SecretResult result, Callback done);

    QHash<QString, QByteArray> m_secrets;
    SecretError m_failure = SecretError::None;
};

} // namespace sluice
