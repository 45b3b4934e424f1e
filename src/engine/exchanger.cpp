#include "engine/exchanger.h"

namespace sluice {

quint64 HttpExchanger::send(const HttpRequest &request, const HttpTransport::Timeouts &timeouts,
    Done done, Sent sent, Data data)
{
    HttpTransport::StreamHandlers handlers;
    handlers.sent = std::move(sent);
    handlers.data = std::move(data);
    return m_transport.send(request, timeouts, std::move(done), std::move(handlers));
}

} // namespace sluice
