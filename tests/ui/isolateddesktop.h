#pragma once

#include <QByteArray>
#include <QTemporaryDir>
#include <QtGlobal>

namespace sluice::test {

/// Points HOME and the XDG folders into `home`, so settings, data and caches
/// start empty and stay out of the developer's own, and unsets the session
/// bus, the display and the provider keys: the keychain answers "no
/// service" at once and the embedded simulator stands in. Call it before
/// the application object exists.
inline void isolateFromDesktop(const QTemporaryDir &home)
{
    for (const char *variable : {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(variable, home.path().toLocal8Bit() + '/' + variable);
    for (const char *variable :
        {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"})
        qunsetenv(variable);
}

} // namespace sluice::test
