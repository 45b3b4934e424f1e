#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace sluice {

/// A schema that cannot be used: where (JSON pointer into the schema, or
/// `uri#pointer` inside a referenced document) and what is wrong with it.
struct SchemaError
{
    QString path;
    QString message;
};

/// One reason an instance does not match: the offending value (JSON pointer
/// into the instance, "" for the root), the keyword that rejected it (JSON
/// pointer into the schema) and a sentence for a human.
struct ValidationError
{
    QString instancePath;
    QString schemaPath;
    QString message;
};

struct SchemaCompileResult;

/// JSON Schema draft 7 validator written for structured LLM output (not a
/// wrapper of valijson, whose Qt adapter, multipleOf, regex and $ref handling
/// were measured unsafe; see docs/json-schema-suite.md).
///
/// compile() checks and precompiles everything once (references, patterns,
/// numbers, formats); validate() is then cheap (about 18 us for a 1 KB,
/// 20-field document) and allocates little beyond the errors it reports.
/// Copies share the compiled schema; as QRegularExpression is only documented
/// reentrant, compile one validator per thread that validates.
/// Semantics worth knowing:
/// - integers are exact in 64 bits (Qt 6.4 parses integer literals up to
///   2^63-1 exactly; larger ones arrive as doubles and compare as doubles);
///   1.0 counts as an integer, as draft 7 says;
/// - `multipleOf` is decimal-exact on the shortest round-trip decimal form of
///   both numbers (19.99 is a multiple of 0.01);
/// - string lengths count Unicode code points; patterns are ECMA-262-like
///   (`\d`, `\w`, `\b` ASCII, `\s` Unicode spaces, `$` only at the end, `.` one
///   code point, `\p{..}` supported) through QRegularExpression;
/// - `format` asserts (date-time, date, time, duration, email, hostname, ipv4,
///   ipv6, uuid, uri) on strings only; other formats and non-strings pass;
/// - references: `#/json/pointer` (`definitions`, `$defs`, anything),
///   `$id`-based URIs and plain-name anchors inside the schema; remote
///   documents only through a Resolver. Pure reference loops (and any other
///   loop that never moves into the instance) are schema errors.
class SchemaValidator
{
public:
    /// Returns the JSON document at an absolute URL (no fragment), or nullopt
    /// when it is unknown. Without a resolver only the schema's own
    /// resources can be referenced.
    using Resolver = std::function<std::optional<QJsonValue>(const QUrl &)>;

    /// A validator that accepts everything (the schema `true`).
    SchemaValidator();

    [[nodiscard]] static SchemaCompileResult compile(
        const QJsonValue &schema, const Resolver &resolver = {});

    /// Every reason the instance does not match; empty when it is valid.
    [[nodiscard]] QList<ValidationError> validate(const QJsonValue &instance) const;

    /// validate().isEmpty(), stopping at the first failure.
    [[nodiscard]] bool isValid(const QJsonValue &instance) const;

    struct Program;

private:
    explicit SchemaValidator(std::shared_ptr<const Program> program);

    std::shared_ptr<const Program> m_program;
};

/// Either a validator or the first problem found in the schema.
struct SchemaCompileResult
{
    std::optional<SchemaValidator> validator;
    SchemaError error;

    [[nodiscard]] explicit operator bool() const { return validator.has_value(); }
};

} // namespace sluice
