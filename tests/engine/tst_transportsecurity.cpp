// Transport security: certificate errors are never ignored (a self-signed
// server is refused with ErrorClass::Tls), a CA bundle makes the same server
// trusted, and plain HTTP is local-only without a warning.
#include "providers/endpointpolicy.h"
#include "providers/httptransport.h"

#include <QProcess>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace sluice;

namespace {

// An HTTPS server on loopback answering every request with a 401
// (any HTTP answer proves the handshake was accepted).
class TinyHttpsServer : public QSslServer
{
public:
    explicit TinyHttpsServer(const QSslConfiguration &configuration)
    {
        setSslConfiguration(configuration);
        connect(this, &QTcpServer::pendingConnectionAvailable, this, [this] {
            auto *socket = static_cast<QSslSocket *>(nextPendingConnection());
            auto received = std::make_shared<QByteArray>();
            connect(socket, &QSslSocket::readyRead, socket, [socket, received] {
                received->append(socket->readAll());
                if (!received->contains("\r\n\r\n"))
                    return;
                const QByteArray body
                    = R"({"error":{"message":"no key","type":"invalid_request_error","code":"invalid_api_key"}})";
                socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                              "Connection: close\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                socket->disconnectFromHost();
            });
        });
    }
};

HttpResponse post(const QUrl &url)
{
    HttpTransport transport;
    std::optional<HttpResponse> response;
    transport.send({url, {{"content-type", "application/json"}}, "{}"}, HttpTransport::Timeouts {},
        [&](HttpResponse done) { response = std::move(done); });
    if (!QTest::qWaitFor([&] { return response.has_value(); }, 20'000))
        return {};
    return *response;
}

} // namespace

class TestTransportSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend");
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("openssl is not installed (scripts/bootstrap.sh installs it)");
        QVERIFY(m_dir.isValid());
        m_certPath = m_dir.filePath(QStringLiteral("cert.pem"));
        const QString keyPath = m_dir.filePath(QStringLiteral("key.pem"));
        QProcess process;
        process.start(openssl,
            {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                keyPath, QStringLiteral("-out"), m_certPath, QStringLiteral("-days"),
                QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
        QVERIFY(process.waitForFinished(60'000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());

        QFile keyFile(keyPath);
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        const CaBundle bundle = loadCaBundle(m_certPath);
        QVERIFY2(bundle.error.isEmpty(), qPrintable(bundle.error));
        configuration.setLocalCertificate(bundle.certificates.constFirst());
        configuration.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
        m_server = std::make_unique<TinyHttpsServer>(configuration);
        QVERIFY(m_server->listen(QHostAddress::LocalHost));
        m_baseUrl
            = QUrl(QStringLiteral("https://127.0.0.1:%1/v1/responses").arg(m_server->serverPort()));
    }

    // Order matters: the CA is trusted process-wide from the second test on.
    void selfSignedServerIsRefused()
    {
        const HttpResponse response = post(m_baseUrl);
        QCOMPARE(response.status, 0);
        QCOMPARE(response.transportError, ErrorClass::Tls);
    }

    void caBundleMakesItTrusted()
    {
        const CaBundle bundle = loadCaBundle(m_certPath);
        QVERIFY(bundle.error.isEmpty());
        trustAdditionalCaCertificates(bundle.certificates);
        const HttpResponse response = post(m_baseUrl);
        QCOMPARE(response.transportError, ErrorClass::None);
        QCOMPARE(response.status, 401);
    }

    void unreadableBundleSaysWhy()
    {
        QVERIFY(loadCaBundle(m_dir.filePath(QStringLiteral("missing.pem")))
                    .error.contains(u"cannot read"));
        const QString notPem = m_dir.filePath(QStringLiteral("not.pem"));
        QFile file(notPem);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello");
        file.close();
        QVERIFY(loadCaBundle(notPem).error.contains(u"no PEM certificate"));
    }

    void plainHttpPolicy_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<int>("expected");
        const int tls = int(EndpointSecurity::Tls);
        const int local = int(EndpointSecurity::PlainLocal);
        const int remote = int(EndpointSecurity::PlainRemote);
        QTest::newRow("https") << u"https://api.openai.com/v1"_qs << tls;
        QTest::newRow("https remote ip") << u"https://8.8.8.8/v1"_qs << tls;
        QTest::newRow("localhost") << u"http://localhost:8080/v1"_qs << local;
        QTest::newRow("loopback v4") << u"http://127.0.0.1:8080/v1"_qs << local;
        QTest::newRow("loopback v4 other") << u"http://127.3.4.5/v1"_qs << local;
        QTest::newRow("loopback v6") << u"http://[::1]:8080/v1"_qs << local;
        QTest::newRow("10/8") << u"http://10.1.2.3/v1"_qs << local;
        QTest::newRow("172.16/12") << u"http://172.31.255.1/v1"_qs << local;
        QTest::newRow("172.32 is public") << u"http://172.32.0.1/v1"_qs << remote;
        QTest::newRow("192.168/16") << u"http://192.168.1.20/v1"_qs << local;
        QTest::newRow("link local") << u"http://169.254.10.1/v1"_qs << local;
        QTest::newRow("ula v6") << u"http://[fd12:3456::1]/v1"_qs << local;
        QTest::newRow("mapped v4 private") << u"http://[::ffff:192.168.0.1]/v1"_qs << local;
        QTest::newRow("public ip") << u"http://8.8.8.8/v1"_qs << remote;
        QTest::newRow("public name") << u"http://api.example.com/v1"_qs << remote;
        QTest::newRow("name with localhost in it") << u"http://localhost.evil.com/v1"_qs << remote;
    }

    void plainHttpPolicy()
    {
        QFETCH(QString, url);
        QFETCH(int, expected);
        QCOMPARE(int(endpointSecurity(QUrl(url))), expected);
        const QString warning = plainHttpWarning(QUrl(url));
        QCOMPARE(warning.isEmpty(), expected != int(EndpointSecurity::PlainRemote));
    }

    void warningDoesNotRepeatCredentials()
    {
        const QString warning = plainHttpWarning(
            QUrl(QStringLiteral("http://user:sk-secret@api.example.com/v1?key=sk-q")));
        QVERIFY(warning.contains(u"api.example.com"));
        QVERIFY(!warning.contains(u"sk-secret"));
        QVERIFY(!warning.contains(u"sk-q"));
    }

private:
    QTemporaryDir m_dir;
    QString m_certPath;
    std::unique_ptr<TinyHttpsServer> m_server;
    QUrl m_baseUrl;
};

QTEST_GUILESS_MAIN(TestTransportSecurity)
#include "tst_transportsecurity.moc"
