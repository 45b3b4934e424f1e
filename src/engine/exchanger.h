#pragma once

#include "providers/httpexchange.h"
#include "providers/httptransport.h"

#include <functional>

namespace sluice {

/// The one thing the pipeline needs from a transport: send a request, hear
/// when the server got it, take a streamed body as it arrives, get the answer
/// once, cancel. An interface so that tests can answer deterministically;
/// HttpExchanger is the real one.
class Exchanger
{
public:
    using Done = std::function<void(HttpResponse)>;
    using Sent = std::function<void()>;
    using Data = std::function<void(const QByteArray &bytes)>;

    virtual ~Exchanger() = default;
    /// `sent` runs each time the request reached a server; `done` runs exactly
    /// once, never from inside send() (a cancelled exchange reports too).
    /// `data` set (a streamed request): a 2xx body is handed over as it
    /// arrives, in order, before `done`, whose response then has no body
    /// (HttpTransport::StreamHandlers::data); an error status's body still
    /// comes in the response.
    virtual quint64 send(const HttpRequest &request, const HttpTransport::Timeouts &timeouts,
        Done done, Sent sent, Data data)
        = 0;
    virtual void cancel(quint64 id) = 0;
};

/// Exchanges over an HttpTransport (not owned).
class HttpExchanger final : public Exchanger
{
public:
    explicit HttpExchanger(HttpTransport &transport) : m_transport(transport) { }

    quint64 send(const HttpRequest &request, const HttpTransport::Timeouts &timeouts, Done done,
        Sent sent, Data data) override;
    void cancel(quint64 id) override { m_transport.cancel(id); }

private:
    HttpTransport &m_transport;
};

} // namespace sluice
