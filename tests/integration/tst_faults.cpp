// Every sluice-sim fault through the real path: HttpTransport -> a dialect's
// decoder -> RetryPolicy, plain and streamed, in all three dialects (requests
// encoded by the providers themselves). Each fault must end in the
// right error class and the right retry decision, and the simulator must
// have seen exactly the attempts the client counted.
#include "core/retrypolicy.h"
#include "providers/anthropic.h"
#include "providers/httptransport.h"
#include "providers/openaichat.h"
#include "providers/openairesponses.h"
#include "sim/simserver.h"

#include <QJsonObject>
#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;

using Reason = RetryDecision::Reason;
using Status = GenerationOutcome::Status;

Q_DECLARE_METATYPE(sluice::ErrorClass)
Q_DECLARE_METATYPE(sluice::RetryDecision::Reason)
Q_DECLARE_METATYPE(sluice::GenerationOutcome::Status)

namespace {

std::unique_ptr<Provider> providerFor(const QString &dialect, const QUrl &baseUrl)
{
    if (dialect == QLatin1String("chat"))
        return std::make_unique<OpenAiChatProvider>(baseUrl, QByteArray());
    if (dialect == QLatin1String("messages"))
        return std::make_unique<AnthropicProvider>(baseUrl, QByteArray());
    return std::make_unique<OpenAiResponsesProvider>(baseUrl, QByteArray());
}

HttpTransport::Timeouts shortTimeouts()
{
    HttpTransport::Timeouts timeouts;
    timeouts.firstByte = 300ms;
    timeouts.idle = 300ms;
    timeouts.total = 10s;
    return timeouts;
}

RetryDecision decideRetry(const GenerationOutcome &outcome)
{
    const RetryPolicy policy(SteadyClock::instance(), RetryConfig {}, [] { return 0.5; });
    return policy.decide(
        AttemptFailure {outcome.errorClass, outcome.hints, 0, SteadyClock::instance().now() + 60s});
}

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void faultEndsInClassAndDecision_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QString>("fault");
        QTest::addColumn<Status>("status");
        QTest::addColumn<ErrorClass>("errorClass");
        QTest::addColumn<bool>("retry");
        QTest::addColumn<Reason>("reason");

        for (const char *dialect : {"responses", "chat", "messages"}) {
            for (const bool stream : {false, true}) {
                auto row = [dialect, stream](const char *fault, Status status,
                               ErrorClass errorClass, bool retry, Reason reason) {
                    QTest::addRow("%s %s %s", dialect, stream ? "stream" : "plain", fault)
                        << QString::fromLatin1(dialect) << stream << QString::fromLatin1(fault)
                        << status << errorClass << retry << reason;
                };
                row("none", Status::Completed, ErrorClass::None, false, Reason::FinalClass);
                row("http500", Status::Failed, ErrorClass::Server, true, Reason::Backoff);
                row("http502", Status::Failed, ErrorClass::Server, true, Reason::Backoff);
                row("http503", Status::Failed, ErrorClass::Server, true, Reason::Backoff);
                row("overloaded", Status::Failed, ErrorClass::Overloaded, true, Reason::Backoff);
                row("rate_limited", Status::Failed, ErrorClass::RateLimited, true,
                    Reason::ServerHint);
                // Anthropic has no quota 429: an empty balance is a 400 whose
                // message names the credit balance, decoded as quota_exhausted.
                row("insufficient_quota", Status::Failed, ErrorClass::QuotaExhausted, false,
                    Reason::FinalClass);
                row("reset", Status::Failed, ErrorClass::Network, true, Reason::Backoff);
                row("stall_headers", Status::Failed, ErrorClass::Timeout, true, Reason::Backoff);
                row("stall_stream", Status::Failed, ErrorClass::Timeout, true, Reason::Backoff);
                // A stream cut before its terminal event is a lost connection
                // (retried); a plain body cut in half does not decode (final).
                if (stream) {
                    row("truncate", Status::Failed, ErrorClass::TruncatedStream, true,
                        Reason::Backoff);
                } else {
                    row("truncate", Status::Failed, ErrorClass::MalformedResponse, false,
                        Reason::FinalClass);
                }
                row("malformed_json", Status::Failed, ErrorClass::MalformedResponse, false,
                    Reason::FinalClass);
                row("refusal", Status::Refused, ErrorClass::Refused, false, Reason::FinalClass);
                row("incomplete", Status::Incomplete, ErrorClass::Incomplete, false,
                    Reason::FinalClass);
                // Well-formed JSON that breaks the schema is an answer: the
                // validator and the repair ladder judge it, not the decoder.
                row("schema_invalid", Status::Completed, ErrorClass::None, false,
                    Reason::FinalClass);
            }
        }
    }

    void faultEndsInClassAndDecision()
    {
        QFETCH(QString, dialect);
        QFETCH(bool, stream);
        QFETCH(QString, fault);
        QFETCH(Status, status);
        QFETCH(ErrorClass, errorClass);
        QFETCH(bool, retry);
        QFETCH(Reason, reason);

        sim::SimServer server;
        QVERIFY(server.listen());
        QVERIFY(server.scriptFaults({fault}));
        const auto provider = providerFor(dialect, server.baseUrl());
        GenerationRequest generation;
        generation.model = QStringLiteral("sim-small");
        generation.input = QStringLiteral("Name a river.");
        generation.maxOutputTokens = 200;
        generation.stream = stream;

        QString streamedText;
        const auto decoder = provider->createStreamDecoder(
            [&streamedText](const QString &delta) { streamedText += delta; });
        HttpTransport transport;
        int sends = 0;
        HttpTransport::StreamHandlers handlers;
        handlers.sent = [&sends] { ++sends; };
        if (stream)
            handlers.data = [&decoder](const QByteArray &bytes) { decoder->feed(bytes); };
        std::optional<HttpResponse> response;
        transport.send(
            provider->encode(generation), shortTimeouts(),
            [&response](HttpResponse r) { response = std::move(r); }, handlers);
        QTRY_VERIFY_WITH_TIMEOUT(response.has_value(), 10'000);

        const GenerationOutcome outcome
            = stream ? decoder->finish(*response) : provider->decode(*response);
        QCOMPARE(outcome.status, status);
        QCOMPARE(outcome.errorClass, errorClass);
        QCOMPARE(sends, 1);
        QCOMPARE(server.requestCount(), 1);
        const QJsonObject logged = server.log().at(0).toObject();
        QCOMPARE(logged.value(QStringLiteral("dialect")).toString(), dialect);
        QCOMPARE(logged.value(QStringLiteral("stream")).toBool(), stream);
        if (status == Status::Completed) {
            QVERIFY(outcome.hasUsage);
            if (stream)
                QCOMPARE(streamedText, outcome.text);
        }
        if (fault == QLatin1String("schema_invalid"))
            QVERIFY(outcome.text.contains(QLatin1String("sluice_sim_fault")));
        if (errorClass == ErrorClass::None)
            return;
        const RetryDecision decision = decideRetry(outcome);
        QCOMPARE(decision.retry, retry);
        QCOMPARE(decision.reason, reason);
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
