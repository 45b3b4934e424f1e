#pragma once

#include "engine/exchanger.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QTimer>

#include <optional>

namespace sluice::test {

/// Scripted answers for LlmService, without a socket: each send() takes the
/// next reply of the script (or the default one), reports "sent" and then
/// the answer from the event loop. A held reply waits for release() or
/// cancel(). A streamed request gets a reply's `chunks` one by one, either
/// all from the event loop or, `stepped`, one per step(), so that a test can
/// move its manual clock between them. Counts what it saw, so tests can say
/// "nothing was sent".
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
        /// A 2xx body in pieces, for a streamed request (a plain one gets
        /// them joined as its body).
        QList<QByteArray> chunks;
        bool stepped = false; ///< each chunk, then the answer, waits for a step()
    };

    /// A completed Responses API answer with `text` and this usage.
    static Reply completed(const QString &text, const QString &model = QStringLiteral("gpt-5-mini"),
        qint64 input = 100, qint64 cached = 0, qint64 output = 20, qint64 reasoning = 0)
    {
        Reply reply;
        reply.body = QJsonDocument(responseObject(text, model, input, cached, output, reasoning))
                         .toJson(QJsonDocument::Compact);
        reply.headers = {{"content-type", "application/json"}, {"x-request-id", "req_fake"}};
        return reply;
    }

    /// The same answer as a Responses event stream: `response.created`, one
    /// chunk per text delta, then `response.completed` unless `cutShort`
    /// (a stream that breaks before its terminal event).
    static Reply streamed(const QStringList &deltas, bool cutShort = false)
    {
        const auto event = [](const QJsonObject &data) {
            return "data: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
        };
        Reply reply;
        reply.headers = {{"content-type", "text/event-stream"}, {"x-request-id", "req_fake"}};
        reply.chunks.append(event({{QStringLiteral("type"), QStringLiteral("response.created")}}));
        for (const QString &delta : deltas) {
            reply.chunks.append(
                event({{QStringLiteral("type"), QStringLiteral("response.output_text.delta")},
                    {QStringLiteral("delta"), delta}}));
        }
        if (!cutShort) {
            reply.chunks.append(
                event({{QStringLiteral("type"), QStringLiteral("response.completed")},
                    {QStringLiteral("response"), responseObject(deltas.join(QString()))}}));
        }
        return reply;
    }

    /// A Responses API object whose answer is `text`, with this usage.
    static QJsonObject responseObject(const QString &text,
        const QString &model = QStringLiteral("gpt-5-mini"), qint64 input = 100, qint64 cached = 0,
        qint64 output = 20, qint64 reasoning = 0)
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
        return {{QStringLiteral("id"), QStringLiteral("resp_fake")},
            {QStringLiteral("object"), QStringLiteral("response")},
            {QStringLiteral("status"), QStringLiteral("completed")},
            {QStringLiteral("model"), model}, {QStringLiteral("output"), QJsonArray {message}},
            {QStringLiteral("usage"), usage}};
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

    quint64 send(const HttpRequest &request, const HttpTransport::Timeouts &, Done done, Sent sent,
        Data data) override
    {
        requests.append(request);
        Reply reply = script.isEmpty() ? defaultReply : script.takeFirst();
        const bool streams = data && reply.reaches && reply.status >= 200 && reply.status < 300;
        if (!streams) {
            for (const QByteArray &chunk : std::as_const(reply.chunks))
                reply.body += chunk;
            reply.chunks.clear();
            reply.stepped = false;
        }
        const quint64 id = m_nextId++;
        m_pending.insert(id, {std::move(done), std::move(data), reply});
        m_order.append(id);
        if (reply.reaches)
            QTimer::singleShot(0, [sent = std::move(sent)] { sent(); });
        if (!reply.hold && !reply.stepped) {
            QTimer::singleShot(reply.delayMs, [this, id] {
                while (deliverChunk(id)) { }
                answer(id);
            });
        }
        return id;
    }

    /// The `which`-th pending stepped exchange (0: the oldest) hands over its
    /// next chunk, or answers when none is left. False when there is none.
    bool step(int which = 0)
    {
        for (const quint64 id : std::as_const(m_order)) {
            if (m_pending.value(id).reply.stepped && which-- == 0) {
                if (!deliverChunk(id))
                    answer(id);
                return true;
            }
        }
        return false;
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

    /// Answers every held exchange (the chunks it has left first).
    void releaseAll()
    {
        for (const quint64 id : m_pending.keys()) {
            while (deliverChunk(id)) { }
            answer(id);
        }
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
        Data data;
        Reply reply;
        bool cancelled = false;
    };

    /// Hands over the next chunk of a live streamed exchange; false if none.
    bool deliverChunk(quint64 id)
    {
        const auto it = m_pending.find(id);
        if (it == m_pending.end() || it->cancelled || it->reply.chunks.isEmpty())
            return false;
        const QByteArray chunk = it->reply.chunks.takeFirst();
        const Data data = it->data; // the callback may cancel, which touches m_pending
        data(chunk);
        return true;
    }

    void answer(quint64 id)
    {
        const auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        Pending pending = std::move(*it);
        m_pending.erase(it);
        m_order.removeOne(id);
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
    QList<quint64> m_order; ///< pending exchanges, oldest first
    quint64 m_nextId = 1;
};

} // namespace sluice::test
