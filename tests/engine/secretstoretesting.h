#pragma once

// Synchronous wrappers over the asynchronous SecretStore calls, for tests:
// each waits (spinning the event loop) for the callback, and fails the
// process if a callback runs inside the call, since stores promise to answer later.
#include "engine/secrets/secretstore.h"

#include <QTest>

#include <optional>

namespace sluice::test {

inline SecretResult awaitStore(
    const std::function<void(const SecretStore::Callback &)> &call, int timeoutMs = 20'000)
{
    std::optional<SecretResult> result;
    bool returned = false;
    call([&](const SecretResult &done) {
        if (!returned)
            qFatal("a SecretStore callback ran inside the call");
        result = done;
    });
    returned = true;
    if (!QTest::qWaitFor([&] { return result.has_value(); }, timeoutMs))
        return {SecretError::Other, {}, QStringLiteral("timed out")};
    return *result;
}

inline SecretResult readFrom(SecretStore &store, const SecretSlot &slot)
{
    return awaitStore([&](const SecretStore::Callback &done) { store.read(slot, done); });
}

inline SecretResult writeTo(SecretStore &store, const SecretSlot &slot, const QByteArray &secret)
{
    return awaitStore([&](const SecretStore::Callback &done) { store.write(slot, secret, done); });
}

inline SecretResult removeFrom(SecretStore &store, const SecretSlot &slot)
{
    return awaitStore([&](const SecretStore::Callback &done) { store.remove(slot, done); });
}

} // namespace sluice::test
