// `sluice-cli keys` and the key source of `sluice-cli run`, against a real
// secret service: CTest runs this under scripts/with-keyring.sh (a private
// D-Bus session with an unlocked gnome-keyring).
#include "simprocess.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr auto kKey = "sk-sluice-keys-marker-0b7e21c4";

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestCliKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("needs a secret service: run through scripts/with-keyring.sh (CTest does)");
        QVERIFY(m_config.isValid());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SIM_KEY"), QString::fromLatin1(kKey));
        QVERIFY2(m_sim.start(QStringLiteral(SLUICE_SIM_PATH),
                     {QStringLiteral("--require-key-env"), QStringLiteral("SIM_KEY")}, env),
            qPrintable(m_sim.errorString()));
        m_baseUrl = m_sim.baseUrl();
    }

    void cleanupTestCase() { m_sim.stop(); }

    void setStatusRunRemove()
    {
        const QStringList target {QStringLiteral("--base-url"), m_baseUrl};
        CliRun status = cli(QStringList {u"keys"_qs, u"get-status"_qs} + target);
        QCOMPARE(status.exitCode, 0);
        QVERIFY2(status.out.contains("no key for openai at 127.0.0.1"), status.out.constData());

        // No key in the environment, none stored: the simulator refuses.
        QCOMPARE(run(m_baseUrl).exitCode, 1);

        const CliRun set
            = cli(QStringList {u"keys"_qs, u"set"_qs} + target, QByteArray(kKey) + '\n');
        QVERIFY2(set.exitCode == 0, set.err.constData());
        QVERIFY(set.out.contains("system keychain"));

        status = cli(QStringList {u"keys"_qs, u"get-status"_qs} + target);
        QCOMPARE(status.exitCode, 0);
        QVERIFY2(status.out.contains("is stored in the system keychain"), status.out.constData());

        // The key comes from the keychain, for this host.
        const CliRun answered = run(m_baseUrl);
        QVERIFY2(answered.exitCode == 0, answered.err.constData());

        // Same server, another host name: the key saved for 127.0.0.1 is not sent.
        QString viaLocalhost = m_baseUrl;
        viaLocalhost.replace(u"127.0.0.1"_qs, u"localhost"_qs);
        const CliRun otherHost = run(viaLocalhost);
        QCOMPARE(otherHost.exitCode, 1);
        QVERIFY2(otherHost.err.contains("(auth, HTTP 401)"), otherHost.err.constData());

        const CliRun removed = cli(QStringList {u"keys"_qs, u"remove"_qs} + target);
        QCOMPARE(removed.exitCode, 0);
        QCOMPARE(run(m_baseUrl).exitCode, 1);
        status = cli(QStringList {u"keys"_qs, u"get-status"_qs} + target);
        QVERIFY(status.out.contains("no key for"));

        for (const QByteArray &printed :
            {set.out, set.err, status.out, answered.err, otherHost.err})
            QVERIFY(!printed.contains(kKey));
    }

    void remoteUrlWithoutAnyKeyIsAUsageError()
    {
        const CliRun result = cli({u"run"_qs, u"--base-url"_qs, u"https://api.example.com/v1"_qs,
            u"--model"_qs, u"m"_qs, u"--prompt"_qs, u"x"_qs});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains("sluice-cli keys set"), result.err.constData());
    }

    void fileStoreIsOptInWithAWarning()
    {
        const QStringList target {QStringLiteral("--base-url"), m_baseUrl,
            QStringLiteral("--key-store"), QStringLiteral("file")};
        const CliRun set = cli(QStringList {u"keys"_qs, u"set"_qs} + target, QByteArray(kKey));
        QVERIFY2(set.exitCode == 0, set.err.constData());
        QVERIFY2(set.err.contains("warning: using the key file"), set.err.constData());
        const QString path = m_config.filePath(QStringLiteral("sluice/keys.json"));
        QVERIFY(QFileInfo::exists(path));
        QCOMPARE(QFileInfo(path).permissions() & 0x0077, QFileDevice::Permissions());

        const CliRun answered = cli({u"run"_qs, u"--base-url"_qs, m_baseUrl, u"--model"_qs,
            u"sim-small"_qs, u"--prompt"_qs, u"hi"_qs, u"--key-store"_qs, u"file"_qs});
        QVERIFY2(answered.exitCode == 0, answered.err.constData());
        QVERIFY(answered.err.contains("warning"));
        // The keychain was not used for it.
        QCOMPARE(run(m_baseUrl).exitCode, 1);
        QCOMPARE(cli(QStringList {u"keys"_qs, u"remove"_qs} + target).exitCode, 0);
    }

    void noSecretServiceIsDiagnosed()
    {
        QProcessEnvironment env = environment();
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        const CliRun set = cli({u"keys"_qs, u"set"_qs, u"--base-url"_qs, m_baseUrl}, kKey, env);
        QCOMPARE(set.exitCode, 1);
        QVERIFY2(set.err.contains("no_secret_service"), set.err.constData());
        QVERIFY(set.err.contains("gnome-keyring"));
        QVERIFY(!set.err.contains(kKey));
    }

    void usage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("no action") << QStringList {u"keys"_qs} << QByteArray();
        QTest::newRow("unknown action") << QStringList {u"keys"_qs, u"show"_qs} << QByteArray();
        QTest::newRow("key on the command line") << QStringList {u"keys"_qs, u"set"_qs, u"--key"_qs,
            QString::fromLatin1(kKey)} << QByteArray();
        QTest::newRow("empty stdin") << QStringList {u"keys"_qs, u"set"_qs} << QByteArray();
        QTest::newRow("bad store") << QStringList {u"keys"_qs, u"get-status"_qs, u"--key-store"_qs,
            u"plaintext"_qs} << QByteArray();
        QTest::newRow("bad url") << QStringList {u"keys"_qs, u"get-status"_qs, u"--base-url"_qs,
            u"ftp://x"_qs} << QByteArray();
    }

    void usage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, input);
        const CliRun result = cli(arguments, input);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.startsWith("sluice-cli: "), result.err.constData());
        QCOMPARE(result.err.trimmed().count('\n'), 0);
        QVERIFY(!result.err.contains(kKey));
    }

private:
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("OPENAI_API_KEY"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_config.path());
        return env;
    }

    CliRun cli(const QStringList &arguments, const QByteArray &input = {},
        const QProcessEnvironment &env = {}) const
    {
        QProcess process;
        process.setProcessEnvironment(env.isEmpty() ? environment() : env);
        process.start(QStringLiteral(SLUICE_CLI_PATH), arguments);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(60'000)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
    }

    CliRun run(const QString &baseUrl) const
    {
        return cli({u"run"_qs, u"--base-url"_qs, baseUrl, u"--model"_qs, u"sim-small"_qs,
            u"--prompt"_qs, u"Name a river."_qs});
    }

    QTemporaryDir m_config;
    sluice::test::SimProcess m_sim;
    QString m_baseUrl;
};

QTEST_GUILESS_MAIN(TestCliKeys)
#include "tst_cli_keys.moc"
