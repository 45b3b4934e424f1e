#pragma once

#include "engine/secrets/secretstore.h"

#include <QStringList>

#include <memory>

namespace sluice::cli {

/// `sluice-cli keys set|get-status|remove --provider P --base-url URL`:
/// manages the key for one provider at one endpoint host. `set` reads the
/// key from stdin, never from the command line; `get-status` says whether
/// and where a key is stored, never the key. Exit 0 ok, 1 store failure
/// (with the diagnostic), 2 usage.
[[nodiscard]] int keysCommand(const QStringList &arguments);

/// The store named by `--key-store` ("keychain" or "file"); null for any
/// other name. Prints the plaintext warning when the file store is chosen.
[[nodiscard]] std::unique_ptr<SecretStore> openSecretStore(const QString &kind);

/// Runs one read on `store` to completion in a local event loop.
[[nodiscard]] SecretResult readSecretBlocking(SecretStore &store, const SecretSlot &slot);

/// "<what failed>: <store's message> (<error name>); <advice>" for one stderr line.
[[nodiscard]] QString describeStoreFailure(
    const QString &what, const SecretStore &store, const SecretResult &result);

} // namespace sluice::cli
