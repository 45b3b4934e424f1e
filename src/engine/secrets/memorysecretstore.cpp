#include "engine/secrets/memorysecretstore.h"

#include <QTimer>

namespace sluice {

void MemorySecretStore::finishLater(SecretResult result, Callback done)
{
    if (m_failure != SecretError::None)
        result = {m_failure, {}, QStringLiteral("simulated failure")};
    QTimer::singleShot(
        0, this, [result = std::move(result), done = std::move(done)] { done(result); });
}

void MemorySecretStore::read(const SecretSlot &slot, Callback done)
{
    const auto it = m_secrets.constFind(slot.account());
    if (!slot.isValid() || it == m_secrets.constEnd())
        finishLater({SecretError::NotFound, {}, QStringLiteral("no key stored")}, std::move(done));
    else
        finishLater({SecretError::None, *it, {}}, std::move(done));
}

void MemorySecretStore::write(const SecretSlot &slot, const QByteArray &secret, Callback done)
{
    if (!slot.isValid()) {
        finishLater(
            {SecretError::Other, {}, QStringLiteral("no provider or host")}, std::move(done));
        return;
    }
    if (m_failure == SecretError::None)
        m_secrets.insert(slot.account(), secret);
    finishLater({}, std::move(done));
}

void MemorySecretStore::remove(const SecretSlot &slot, Callback done)
{
    if (m_failure == SecretError::None)
        m_secrets.remove(slot.account());
    finishLater({}, std::move(done));
}

} // namespace sluice
