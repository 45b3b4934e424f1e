#pragma once

#include "engine/secrets/secretstore.h"

namespace sluice {

/// The explicit opt-in store for machines without a keychain: one JSON file
/// `{"version": 1, "keys": {"provider@host": "key"}}`, NOT encrypted,
/// protected only by its mode 0600. Written atomically: a new file is
/// created with mode 0600 before any byte is written, then renamed over the
/// old one. A file that is not ours, or that group or others may read or
/// write, is refused (PermissionDenied) rather than trusted or silently fixed.
/// Callers must warn the user whenever they use it.
class FileSecretStore final : public SecretStore
{
    Q_OBJECT

public:
    /// `path` defaults to defaultPath().
    explicit FileSecretStore(QString path = defaultPath(), QObject *parent = nullptr);

    /// `$XDG_CONFIG_HOME/sluice/keys.json` (shared by the GUI and the CLI).
    [[nodiscard]] static QString defaultPath();
    [[nodiscard]] QString path() const { return m_path; }

    [[nodiscard]] QString location() const override;
    void read(const SecretSlot &slot, Callback done) override;
    void write(const SecretSlot &slot, const QByteArray &secret, Callback done) override;
    void remove(const SecretSlot &slot, Callback done) override;

private:
    struct Loaded;
    [[nodiscard]] Loaded load() const;
    [[nodiscard]] SecretResult save(const Loaded &loaded) const;
    void finishLater(const SecretResult &result, Callback done);

    QString m_path;
};

} // namespace sluice
