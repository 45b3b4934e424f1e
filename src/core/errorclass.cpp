#include "core/errorclass.h"

#include <array>
#include <utility>

namespace sluice {

namespace {

constexpr std::array<std::pair<ErrorClass, const char16_t *>, 15> kNames {{
    {ErrorClass::None, u""},
    {ErrorClass::Network, u"network"},
    {ErrorClass::Timeout, u"timeout"},
    {ErrorClass::Tls, u"tls"},
    {ErrorClass::BadRequest, u"bad_request"},
    {ErrorClass::Auth, u"auth"},
    {ErrorClass::NotFound, u"not_found"},
    {ErrorClass::RateLimited, u"rate_limited"},
    {ErrorClass::QuotaExhausted, u"quota_exhausted"},
    {ErrorClass::Server, u"server"},
    {ErrorClass::Overloaded, u"overloaded"},
    {ErrorClass::MalformedResponse, u"malformed_response"},
    {ErrorClass::TruncatedStream, u"truncated_stream"},
    {ErrorClass::Refused, u"refused"},
    {ErrorClass::Incomplete, u"incomplete"},
}};

} // namespace

QString errorClassName(ErrorClass errorClass)
{
    for (const auto &[value, name] : kNames) {
        if (value == errorClass)
            return QString::fromUtf16(name);
    }
    return {};
}

std::optional<ErrorClass> errorClassFromName(QStringView name)
{
    for (const auto &[value, wireName] : kNames) {
        if (name == QStringView(wireName))
            return value;
    }
    return std::nullopt;
}

} // namespace sluice
