#pragma once

#include <QByteArray>
#include <QList>

#include <chrono>
#include <optional>

namespace sluice::sim {

/// The simulator's own rate limits: requests and tokens per sliding window
/// (60 s), kept as a plain list of arrivals scanned linearly. Deliberately
/// simple and independent of the client's gates, which it is there to check.
class RateWindow
{
public:
    using Clock = std::chrono::steady_clock;
    using Milliseconds = std::chrono::milliseconds;

    /// What the window looks like for one answer; the fields map 1:1 onto
    /// OpenAI's `x-ratelimit-*` headers.
    struct State
    {
        int limitRequests = 0;  ///< 0 = unlimited
        qint64 limitTokens = 0; ///< 0 = unlimited
        int remainingRequests = 0;
        qint64 remainingTokens = 0;
        Milliseconds resetRequests {0}; ///< until the window holds no request again
        Milliseconds resetTokens {0};   ///< until the window holds no tokens again
    };

    /// Why a request was refused and when it would be admitted.
    struct Refusal
    {
        QByteArray type; ///< "requests" or "tokens" (OpenAI's error `type`)
        QByteArray message;
        Milliseconds retryAfter {0};
    };

    explicit RateWindow(int requestsPerWindow = 0, qint64 tokensPerWindow = 0,
        Milliseconds window = std::chrono::minutes(1));

    [[nodiscard]] bool isLimited() const { return m_requestLimit > 0 || m_tokenLimit > 0; }

    /// Counts a request of `tokens` arriving at `now`, or refuses it (a
    /// refused request leaves no trace in the window).
    [[nodiscard]] std::optional<Refusal> admit(Clock::time_point now, qint64 tokens);

    /// The window as seen at `now`, for the headers of any answer.
    [[nodiscard]] State state(Clock::time_point now);

private:
    struct Arrival
    {
        Clock::time_point at;
        qint64 tokens = 0;
    };

    void expire(Clock::time_point now);
    [[nodiscard]] qint64 tokensInWindow() const;

    int m_requestLimit;
    qint64 m_tokenLimit;
    Milliseconds m_window;
    QList<Arrival> m_arrivals; ///< oldest first
};

/// A duration in Go's `time.Duration.String()` form, as OpenAI writes reset
/// times: `0s`, `20ms`, `1.5s`, `6m0s`, `1h2m3.5s`.
[[nodiscard]] QByteArray goDuration(std::chrono::milliseconds duration);

} // namespace sluice::sim
