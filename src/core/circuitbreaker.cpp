#include "core/circuitbreaker.h"

#include <algorithm>

namespace sluice {

CircuitBreaker::CircuitBreaker(const Clock &clock, CircuitBreakerConfig config)
    : m_clock(clock), m_config(config)
{
    m_config.failureThreshold = std::max(1, m_config.failureThreshold);
    m_config.halfOpenProbes = std::max(1, m_config.halfOpenProbes);
    m_config.successesToClose = std::max(1, m_config.successesToClose);
}

bool CircuitBreaker::countsAsFailure(ErrorClass errorClass)
{
    switch (errorClass) {
    case ErrorClass::Network:
    case ErrorClass::Timeout:
    case ErrorClass::Tls:
    case ErrorClass::Server:
    case ErrorClass::Overloaded:
    case ErrorClass::MalformedResponse:
    case ErrorClass::TruncatedStream:
        return true;
    default:
        return false;
    }
}

bool CircuitBreaker::allowRequest()
{
    refresh();
    switch (m_state) {
    case State::Closed:
        return true;
    case State::Open:
        return false;
    case State::HalfOpen:
        if (m_probesInFlight >= m_config.halfOpenProbes)
            return false;
        ++m_probesInFlight;
        return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess()
{
    refresh();
    m_failures = 0;
    if (m_state != State::HalfOpen)
        return;
    m_probesInFlight = std::max(0, m_probesInFlight - 1);
    if (++m_probeSuccesses >= m_config.successesToClose) {
        m_state = State::Closed;
        m_probesInFlight = 0;
        m_probeSuccesses = 0;
    }
}

void CircuitBreaker::recordFailure(ErrorClass errorClass)
{
    if (!countsAsFailure(errorClass)) {
        recordSuccess(); // the endpoint answered: it is alive
        return;
    }
    refresh();
    ++m_failures;
    // One failed probe is enough to open again; an attempt allowed before
    // the circuit opened and failing late only adds to the count.
    if (m_state == State::HalfOpen
        || (m_state == State::Closed && m_failures >= m_config.failureThreshold)) {
        open();
    }
}

void CircuitBreaker::recordAbandoned()
{
    refresh();
    if (m_state == State::HalfOpen)
        m_probesInFlight = std::max(0, m_probesInFlight - 1);
}

CircuitBreaker::State CircuitBreaker::state() const
{
    if (m_state == State::Open && m_clock.now() >= m_openUntil)
        return State::HalfOpen;
    return m_state;
}

std::optional<TimePoint> CircuitBreaker::openUntil() const
{
    if (state() != State::Open)
        return std::nullopt;
    return m_openUntil;
}

void CircuitBreaker::refresh()
{
    if (m_state == State::Open && m_clock.now() >= m_openUntil) {
        m_state = State::HalfOpen;
        m_probesInFlight = 0;
        m_probeSuccesses = 0;
    }
}

void CircuitBreaker::open()
{
    m_state = State::Open;
    m_openUntil = m_clock.now() + m_config.coolDown;
    m_probesInFlight = 0;
    m_probeSuccesses = 0;
}

CircuitBreakers::CircuitBreakers(const Clock &clock, CircuitBreakerConfig config)
    : m_clock(clock), m_config(config)
{ }

CircuitBreakers::~CircuitBreakers() = default;

CircuitBreaker &CircuitBreakers::forKey(const QString &endpoint, const QString &model)
{
    // A unit separator cannot occur in a URL or a model name.
    const QString key = endpoint + QChar(0x1f) + model;
    auto it = m_breakers.find(key);
    if (it == m_breakers.end())
        it = m_breakers.insert(key, std::make_shared<CircuitBreaker>(m_clock, m_config));
    return **it;
}

} // namespace sluice
