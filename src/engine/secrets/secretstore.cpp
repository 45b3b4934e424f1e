#include "engine/secrets/secretstore.h"

namespace sluice {

SecretSlot SecretSlot::forEndpoint(const QString &provider, const QUrl &endpoint)
{
    return {provider, endpoint.host().toLower()};
}

QString secretErrorName(SecretError error)
{
    switch (error) {
    case SecretError::None:
        return {};
    case SecretError::NotFound:
        return QStringLiteral("not_found");
    case SecretError::NoService:
        return QStringLiteral("no_secret_service");
    case SecretError::Locked:
        return QStringLiteral("locked");
    case SecretError::PermissionDenied:
        return QStringLiteral("permission_denied");
    case SecretError::Other:
        return QStringLiteral("other");
    }
    return {};
}

QString secretErrorAdvice(SecretError error)
{
    switch (error) {
    case SecretError::None:
        return {};
    case SecretError::NotFound:
        return QStringLiteral("save a key first");
    case SecretError::NoService:
        return QStringLiteral(
            "no secret service answered: install and start gnome-keyring or KWallet in your "
            "desktop session, or opt in to the key file (--key-store file), which is not "
            "encrypted");
    case SecretError::Locked:
        return QStringLiteral("the keyring is locked: unlock the login keyring (for example by "
                              "logging in to the desktop, or with Seahorse) and try again");
    case SecretError::PermissionDenied:
        return QStringLiteral("the key file must be yours and readable only by you: "
                              "chmod 600 it, or remove it and save the key again");
    case SecretError::Other:
        return QStringLiteral("check that the system keychain works (e.g. with secret-tool)");
    }
    return {};
}

} // namespace sluice
