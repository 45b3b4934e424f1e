// HttpTransport against a raw TCP test server that misbehaves on purpose:
// each timeout by kind, cancellation, more than 6 parallel sockets, the
// deadline shared by retries, streaming delivery, Qt's silent POST re-send,
// and GETs (no body, the same timeouts and TLS policy).
#include "providers/httptransport.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sluice;
using namespace std::chrono_literals;

namespace {

// A minimal HTTP/1.1 server: parses requests by Content-Length and answers
// as `mode` says. Counts connections, requests and requests per connection.
class TestServer : public QObject
{
public:
    enum class Mode {
        Answer,          ///< 200 at once (after `delay`), keep-alive
        StallHeaders,    ///< reads the request, never answers
        StallMidStream,  ///< headers and one chunk, then nothing
        Trickle,         ///< one chunk every 50 ms, never the end
        Stream,          ///< five chunks 20 ms apart, then the end
        DropReusedFirst, ///< closes a kept-alive connection on its 2nd request
        NotTls,          ///< writes plain HTTP as soon as a client connects
    };

    explicit TestServer(Mode mode) : m_mode(mode)
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                if (m_mode == Mode::NotTls)
                    socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                QObject::connect(
                    socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
                QObject::connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    ++disconnects;
                    socket->deleteLater();
                });
            }
        });
    }

    [[nodiscard]] QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/v1/test").arg(m_server.serverPort()));
    }

    std::chrono::milliseconds delay {0};
    int connections = 0;
    int requests = 0;
    int disconnects = 0;
    int inFlight = 0;
    int maxInFlight = 0;
    QList<QByteArray> heads; ///< each request's request line and headers

private:
    void onReadyRead(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            qsizetype length = 0;
            heads.append(buffer.left(end));
            for (const QByteArray &line : heads.constLast().split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (buffer.size() < end + 4 + length)
                return;
            buffer.remove(0, end + 4 + length);
            ++requests;
            respond(socket, ++m_perSocket[socket]);
        }
    }

    void respond(QTcpSocket *socket, int nth)
    {
        QPointer<QTcpSocket> guard(socket);
        switch (m_mode) {
        case Mode::Answer: {
            ++inFlight;
            maxInFlight = std::max(maxInFlight, inFlight);
            QTimer::singleShot(delay, this, [this, guard] {
                --inFlight;
                if (guard)
                    guard->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 "Content-Length: 11\r\n\r\n{\"ok\":true}");
            });
            return;
        }
        case Mode::StallHeaders:
            return;
        case Mode::StallMidStream:
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            return;
        case Mode::Trickle:
        case Mode::Stream: {
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            auto *timer = new QTimer(socket);
            const bool ends = m_mode == Mode::Stream;
            auto sent = std::make_shared<int>(0);
            QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, ends, sent] {
                if (ends && *sent == 5) {
                    socket->write("0\r\n\r\n");
                    timer->stop();
                    return;
                }
                socket->write("2\r\n" + QByteArray::number(*sent % 10) + ".\r\n");
                ++*sent;
            });
            timer->start(ends ? 20 : 50);
            return;
        }
        case Mode::NotTls:
            return;
        case Mode::DropReusedFirst:
            if (nth == 2) {
                socket->abort();
                return;
            }
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return;
        }
    }

    Mode m_mode;
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QHash<QTcpSocket *, int> m_perSocket;
};

HttpRequest request(const QUrl &url)
{
    return HttpRequest {url, {{"content-type", "application/json"}}, "{\"input\":\"hi\"}"};
}

struct Outcome
{
    std::optional<HttpResponse> response;
    qint64 elapsedMs = 0;
};

Outcome send(HttpTransport &transport, const HttpRequest &req, const HttpTransport::Timeouts &t,
    HttpTransport::StreamHandlers stream = {})
{
    Outcome outcome;
    QElapsedTimer timer;
    timer.start();
    transport.send(
        req, t, [&outcome](HttpResponse r) { outcome.response = std::move(r); }, std::move(stream));
    if (!QTest::qWaitFor([&outcome] { return outcome.response.has_value(); }, 20'000))
        qFatal("no answer within 20 s");
    outcome.elapsedMs = timer.elapsed();
    return outcome;
}

HttpRequest getRequest(const QUrl &url)
{
    HttpRequest get {url, {{"accept", "application/json"}}, {}};
    get.method = HttpRequest::Method::Get;
    return get;
}

HttpTransport::Timeouts shortTimeouts()
{
    HttpTransport::Timeouts t;
    t.connect = 5s;
    t.firstByte = 5s;
    t.idle = 5s;
    t.total = 10s;
    return t;
}

// A TCP listener whose accept queue is full: a further connect gets no
// answer to its SYN and hangs, as against an unreachable host.
class BlackHole
{
public:
    BlackHole()
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address);
        ::listen(m_listener, 0);
        socklen_t size = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &size);
        m_port = ntohs(address.sin_port);
        for (int i = 0; i < 3; ++i) {
            auto *filler = new QTcpSocket;
            filler->connectToHost(QHostAddress::LocalHost, m_port);
            filler->waitForConnected(200);
            m_fillers.emplace_back(filler);
        }
    }
    ~BlackHole() { ::close(m_listener); }
    [[nodiscard]] QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/v1/test").arg(m_port));
    }

private:
    int m_listener = -1;
    quint16 m_port = 0;
    std::vector<std::unique_ptr<QTcpSocket>> m_fillers;
};

} // namespace

class TestTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersWithStatusHeadersAndBody()
    {
        TestServer server(TestServer::Mode::Answer);
        HttpTransport transport;
        const Outcome outcome = send(transport, request(server.url()), shortTimeouts());
        QCOMPARE(outcome.response->status, 200);
        QCOMPARE(outcome.response->body, QByteArray("{\"ok\":true}"));
        QCOMPARE(outcome.response->header("content-type"), QByteArray("application/json"));
        QCOMPARE(outcome.response->transportError, ErrorClass::None);
    }

    void getSendsNoBodyAndAnswers()
    {
        TestServer server(TestServer::Mode::Answer);
        HttpTransport transport;
        const Outcome outcome = send(transport, getRequest(server.url()), shortTimeouts());
        QCOMPARE(outcome.response->transportError, ErrorClass::None);
        QCOMPARE(outcome.response->status, 200);
        QCOMPARE(outcome.response->body, QByteArray("{\"ok\":true}"));
        QCOMPARE(server.heads.size(), 1);
        const QByteArray head = server.heads.constFirst();
        QVERIFY2(head.startsWith("GET /v1/test HTTP/1.1\r\n"), head.constData());
        QVERIFY2(!head.toLower().contains("content-length"), head.constData());
    }

    // A GET runs through the same phase timers as a POST.
    void getTimeoutsAreNamed_data()
    {
        QTest::addColumn<QString>("phase");
        QTest::newRow("connect") << u"connect timeout"_qs;
        QTest::newRow("first byte") << u"first-byte timeout"_qs;
        QTest::newRow("idle") << u"idle timeout"_qs;
    }

    void getTimeoutsAreNamed()
    {
        QFETCH(QString, phase);
        BlackHole hole;
        TestServer stalled(TestServer::Mode::StallHeaders);
        TestServer cutOff(TestServer::Mode::StallMidStream);
        HttpTransport::Timeouts t = shortTimeouts();
        QUrl url;
        if (phase.startsWith(u"connect")) {
            t.connect = 300ms;
            url = hole.url();
        } else if (phase.startsWith(u"first")) {
            t.firstByte = 300ms;
            url = stalled.url();
        } else {
            t.idle = 300ms;
            url = cutOff.url();
        }
        HttpTransport transport;
        const Outcome outcome = send(transport, getRequest(url), t);
        QCOMPARE(outcome.response->transportError, ErrorClass::Timeout);
        QVERIFY2(outcome.response->transportMessage.contains(phase),
            qPrintable(outcome.response->transportMessage));
        QCOMPARE(outcome.response->status, 0); // a plain answer cut short is no answer
    }

    void getTlsFailureIsATlsError()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend");
        // The server speaks plain HTTP where the client expects a TLS handshake.
        TestServer server(TestServer::Mode::NotTls);
        QUrl url = server.url();
        url.setScheme(u"https"_qs);
        HttpTransport transport;
        const Outcome outcome = send(transport, getRequest(url), shortTimeouts());
        QCOMPARE(outcome.response->status, 0);
        QCOMPARE(outcome.response->transportError, ErrorClass::Tls);
    }

    void connectTimeoutIsNamed()
    {
        BlackHole hole;
        HttpTransport transport;
        HttpTransport::Timeouts t = shortTimeouts();
        t.connect = 300ms;
        const Outcome outcome = send(transport, request(hole.url()), t);
        QCOMPARE(outcome.response->transportError, ErrorClass::Timeout);
        QVERIFY2(outcome.response->transportMessage.contains(u"connect timeout"),
            qPrintable(outcome.response->transportMessage));
        QVERIFY(outcome.elapsedMs < 5000);
    }

    void firstByteTimeoutIsNamed()
    {
        TestServer server(TestServer::Mode::StallHeaders);
        HttpTransport transport;
        HttpTransport::Timeouts t = shortTimeouts();
        t.firstByte = 300ms;
        const Outcome outcome = send(transport, request(server.url()), t);
        QCOMPARE(outcome.response->transportError, ErrorClass::Timeout);
        QVERIFY2(outcome.response->transportMessage.contains(u"first-byte timeout"),
            qPrintable(outcome.response->transportMessage));
        QCOMPARE(server.requests, 1);
    }

    void idleTimeoutIsNamedAndKeepsTheStatus()
    {
        TestServer server(TestServer::Mode::StallMidStream);
        HttpTransport transport;
        HttpTransport::Timeouts t = shortTimeouts();
        t.idle = 300ms;
        QByteArray streamed;
        HttpTransport::StreamHandlers stream;
        stream.data = [&streamed](const QByteArray &bytes) { streamed += bytes; };
        const Outcome outcome = send(transport, request(server.url()), t, stream);
        QCOMPARE(outcome.response->transportError, ErrorClass::Timeout);
        QVERIFY2(outcome.response->transportMessage.contains(u"idle timeout"),
            qPrintable(outcome.response->transportMessage));
        QCOMPARE(outcome.response->status, 200);
        QCOMPARE(streamed, QByteArray("hello"));
    }

    void totalTimeoutEndsATrickle()
    {
        // Bytes every 50 ms keep the idle timer happy; only the total ends it.
        TestServer server(TestServer::Mode::Trickle);
        HttpTransport transport;
        HttpTransport::Timeouts t = shortTimeouts();
        t.idle = 2s;
        t.total = 400ms;
        HttpTransport::StreamHandlers stream;
        stream.data = [](const QByteArray &) {};
        const Outcome outcome = send(transport, request(server.url()), t, stream);
        QCOMPARE(outcome.response->transportError, ErrorClass::Timeout);
        QVERIFY2(outcome.response->transportMessage.contains(u"total timeout"),
            qPrintable(outcome.response->transportMessage));
        QVERIFY(outcome.elapsedMs < 2000);
    }

    void streamDeliversHeadersThenBytesInOrder()
    {
        TestServer server(TestServer::Mode::Stream);
        HttpTransport transport;
        QStringList events;
        QByteArray streamed;
        HttpTransport::StreamHandlers stream;
        stream.headers = [&events](int status, const HttpHeaders &) {
            events.append(QString::number(status));
        };
        stream.data = [&events, &streamed](const QByteArray &bytes) {
            events.append(QStringLiteral("data"));
            streamed += bytes;
        };
        const Outcome outcome = send(transport, request(server.url()), shortTimeouts(), stream);
        QCOMPARE(outcome.response->transportError, ErrorClass::None);
        QCOMPARE(outcome.response->status, 200);
        QVERIFY(outcome.response->body.isEmpty());
        QCOMPARE(streamed, QByteArray("0.1.2.3.4."));
        QCOMPARE(events.first(), QStringLiteral("200"));
        QVERIFY(events.size() >= 3); // bytes arrived in more than one piece
    }

    void cancelClosesTheSocket()
    {
        TestServer server(TestServer::Mode::StallHeaders);
        HttpTransport transport;
        std::optional<HttpResponse> response;
        const quint64 id = transport.send(request(server.url()), shortTimeouts(),
            [&response](HttpResponse r) { response = std::move(r); });
        QTRY_COMPARE(server.requests, 1);
        QCOMPARE(server.disconnects, 0);
        transport.cancel(id);
        QTRY_VERIFY(response.has_value());
        QCOMPARE(response->transportError, ErrorClass::Network);
        QCOMPARE(response->transportMessage, QStringLiteral("cancelled"));
        QTRY_COMPARE(server.disconnects, 1);
    }

    void sixteenConcurrentRequestsUseMoreThanSixSockets_data()
    {
        QTest::addColumn<int>("managers");
        QTest::newRow("one manager (Qt's limit)") << 1;
        QTest::newRow("default pool") << HttpTransport::Settings {}.managers;
    }

    void sixteenConcurrentRequestsUseMoreThanSixSockets()
    {
        QFETCH(int, managers);
        TestServer server(TestServer::Mode::Answer);
        server.delay = 400ms;
        HttpTransport transport(
            HttpTransport::Settings {.managers = managers}, SteadyClock::instance());
        int answered = 0;
        for (int i = 0; i < 16; ++i) {
            transport.send(request(server.url()), shortTimeouts(), [&answered](HttpResponse r) {
                QCOMPARE(r.status, 200);
                ++answered;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(answered, 16, 10'000);
        qInfo("16 concurrent slow requests: %d sockets, at most %d in flight at the server",
            server.connections, server.maxInFlight);
        if (managers == 1) {
            QVERIFY(server.connections <= 6);
            QVERIFY(server.maxInFlight <= 6);
        } else {
            QVERIFY(server.connections > 6);
            QVERIFY(server.maxInFlight > 6);
        }
    }

    void deadlineCapsEveryAttempt()
    {
        TestServer server(TestServer::Mode::StallHeaders);
        HttpTransport transport;
        HttpTransport::Timeouts t = shortTimeouts();
        t.deadline = SteadyClock::instance().now() + 600ms;
        // The first attempt runs into the deadline, not into its 10 s total.
        const Outcome first = send(transport, request(server.url()), t);
        QCOMPARE(first.response->transportError, ErrorClass::Timeout);
        QVERIFY2(first.response->transportMessage.contains(u"request deadline"),
            qPrintable(first.response->transportMessage));
        QVERIFY(first.elapsedMs < 5000);
        // A retry after the deadline fails at once, without a request.
        QVERIFY(QTest::qWaitFor([&t] { return SteadyClock::instance().now() > *t.deadline; }));
        const int requestsBefore = server.requests;
        const Outcome retry = send(transport, request(server.url()), t);
        QCOMPARE(retry.response->transportError, ErrorClass::Timeout);
        QVERIFY(retry.response->transportMessage.contains(u"deadline passed"));
        QCOMPARE(server.requests, requestsBefore);
    }

    void bareQtResendsTheDroppedPost()
    {
        // The measurement that motivates the one-shot body: the same server,
        // a plain QNetworkAccessManager and a QByteArray body.
        TestServer server(TestServer::Mode::DropReusedFirst);
        QNetworkAccessManager manager;
        QNetworkRequest plain(server.url());
        plain.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        plain.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        int sends = 0;
        QList<QNetworkReply::NetworkError> errors;
        for (int i = 0; i < 2; ++i) {
            QNetworkReply *reply = manager.post(plain, QByteArray("{\"input\":\"hi\"}"));
            connect(reply, &QNetworkReply::requestSent, this, [&sends] { ++sends; });
            QSignalSpy finished(reply, &QNetworkReply::finished);
            QVERIFY(finished.wait(5000));
            errors.append(reply->error());
            reply->deleteLater();
        }
        qInfo("bare Qt: server saw %d requests on %d connections; client saw %d replies, "
              "errors %d/%d, requestSent %d times",
            server.requests, server.connections, int(errors.size()), int(errors[0]), int(errors[1]),
            sends);
        QCOMPARE(errors,
            (QList<QNetworkReply::NetworkError> {QNetworkReply::NoError, QNetworkReply::NoError}));
        QCOMPARE(server.requests, 3); // one more than the client asked for
    }

    void droppedKeptAliveRequestIsCountedNotResent()
    {
        // The first request opens a connection that Qt keeps alive; the
        // server drops that connection on the next request. Bare Qt 6.4
        // re-sends the POST on a new connection and reports success: the
        // server saw two requests, the client one (docs/transport.md).
        TestServer server(TestServer::Mode::DropReusedFirst);
        HttpTransport transport(HttpTransport::Settings {.managers = 1}, SteadyClock::instance());
        int sends = 0;
        HttpTransport::StreamHandlers counting;
        counting.sent = [&sends] { ++sends; };
        const Outcome first = send(transport, request(server.url()), shortTimeouts(), counting);
        QCOMPARE(first.response->status, 200);
        const Outcome second = send(transport, request(server.url()), shortTimeouts(), counting);
        qInfo("server saw %d requests on %d connections; the client counted %d sends; "
              "second exchange: status %d, error '%s'",
            server.requests, server.connections, sends, second.response->status,
            qPrintable(second.response->transportMessage));
        QCOMPARE(second.response->transportError, ErrorClass::Network);
        QCOMPARE(server.requests, 2);
        QCOMPARE(sends, server.requests);
    }
};

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
