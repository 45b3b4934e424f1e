#pragma once

#include "core/generation.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

namespace sluice {

/// The JSON Canonicalization Scheme (RFC 8785) of `value`: object keys
/// sorted by UTF-16 code units, no whitespace, numbers as ECMAScript prints
/// them (shortest round trip: 1, 0.7, 1e+21, 1.5e-7), strings with the
/// minimal escapes (\" \\ \b \f \n \r \t, other controls as \u00xx) and all
/// else as UTF-8. Where it cannot follow JCS: QJsonValue holds numbers as
/// doubles, so integers beyond 2^53 were rounded when parsed.
[[nodiscard]] QByteArray canonicalJson(const QJsonValue &value);

/// Where a request is sent: what, besides the request, shapes the answer.
struct Endpoint
{
    QString providerId; ///< the dialect and vendor, e.g. "openai-responses"
    QString baseUrl;    ///< e.g. "https://api.openai.com/v1"
};

/// SHA-256 (lowercase hex) of the canonical JSON of everything that shapes
/// the answer: the endpoint (provider id; base URL as scheme, host, port and
/// path, without user info, query or trailing slash), model, instructions,
/// input, output schema (name, schema, strict), max output tokens and
/// temperature. Not the key (answers do not depend on who pays), not
/// `stream` or `store` (they change delivery, not the answer). Stable across
/// runs, machines and key orders; the document carries a format version, so
/// a change of what is hashed never matches an old cache entry. A field added
/// to GenerationRequest that shapes the answer (top_p, a seed, tools) belongs
/// here, with the format version bumped.
[[nodiscard]] QString requestFingerprint(
    const Endpoint &endpoint, const GenerationRequest &request);

} // namespace sluice
