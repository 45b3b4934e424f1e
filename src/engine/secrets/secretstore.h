#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

namespace sluice {

/// Where a key belongs: one provider at one endpoint host. A store only ever
/// returns a key for the exact (provider, host) it was saved under, so a key
/// saved for api.openai.com is never sent to another host.
struct SecretSlot
{
    QString provider; ///< e.g. "openai"
    QString host;     ///< lower-case host of the endpoint, e.g. "api.openai.com"

    /// The slot for `provider` at `endpoint`'s host; invalid if the URL has no host.
    [[nodiscard]] static SecretSlot forEndpoint(const QString &provider, const QUrl &endpoint);
    [[nodiscard]] bool isValid() const { return !provider.isEmpty() && !host.isEmpty(); }
    /// The keychain account name, "provider@host".
    [[nodiscard]] QString account() const { return provider + u'@' + host; }
};

/// Why a store operation failed, typed so that the UI and the CLI can say
/// what to do (secretErrorAdvice).
enum class SecretError {
    None,
    NotFound,         ///< nothing stored for this slot
    NoService,        ///< no D-Bus session or no secret service provider
    Locked,           ///< the keyring collection is locked
    PermissionDenied, ///< the key file is readable by others, or not ours
    Other,            ///< anything else; the message says what
};

/// What a job reports: `secret` on a successful read; `message` explains an
/// error (it never contains a key).
struct SecretResult
{
    SecretError error = SecretError::None;
    QByteArray secret;
    QString message;

    [[nodiscard]] bool ok() const { return error == SecretError::None; }
};

/// Wire-style name of an error: "not_found", "no_secret_service", "locked", ...
[[nodiscard]] QString secretErrorName(SecretError error);

/// One sentence saying what the user can do about `error` (empty for None).
[[nodiscard]] QString secretErrorAdvice(SecretError error);

/// Keeps API keys outside Sluice's own files. Asynchronous: every call
/// returns at once and `done` runs exactly once, later, on the store's thread.
class SecretStore : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const SecretResult &)>;

    using QObject::QObject;

    /// Human words for where keys go, e.g. "the system keychain" (for status lines).
    [[nodiscard]] virtual QString location() const = 0;

    virtual void read(const SecretSlot &slot, Callback done) = 0;
    virtual void write(const SecretSlot &slot, const QByteArray &secret, Callback done) = 0;
    /// Removing a slot that holds nothing succeeds.
    virtual void remove(const SecretSlot &slot, Callback done) = 0;
};

} // namespace sluice
