#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace sluice {

/// RFC 6901 JSON pointers, as schema and validation errors report paths.

/// `pointer` extended by one object key (escaping `~` and `/`).
[[nodiscard]] QString jsonPointerAppend(const QString &pointer, QStringView key);

/// `pointer` extended by one array index.
[[nodiscard]] QString jsonPointerAppend(const QString &pointer, qsizetype index);

/// The unescaped reference tokens of a pointer ("" gives none); nullopt when
/// it does not start with '/' or has a bad `~` escape.
[[nodiscard]] std::optional<QStringList> jsonPointerTokens(QStringView pointer);

} // namespace sluice
