#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

// Small JSON Schema helpers shared by the simulator's instance generator and
// its instance check (schemainstance.cpp, schemacheck.cpp).
namespace sluice::sim {

/// A number as the exact decimal units / 10^decimals.
struct Decimal
{
    qint64 units = 0;
    int decimals = 0;
};

/// The decimal a JSON number was written as (its shortest round-trip text:
/// 0.01, not 0.01000000000000000020816...); nullopt beyond 64-bit units or
/// 15 decimals.
[[nodiscard]] std::optional<Decimal> exactDecimal(double value);

/// The double nearest to units / 10^decimals.
[[nodiscard]] double decimalValue(qint64 units, int decimals);

[[nodiscard]] qint64 power10(int exponent);

/// Whether `value` is an exact multiple of `step` in decimal (0.3 is a
/// multiple of 0.1); in doubles when either is beyond exactDecimal's reach.
[[nodiscard]] bool isDecimalMultiple(double value, double step);

/// The `type` keyword as a list ("string" -> ["string"]; absent -> []).
[[nodiscard]] QStringList typeList(const QJsonValue &type);

/// Whether a JSON value is of a JSON Schema type (`integer`: a number with
/// no fraction).
[[nodiscard]] bool isType(const QJsonValue &value, const QString &type);

/// An ECMA-262 pattern for QRegularExpression (PCRE spells \uXXXX as \x{XXXX}).
[[nodiscard]] QString pcrePattern(const QString &pattern);

/// The schema a local `$ref` (`#`, `#/$defs/x`, any JSON pointer) points to in
/// `root`; an empty schema (anything goes) for remote or unknown references.
[[nodiscard]] QJsonValue resolveReference(const QJsonValue &root, const QString &reference);

} // namespace sluice::sim
