#pragma once

#include "providers/httpexchange.h"
#include "providers/httptransport.h"

#include <functional>

namespace sluice {

/// The one thing the pipeline needs from a transport: send a request, hear
/// when the server got it, get the answer once, cancel. An interface so that
/// tests can answer deterministically; HttpExchanger is the real one.
class Exchanger
{
public:
    using Done = std::function<void(HttpResponse)>;
    using Sent = std::function<void()>;

    virtual ~Exchanger() = default;
    /// `sent` runs each time the request reached a server; `done` runs exactly
    /// once, never from inside send() (a cancelled exchange reports too).
    virtual quint64 send(
        const HttpRequest &request, const HttpTransport::Timeouts &timeouts, Done done, Sent sent)
        = 0;
    virtual void cancel(quint64 id) = 0;
};

/// Exchanges over an HttpTransport (not owned).
class HttpExchanger final : public Exchanger
{
public:
    explicit HttpExchanger(HttpTransport &transport) : m_transport(transport) { }

    quint64 send(const HttpRequest &request, const HttpTransport::Timeouts &timeouts, Done done,
        Sent sent) override;
    void cancel(quint64 id) override { m_transport.cancel(id); }

private:
    HttpTransport &m_transport;
};

} // namespace sluice
