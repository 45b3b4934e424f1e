#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>

#include <cstdint>

namespace sluice::sim {

/// Generates a JSON value that is a valid instance of a JSON Schema, the
/// simulator's answer to `text.format: {type: "json_schema"}`. Written from
/// the JSON Schema spec, independent of the client's validator it checks.
///
/// Supported: `type` (also as a list; non-null types first), `enum`,
/// `const`, `anyOf` / `oneOf` (the first branch, non-null ones first, whose
/// instance passes SchemaCheck; for oneOf, also fails every other branch),
/// `allOf` (merged: properties, required, bounds, types, enums),
/// `properties`, `required`, `additionalProperties`, `minProperties` /
/// `maxProperties`, `items`, `prefixItems` (and draft-7 tuple `items`),
/// `minItems` / `maxItems`, `uniqueItems`, `minLength` / `maxLength`,
/// `minimum` / `maximum` / `exclusiveMinimum` / `exclusiveMaximum` (numbers,
/// and draft-4 booleans), `multipleOf` (exact for decimal steps such as 0.01
/// and for integers), `pattern`, `format` (date-time, date, time, email, uuid,
/// uri, hostname, ipv4, ipv6, duration), `$ref` to `#`, `#/$defs/...`,
/// `#/definitions/...` and any local JSON pointer. Values vary with the seed.
///
/// Recursion: after `refDepthLimit` nested `$ref`s (or a node budget) the
/// generator takes the shortest way out: `null` in a type list or anyOf, a
/// branch without `$ref`, `minItems` items, only required properties.
///
/// The result is checked with SchemaCheck; when it fails, the next few seeds
/// are tried and the first passing instance is returned (else the first).
/// Limits (the instance may then be invalid): oneOf branches whose instances
/// all satisfy another branch too; `not`, `if`/`then`/`else`, `contains`,
/// `patternProperties`, `dependent*` and remote or `$id`-based refs are
/// ignored; a `pattern` outside the subset of patternsample.h is met only if
/// one of a few fixed candidates matches (checked with QRegularExpression);
/// `format` with conflicting length bounds; recursion that no branch can end;
/// minimum sizes (minLength, minItems, minProperties) over 10,000.
struct InstanceOptions
{
    int refDepthLimit = 3;   ///< nested $refs before the shortest way out
    int hardDepthLimit = 32; ///< nested $refs before giving up with null
    int nodeBudget = 2000;   ///< generated values before the shortest way out
};

[[nodiscard]] QJsonValue generateInstance(
    const QJsonValue &schema, std::uint64_t seed, const InstanceOptions &options = {});

/// Any JSON value as compact text (QJsonDocument holds only objects and arrays).
[[nodiscard]] QByteArray compactJson(const QJsonValue &value);

} // namespace sluice::sim
