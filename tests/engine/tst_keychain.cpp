// KeychainSecretStore against a real secret service. CTest runs this binary
// three times (tests/engine/CMakeLists.txt), told which by SLUICE_KEYRING:
//   unlocked  under scripts/with-keyring.sh: keys round-trip, per host
//   locked    under scripts/with-keyring.sh with a keyring never unlocked
//   none      with no D-Bus session at all
#include "engine/secrets/keychainsecretstore.h"
#include "secretstoretesting.h"

#include <QElapsedTimer>
#include <QTest>

using namespace sluice;
using namespace sluice::test;

namespace {

const SecretSlot kOpenAi {QStringLiteral("openai"), QStringLiteral("api.openai.com")};
const SecretSlot kOtherHost {QStringLiteral("openai"), QStringLiteral("evil.example.com")};
const SecretSlot kOtherProvider {QStringLiteral("anthropic"), QStringLiteral("api.openai.com")};

} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_mode = qEnvironmentVariable("SLUICE_KEYRING");
        QVERIFY2(m_mode == u"unlocked" || m_mode == u"locked" || m_mode == u"none",
            "run through CTest: SLUICE_KEYRING must say which secret service this is");
        if (m_mode == u"none") {
            // No session bus and no X display to autolaunch one from.
            qunsetenv("DBUS_SESSION_BUS_ADDRESS");
            qunsetenv("DISPLAY");
            qunsetenv("WAYLAND_DISPLAY");
        }
    }

    void keysRoundTripPerProviderAndHost()
    {
        if (m_mode != u"unlocked")
            QSKIP("runs with SLUICE_KEYRING=unlocked");
        KeychainSecretStore store;
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::NotFound);
        QVERIFY(writeTo(store, kOpenAi, "sk-keychain-1").ok());
        QVERIFY(writeTo(store, kOtherProvider, "sk-keychain-2").ok());

        // A second store (as another process would) sees the same keys.
        KeychainSecretStore other;
        const SecretResult read = readFrom(other, kOpenAi);
        QVERIFY2(read.ok(), qPrintable(read.message));
        QCOMPARE(read.secret, QByteArray("sk-keychain-1"));
        QCOMPARE(readFrom(other, kOtherProvider).secret, QByteArray("sk-keychain-2"));
        // Never for another host.
        QCOMPARE(readFrom(other, kOtherHost).error, SecretError::NotFound);

        QVERIFY(writeTo(store, kOpenAi, "sk-keychain-3").ok());
        QCOMPARE(readFrom(other, kOpenAi).secret, QByteArray("sk-keychain-3"));
        QVERIFY(removeFrom(store, kOpenAi).ok());
        QCOMPARE(readFrom(other, kOpenAi).error, SecretError::NotFound);
        QVERIFY(removeFrom(store, kOpenAi).ok()); // nothing there: still fine
        QVERIFY(removeFrom(store, kOtherProvider).ok());
    }

    void noSecretServiceIsSaidQuickly()
    {
        if (m_mode != u"none")
            QSKIP("runs with SLUICE_KEYRING=none");
        KeychainSecretStore store;
        QElapsedTimer timer;
        timer.start();
        const SecretResult write = writeTo(store, kOpenAi, "sk-nowhere");
        QCOMPARE(write.error, SecretError::NoService);
        QVERIFY2(timer.elapsed() < 5000, "no bus must fail fast, not hang");
        QVERIFY(!write.message.isEmpty());
        QVERIFY(!write.message.contains(u"sk-nowhere"));
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::NoService);
        QVERIFY(secretErrorAdvice(SecretError::NoService).contains(u"gnome-keyring"));
        QVERIFY(secretErrorAdvice(SecretError::NoService).contains(u"--key-store file"));
    }

    void lockedCollectionIsSaidAndNotMistakenForMissing()
    {
        if (m_mode != u"locked")
            QSKIP("runs with SLUICE_KEYRING=locked");
        KeychainSecretStore store;
        const SecretResult write = writeTo(store, kOpenAi, "sk-locked");
        QVERIFY2(write.error == SecretError::Locked, qPrintable(write.message));
        QVERIFY(!write.message.contains(u"sk-locked"));
        // libsecret then reports EntryNotFound for the read; the store keeps
        // reporting the write's error instead.
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::Locked);
        QVERIFY(secretErrorAdvice(SecretError::Locked).contains(u"unlock"));
    }

private:
    QString m_mode;
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
