#pragma once

#include <QStringView>

#include <optional>

namespace sluice {

/// The `format` values SchemaValidator checks itself (the ones structured
/// output uses, plus `uri`). Other format names are annotations only.
enum class SchemaFormat {
    DateTime, ///< RFC 3339 date-time, leap seconds checked against the offset
    Date,     ///< RFC 3339 full-date, day checked against the month
    Time,     ///< RFC 3339 full-time (offset required)
    Duration, ///< ISO 8601 duration as in RFC 3339 appendix A
    Email,    ///< RFC 5321 mailbox: dot-atom or quoted local part, host or address literal
    Hostname, ///< RFC 1123 host name, ASCII labels of 1-63, 253 characters at most
    Ipv4,     ///< dotted quad, no leading zeros
    Ipv6,     ///< RFC 4291 text form, optional trailing dotted quad, no zone
    Uuid,     ///< RFC 4122 8-4-4-4-12 hex digits
    Uri,      ///< RFC 3986 absolute URI (scheme required)
};

[[nodiscard]] std::optional<SchemaFormat> schemaFormatFromName(QStringView name);

/// Whether `text` is a valid instance of `format`.
[[nodiscard]] bool matchesFormat(SchemaFormat format, QStringView text);

} // namespace sluice
