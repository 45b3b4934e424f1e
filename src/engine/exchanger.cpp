#include "engine/exchanger.h"

namespace sluice {

quint64 HttpExchanger::send(
    const HttpRequest &request, const HttpTransport::Timeouts &timeouts, Done done, Sent sent)
{
    HttpTransport::StreamHandlers handlers;
    handlers.sent = std::move(sent);
    return m_transport.post(request, timeouts, std::move(done), std::move(handlers));
}

} // namespace sluice
