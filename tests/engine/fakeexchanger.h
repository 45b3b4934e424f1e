#pragma once

#include "engine/exchanger.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QTimer>

#include <optional>

namespace sluice::test {

/// Scripted answers for LlmService, without a socket: each send() takes the
/// next reply of the script (or the default one), reports "sent" and then
/// the answer from the event loop. A held reply waits for release() or
/// cancel(). Counts what it saw, so tests can say "nothing was sent".
class FakeExchanger final : public Exchanger
{
public:
    struct Reply
    {
        int status = 200;
        QByteArray body;
        HttpHeaders headers;
        int delayMs = 0;
        bool hold = false;   ///< answer only on release()
        bool reaches = true; ///< false: a refused connection (the server never saw it)
    };

    /// A completed Responses API answer with `text` and this usage.
    static Reply completed(const QString &text, const QString &model = QStringLiteral("gpt-5-mini"),
        qint64 input = 100, qint64 cached = 0, qint64 output = 20, qint64 reasoning = 0)
    {
        const QJsonObject usage {
            {QStringLiteral("input_tokens"), input},
            {QStringLiteral("input_tokens_details"),
                QJsonObject {{QStringLiteral("cached_tokens"), cached}}},
            {QStringLiteral("output_tokens"), output},
            {QStringLiteral("output_tokens_details"),
                QJsonObject {{QStringLiteral("reasoning_tokens"), reasoning}}},
            {QStringLiteral("total_tokens"), input + output},
        };
        const QJsonObject part {{QStringLiteral("type"), QStringLiteral("output_text")},
            {QStringLiteral("annotations"), QJsonArray()}, {QStringLiteral("text"), text}};
        const QJsonObject message {{QStringLiteral("type"), QStringLiteral("message")},
            {QStringLiteral("role"), QStringLiteral("assistant")},
            {QStringLiteral("status"), QStringLiteral("completed")},
            {QStringLiteral("content"), QJsonArray {part}}};
        const QJsonObject body {{QStringLiteral("id"), QStringLiteral("resp_fake")},
            {QStringLiteral("object"), QStringLiteral("response")},
            {QStringLiteral("status"), QStringLiteral("completed")},
            {QStringLiteral("model"), model}, {QStringLiteral("output"), QJsonArray {message}},
            {QStringLiteral("usage"), usage}};
        Reply reply;
        reply.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        reply.headers = {{"content-type", "application/json"}, {"x-request-id", "req_fake"}};
        return reply;
    }

    /// A 429 rate-limit answer asking to retry after `retryAfterMs`.
    static Reply rateLimited(int retryAfterMs)
    {
        Reply reply;
        reply.status = 429;
        reply.body
            = R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})";
        reply.headers = {{"content-type", "application/json"},
            {"retry-after-ms", QByteArray::number(retryAfterMs)}, {"x-request-id", "req_429"}};
        return reply;
    }

    quint64 send(
        const HttpRequest &request, const HttpTransport::Timeouts &, Done done, Sent sent) override
    {
        requests.append(request);
        Reply reply = script.isEmpty() ? defaultReply : script.takeFirst();
        const quint64 id = m_nextId++;
        m_pending.insert(id, {std::move(done), reply});
        if (reply.reaches)
            QTimer::singleShot(0, [sent = std::move(sent)] { sent(); });
        if (!reply.hold)
            QTimer::singleShot(reply.delayMs, [this, id] { answer(id); });
        return id;
    }

    void cancel(quint64 id) override
    {
        auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        ++cancels;
        it->reply.status = 0;
        it->cancelled = true;
        QTimer::singleShot(0, [this, id] { answer(id); });
    }

    /// Answers every held exchange.
    void releaseAll()
    {
        for (const quint64 id : m_pending.keys())
            answer(id);
    }

    [[nodiscard]] int inFlight() const { return int(m_pending.size()); }

    QList<Reply> script;
    Reply defaultReply = completed(QStringLiteral("hello"));
    QList<HttpRequest> requests;
    int cancels = 0;

private:
    struct Pending
    {
        Done done;
        Reply reply;
        bool cancelled = false;
    };

    void answer(quint64 id)
    {
        const auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        Pending pending = std::move(*it);
        m_pending.erase(it);
        HttpResponse response;
        if (pending.cancelled || !pending.reply.reaches) {
            response.transportError = ErrorClass::Network;
            response.transportMessage = pending.cancelled ? QStringLiteral("cancelled")
                                                          : QStringLiteral("connection refused");
        } else {
            response.status = pending.reply.status;
            response.headers = pending.reply.headers;
            response.body = pending.reply.body;
        }
        pending.done(response);
    }

    QHash<quint64, Pending> m_pending;
    quint64 m_nextId = 1;
};

} // namespace sluice::test
