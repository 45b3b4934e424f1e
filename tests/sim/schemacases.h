#pragma once

#include <QByteArray>
#include <QList>

// JSON Schemas for tst_schemainstance, in their own file because moc (6.4)
// loses the test class when raw strings with '#' appear in it.
namespace sluice::test {

struct SchemaCase
{
    const char *name;
    const char *schema;
};

/// Schemas whose every generated instance valijson must accept.
[[nodiscard]] QList<SchemaCase> validatedSchemaCases();

/// A schema, an instance (the first element of a JSON array) and whether the
/// instance is valid: cases for the generator's own check.
struct CheckCase
{
    const char *name;
    const char *schema;
    const char *instance;
    bool valid;
};

[[nodiscard]] QList<CheckCase> schemaCheckCases();

extern const char *const kRecursiveTreeSchema;   ///< $defs node with children
extern const char *const kSelfReferenceSchema;   ///< a list through "$ref": "#"
extern const char *const kDecimalMultipleSchema; ///< multipleOf 0.01, 0.25, 0.001
extern const char *const kFormatsSchema;         ///< formats valijson does not check
extern const char *const kNoWayOutSchema;        ///< recursion no branch can end

/// `{"<applicator>": [{"$ref": "#"}, {"$ref": "#"}]}`: a loop that multiplies.
[[nodiscard]] QByteArray selfApplicatorSchema(const char *applicator);

} // namespace sluice::test
