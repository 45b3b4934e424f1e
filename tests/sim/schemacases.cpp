#include "schemacases.h"

namespace sluice::test {

QList<SchemaCase> validatedSchemaCases()
{
    return {
        {"flat object", R"({"type":"object","properties":{
            "name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":120},
            "active":{"type":"boolean"},"score":{"type":"number"}},
            "required":["name","age","active","score"],"additionalProperties":false})"},
        {"nested", R"({"type":"object","properties":{"user":{
            "type":"object","properties":{"id":{"type":"string","format":"uuid"},
            "address":{"type":"object","properties":{
              "city":{"type":"string","minLength":3,"maxLength":12},
              "zip":{"type":"string","pattern":"^[0-9]{5}$"}},
              "required":["city","zip"],"additionalProperties":false}},
            "required":["id","address"],"additionalProperties":false}},
            "required":["user"],"additionalProperties":false})"},
        {"arrays with min and max", R"({"type":"object","properties":{
            "tags":{"type":"array","items":{"type":"string","maxLength":8},"minItems":2,"maxItems":4},
            "scores":{"type":"array","items":{"type":"number","minimum":0,"maximum":1},
                      "minItems":5,"maxItems":5},
            "none":{"type":"array","items":{"type":"string"},"maxItems":0},
            "unique":{"type":"array","items":{"enum":["a","b","c"]},"uniqueItems":true,"minItems":3},
            "tuple":{"type":"array","items":[{"type":"string"},{"type":"integer"}],
                     "additionalItems":false}},
            "required":["tags","scores","none","unique","tuple"]})"},
        {"enums", R"({"type":"object","properties":{
            "color":{"type":"string","enum":["red","green","blue"]},
            "size":{"enum":[1,2,3]},
            "mixed":{"enum":["x",2,null,true]},
            "typed":{"type":"integer","enum":["one",2,"three"]}},
            "required":["color","size","mixed","typed"]})"},
        {"const", R"({"type":"object","properties":{
            "version":{"const":"v1"},"kind":{"type":"string","const":"item"},
            "flags":{"const":{"a":[1,2]}}},"required":["version","kind","flags"]})"},
        {"anyOf with null", R"({"type":"object","properties":{
            "note":{"anyOf":[{"type":"string","maxLength":20},{"type":"null"}]},
            "maybe":{"type":["string","null"]},
            "nullFirst":{"anyOf":[{"type":"null"},{"type":"integer","minimum":5,"maximum":6}]},
            "oneOf":{"oneOf":[{"type":"string","maxLength":3},{"type":"integer"}]}},
            "required":["note","maybe","nullFirst","oneOf"],"additionalProperties":false})"},
        {"integer ranges with multipleOf", R"({"type":"object","properties":{
            "even":{"type":"integer","minimum":1,"maximum":9,"multipleOf":2},
            "fives":{"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":50,"multipleOf":5},
            "negative":{"type":"integer","maximum":-10},
            "sevens":{"type":"integer","minimum":1000000,"maximum":1000100,"multipleOf":7},
            "halfSteps":{"type":"integer","multipleOf":0.5,"minimum":3,"maximum":3},
            "open":{"type":"integer","exclusiveMinimum":41,"exclusiveMaximum":43}},
            "required":["even","fives","negative","sevens","halfSteps","open"]})"},
        {"pattern", R"({"type":"object","properties":{
            "code":{"type":"string","pattern":"^[A-Z]{3}-\\d{4}$"},
            "hex":{"type":"string","pattern":"^#[0-9a-fA-F]{6}$"},
            "pet":{"type":"string","pattern":"^(cat|dog)s?$"},
            "inside":{"type":"string","pattern":"[0-9]{2}"}},
            "required":["code","hex","pet","inside"]})"},
        {"formats checked by valijson", R"({"type":"object","properties":{
            "at":{"type":"string","format":"date-time"},
            "day":{"type":"string","format":"date"},
            "clock":{"type":"string","format":"time"}},
            "required":["at","day","clock"]})"},
        {"$defs and $ref", R"({"type":"object",
            "$defs":{"point":{"type":"object","properties":{"x":{"type":"integer"},
              "y":{"type":"integer"}},"required":["x","y"],"additionalProperties":false}},
            "properties":{"from":{"$ref":"#/$defs/point"},"to":{"$ref":"#/$defs/point"}},
            "required":["from","to"],"additionalProperties":false})"},
        {"definitions and $ref", R"({"type":"object",
            "definitions":{"name":{"type":"string","minLength":2}},
            "properties":{"first":{"$ref":"#/definitions/name"}},"required":["first"]})"},
        {"allOf", R"({"allOf":[
            {"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},
            {"properties":{"b":{"type":"integer","minimum":3}},"required":["b"]}]})"},
        {"strict style with type lists", R"({"type":"object",
            "properties":{"items":{"type":"array","items":{"type":"object","properties":{
              "label":{"type":"string"},"qty":{"type":["integer","null"],"minimum":1}},
              "required":["label","qty"],"additionalProperties":false}},
              "total":{"type":["number","null"]}},
            "required":["items","total"],"additionalProperties":false})"},
        {"extra properties", R"({"type":"object",
            "additionalProperties":{"type":"integer","minimum":0},"minProperties":2,
            "required":["count"]})"},
        {"pattern with length bounds", R"({"type":"object","properties":{
            "word":{"type":"string","pattern":"^[a-z]{1,100}$","minLength":50},
            "short":{"type":"string","pattern":"^[A-Z]+$","maxLength":2}},
            "required":["word","short"]})"},
        {"oneOf with overlapping branches", R"({"type":"object","properties":{
            "n":{"oneOf":[{"type":"integer","minimum":0,"maximum":10},
                          {"type":"integer","minimum":5,"maximum":20}]},
            "x":{"oneOf":[{"type":"number","minimum":0,"maximum":1},{"type":"integer"}]}},
            "required":["n"]})"},
        {"anyOf with an unsatisfiable first branch", R"({"anyOf":[
            {"type":"string","minLength":5,"maxLength":2},{"type":"integer","minimum":7}]})"},
        {"string root", R"({"type":"string","minLength":40})"},
        {"untyped keywords", R"({"properties":{
            "n":{"minimum":10,"maximum":11},"s":{"maxLength":2},"list":{"minItems":1}},
            "required":["n","s","list"]})"},
    };
}

QList<CheckCase> schemaCheckCases()
{
    return {
        {"decimal multiple", R"({"multipleOf":0.1})", "[0.3]", true},
        {"not a decimal multiple", R"({"multipleOf":0.01})", "[0.001]", false},
        {"integer multiple", R"({"multipleOf":7})", "[-21]", true},
        {"draft 4 exclusive", R"({"minimum":1,"exclusiveMinimum":true})", "[1]", false},
        {"exclusive number", R"({"exclusiveMaximum":1})", "[0.999]", true},
        {"integer type", R"({"type":"integer"})", "[2.0]", true},
        {"not integer", R"({"type":"integer"})", "[2.5]", false},
        {"code points", R"({"maxLength":2})", R"(["\ud83d\ude00\u00e9"])", true},
        {"ECMA escape", R"({"pattern":"^\\u00e9$"})", R"(["\u00e9"])", true},
        {"unanchored pattern", R"({"pattern":"b"})", R"(["abc"])", true},
        {"closed object", R"({"properties":{"a":{}},"additionalProperties":false})",
            R"([{"a":1,"b":2}])", false},
        {"required", R"({"required":["a"]})", "[{}]", false},
        {"tuple", R"({"items":[{"type":"string"}],"additionalItems":false})", R"([["x",1]])",
            false},
        {"unique", R"({"uniqueItems":true})", "[[1,2,1]]", false},
        {"oneOf twice", R"({"oneOf":[{"type":"integer"},{"minimum":0}]})", "[3]", false},
        {"anyOf", R"({"anyOf":[{"type":"null"},{"minimum":0}]})", "[3]", true},
        {"not", R"({"not":{"type":"string"}})", R"(["s"])", false},
        {"enum", R"({"enum":[1,"a",null]})", "[null]", true},
        {"const object", R"({"const":{"a":[1]}})", R"([{"a":[1]}])", true},
        {"ref", R"({"$defs":{"n":{"type":"integer"}},"$ref":"#/$defs/n"})", R"(["1"])", false},
        {"ref cycle", R"({"$ref":"#"})", "[1]", true},
    };
}

const char *const kRecursiveTreeSchema = R"({"type":"object",
            "$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},
              "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},
              "required":["name","children"],"additionalProperties":false}},
            "properties":{"root":{"$ref":"#/$defs/node"}},"required":["root"],
            "additionalProperties":false})";

const char *const kSelfReferenceSchema = R"({"type":"object","properties":{
            "value":{"type":"integer","minimum":0,"maximum":9},
            "next":{"anyOf":[{"$ref":"#"},{"type":"null"}]}},
            "required":["value","next"],"additionalProperties":false})";

const char *const kDecimalMultipleSchema = R"({"type":"object","properties":{
            "price":{"type":"number","multipleOf":0.01,"minimum":0,"maximum":1000},
            "quarter":{"type":"number","multipleOf":0.25,"exclusiveMinimum":0,"maximum":2},
            "tiny":{"type":"number","multipleOf":0.001,"minimum":0.5,"exclusiveMaximum":0.502}},
            "required":["price","quarter","tiny"]})";

const char *const kFormatsSchema = R"({"type":"object","properties":{
            "email":{"type":"string","format":"email"},"uuid":{"type":"string","format":"uuid"},
            "uri":{"type":"string","format":"uri"},"host":{"type":"string","format":"hostname"},
            "v4":{"type":"string","format":"ipv4"},"v6":{"type":"string","format":"ipv6"},
            "duration":{"type":"string","format":"duration"}}})";

const char *const kNoWayOutSchema = R"({"type":"object","properties":{
            "self":{"$ref":"#"}},"required":["self"]})";

QByteArray selfApplicatorSchema(const char *applicator)
{
    return QByteArray(R"({")") + applicator + R"(":[{"$ref":"#"},{"$ref":"#"}]})";
}

} // namespace sluice::test
