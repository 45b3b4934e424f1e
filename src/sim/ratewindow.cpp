#include "sim/ratewindow.h"

namespace sluice::sim {

namespace {

// Whole milliseconds from `now` until `until`, rounded up so that a client
// waiting that long is never early; never negative.
std::chrono::milliseconds millisecondsUntil(
    RateWindow::Clock::time_point now, RateWindow::Clock::time_point until)
{
    if (until <= now)
        return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(until - now);
}

} // namespace

RateWindow::RateWindow(int requestsPerWindow, qint64 tokensPerWindow, Milliseconds window)
    : m_requestLimit(requestsPerWindow), m_tokenLimit(tokensPerWindow), m_window(window)
{ }

void RateWindow::expire(Clock::time_point now)
{
    qsizetype expired = 0;
    while (expired < m_arrivals.size() && m_arrivals.at(expired).at + m_window <= now)
        ++expired;
    m_arrivals.remove(0, expired);
}

qint64 RateWindow::tokensInWindow() const
{
    qint64 sum = 0;
    for (const Arrival &arrival : m_arrivals)
        sum += arrival.tokens;
    return sum;
}

std::optional<RateWindow::Refusal> RateWindow::admit(Clock::time_point now, qint64 tokens)
{
    expire(now);
    if (m_requestLimit > 0 && m_arrivals.size() >= m_requestLimit) {
        // The request fits once enough of the oldest arrivals have left.
        const auto &freeing = m_arrivals.at(m_arrivals.size() - m_requestLimit);
        return Refusal {"requests",
            "Rate limit reached for requests per min (RPM): Limit "
                + QByteArray::number(m_requestLimit) + ", Used "
                + QByteArray::number(m_arrivals.size()) + ", Requested 1.",
            millisecondsUntil(now, freeing.at + m_window)};
    }
    if (m_tokenLimit > 0) {
        const qint64 used = tokensInWindow();
        if (used + tokens > m_tokenLimit) {
            const QByteArray message = "Rate limit reached for tokens per min (TPM): Limit "
                + QByteArray::number(m_tokenLimit) + ", Used " + QByteArray::number(used)
                + ", Requested " + QByteArray::number(tokens) + ".";
            if (tokens > m_tokenLimit) {
                // Never fits: say so, and hint at a whole window like OpenAI's
                // "Request too large" answer.
                return Refusal {"tokens",
                    "Request too large for tokens per min (TPM): Limit "
                        + QByteArray::number(m_tokenLimit) + ", Requested "
                        + QByteArray::number(tokens)
                        + ". The input or output tokens must be reduced.",
                    m_window};
            }
            qint64 freed = 0;
            for (const Arrival &arrival : std::as_const(m_arrivals)) {
                freed += arrival.tokens;
                if (used - freed + tokens <= m_tokenLimit)
                    return Refusal {
                        "tokens", message, millisecondsUntil(now, arrival.at + m_window)};
            }
        }
    }
    m_arrivals.append(Arrival {now, tokens});
    return std::nullopt;
}

RateWindow::State RateWindow::state(Clock::time_point now)
{
    expire(now);
    State state;
    state.limitRequests = m_requestLimit;
    state.limitTokens = m_tokenLimit;
    state.remainingRequests
        = m_requestLimit > 0 ? qMax(0, m_requestLimit - int(m_arrivals.size())) : 0;
    state.remainingTokens = m_tokenLimit > 0 ? qMax<qint64>(0, m_tokenLimit - tokensInWindow()) : 0;
    if (!m_arrivals.isEmpty())
        state.resetRequests = millisecondsUntil(now, m_arrivals.constLast().at + m_window);
    for (auto it = m_arrivals.crbegin(); it != m_arrivals.crend(); ++it) {
        if (it->tokens > 0) {
            state.resetTokens = millisecondsUntil(now, it->at + m_window);
            break;
        }
    }
    return state;
}

QByteArray goDuration(std::chrono::milliseconds duration)
{
    const qint64 total = qMax<qint64>(0, duration.count());
    if (total == 0)
        return "0s";
    if (total < 1000)
        return QByteArray::number(total) + "ms";
    const qint64 hours = total / 3'600'000;
    const qint64 minutes = (total / 60'000) % 60;
    const qint64 seconds = (total / 1000) % 60;
    const qint64 millis = total % 1000;
    QByteArray text;
    if (hours > 0)
        text += QByteArray::number(hours) + 'h';
    if (hours > 0 || minutes > 0)
        text += QByteArray::number(minutes) + 'm';
    text += QByteArray::number(seconds);
    if (millis > 0) {
        QByteArray fraction = QByteArray::number(millis).rightJustified(3, '0');
        while (fraction.endsWith('0'))
            fraction.chop(1);
        text += '.' + fraction;
    }
    return text + 's';
}

} // namespace sluice::sim
