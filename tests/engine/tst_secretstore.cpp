// The in-memory fake and the opt-in key file: a key comes back only for its
// (provider, host); the file is created 0600 before any byte is written,
// replaced atomically, and refused when others may read it.
#include "engine/secrets/filesecretstore.h"
#include "engine/secrets/keychainsecretstore.h"
#include "engine/secrets/memorysecretstore.h"
#include "secretstoretesting.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace sluice;
using namespace sluice::test;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode & 07777;
}

const SecretSlot kOpenAi {QStringLiteral("openai"), QStringLiteral("api.openai.com")};
const SecretSlot kOtherHost {QStringLiteral("openai"), QStringLiteral("proxy.example.com")};

} // namespace

class TestSecretStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void slotFromEndpoint()
    {
        const SecretSlot slot = SecretSlot::forEndpoint(
            QStringLiteral("openai"), QUrl(QStringLiteral("https://API.OpenAI.com:443/v1")));
        QCOMPARE(slot.host, QStringLiteral("api.openai.com"));
        QCOMPARE(slot.account(), QStringLiteral("openai@api.openai.com"));
        QVERIFY(!SecretSlot::forEndpoint(QStringLiteral("openai"), QUrl()).isValid());
    }

    void memoryStoreKeepsKeysPerHost()
    {
        MemorySecretStore store;
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::NotFound);
        QVERIFY(writeTo(store, kOpenAi, "sk-one").ok());
        QCOMPARE(readFrom(store, kOpenAi).secret, QByteArray("sk-one"));
        QCOMPARE(readFrom(store, kOtherHost).error, SecretError::NotFound);
        QVERIFY(removeFrom(store, kOpenAi).ok());
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::NotFound);
        QVERIFY(removeFrom(store, kOpenAi).ok());
    }

    void memoryStoreFailsOnRequest()
    {
        MemorySecretStore store;
        store.setFailure(SecretError::Locked);
        QCOMPARE(writeTo(store, kOpenAi, "sk-one").error, SecretError::Locked);
        store.setFailure(SecretError::None);
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::NotFound);
    }

    void fileStoreRoundTripWithMode0600()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/keys.json"));
        FileSecretStore store(path);
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::NotFound);
        QVERIFY(!QFile::exists(path));

        QVERIFY(writeTo(store, kOpenAi, "sk-file-1").ok());
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("sub"))), mode_t(0700));
        QVERIFY(writeTo(store, kOtherHost, "sk-file-2").ok());
        QCOMPARE(modeOf(path), mode_t(0600));

        FileSecretStore again(path);
        QCOMPARE(readFrom(again, kOpenAi).secret, QByteArray("sk-file-1"));
        QCOMPARE(readFrom(again, kOtherHost).secret, QByteArray("sk-file-2"));
        QVERIFY(removeFrom(again, kOpenAi).ok());
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::NotFound);
        QCOMPARE(readFrom(store, kOtherHost).secret, QByteArray("sk-file-2"));
        // No temporary file is left next to it.
        QCOMPARE(QDir(dir.filePath(QStringLiteral("sub"))).entryList(QDir::Files),
            QStringList {QStringLiteral("keys.json")});
    }

    void fileStoreIsCreated0600EvenWithAPermissiveUmask()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keys.json"));
        const mode_t previous = ::umask(0);
        FileSecretStore store(path);
        const SecretResult result = writeTo(store, kOpenAi, "sk-umask");
        ::umask(previous);
        QVERIFY(result.ok());
        QCOMPARE(modeOf(path), mode_t(0600));
    }

    void fileStoreReplacesAtomically()
    {
        // The old file is renamed over, not rewritten: a reader holding the
        // old file still sees complete old content.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keys.json"));
        FileSecretStore store(path);
        QVERIFY(writeTo(store, kOpenAi, "sk-old").ok());
        QFile old(path);
        QVERIFY(old.open(QIODevice::ReadOnly));
        QVERIFY(writeTo(store, kOpenAi, "sk-new").ok());
        QVERIFY(old.readAll().contains("sk-old"));
        QCOMPARE(readFrom(store, kOpenAi).secret, QByteArray("sk-new"));
    }

    void fileStoreRefusesAWiderMode_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("0644") << 0644;
        QTest::newRow("0640") << 0640;
        QTest::newRow("0604") << 0604;
        QTest::newRow("0660") << 0660;
    }

    void fileStoreRefusesAWiderMode()
    {
        QFETCH(int, mode);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keys.json"));
        FileSecretStore store(path);
        QVERIFY(writeTo(store, kOpenAi, "sk-wide").ok());
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode_t(mode)), 0);

        const SecretResult read = readFrom(store, kOpenAi);
        QCOMPARE(read.error, SecretError::PermissionDenied);
        QVERIFY(read.secret.isEmpty());
        QVERIFY2(read.message.contains(path), qPrintable(read.message));
        // Nor is it overwritten (which would hide the exposure).
        QCOMPARE(writeTo(store, kOpenAi, "sk-next").error, SecretError::PermissionDenied);
        QCOMPARE(modeOf(path), mode_t(mode));
        QVERIFY(!secretErrorAdvice(SecretError::PermissionDenied).isEmpty());
    }

    void fileStoreRefusesASymlink()
    {
        QTemporaryDir dir;
        const QString real = dir.filePath(QStringLiteral("real.json"));
        FileSecretStore realStore(real);
        QVERIFY(writeTo(realStore, kOpenAi, "sk-link").ok());
        const QString link = dir.filePath(QStringLiteral("keys.json"));
        QVERIFY(QFile::link(real, link));
        FileSecretStore store(link);
        const SecretResult read = readFrom(store, kOpenAi);
        QVERIFY(!read.ok());
        QVERIFY(read.secret.isEmpty());
    }

    void fileStoreRejectsForeignContent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keys.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not json");
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        FileSecretStore store(path);
        QCOMPARE(readFrom(store, kOpenAi).error, SecretError::Other);
    }

    void keychainErrorsAreClassified_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("expected");
        // Codes are QKeychain::Error; messages as libsecret gives them (qt64-notes.md).
        QTest::newRow("not found") << 1 << QString() << int(SecretError::NotFound);
        QTest::newRow("no backend") << 5 << QString() << int(SecretError::NoService);
        QTest::newRow("no bus") << 7
                                << QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY")
                                << int(SecretError::NoService);
        QTest::newRow("locked") << 7
                                << QStringLiteral(
                                       "Object does not exist at path "
                                       "\u201c/org/freedesktop/secrets/collection/login\u201d")
                                << int(SecretError::Locked);
        QTest::newRow("denied by user") << 3 << QString() << int(SecretError::Locked);
        QTest::newRow("other") << 7 << QStringLiteral("disk full") << int(SecretError::Other);
    }

    void keychainErrorsAreClassified()
    {
        QFETCH(int, code);
        QFETCH(QString, message);
        QFETCH(int, expected);
        QCOMPARE(int(KeychainSecretStore::classify(code, message)), expected);
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
