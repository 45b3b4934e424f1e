#pragma once

#include <QString>

#include <optional>

namespace sluice {

/// Why a request failed, as one typed class shared by every dialect, the
/// retry policy, the metrics and the CLI's `error.class` field.
enum class ErrorClass {
    None,
    Network,           ///< refused, reset, DNS: never reached or lost the server
    Timeout,           ///< a connect, first-byte, idle or total deadline passed
    Tls,               ///< certificate or handshake error (never ignored)
    BadRequest,        ///< 400/422: the request itself is wrong
    Auth,              ///< 401/403: key missing, wrong or without permission
    NotFound,          ///< 404: unknown model or route
    RateLimited,       ///< 429 burst limit: retry after the server's hint
    QuotaExhausted,    ///< 429 insufficient_quota: final, stop the run
    Server,            ///< 5xx
    Overloaded,        ///< 529 / overloaded_error
    MalformedResponse, ///< the body is not what the dialect promises
    TruncatedStream,   ///< a stream ended without its terminal event
    Refused,           ///< the model refused to answer
    Incomplete,        ///< the answer stopped early (max tokens, content filter)
};

/// The wire name (`rate_limited`, `quota_exhausted`, ...); "" for None.
[[nodiscard]] QString errorClassName(ErrorClass errorClass);

/// Inverse of errorClassName; nullopt for an unknown name.
[[nodiscard]] std::optional<ErrorClass> errorClassFromName(QStringView name);

} // namespace sluice
