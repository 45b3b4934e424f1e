#pragma once

#include "sim/seededrandom.h"

#include <QString>

#include <optional>

namespace sluice::sim {

/// Builds a string that matches a JSON Schema `pattern`, for the subset of
/// regular expressions that schemas use in practice: literals and escapes,
/// `.`, character classes with ranges and negation, `\d \w \s` (and their
/// negations outside classes), groups `( )` `(?: )` `(?<name> )` with `|`,
/// the quantifiers `* + ? {n} {n,} {n,m}` (lazy or not), and `^ $` anchors.
/// Returns nullopt for anything else (lookaround, backreferences, `\b`,
/// `\p{...}`): the caller then falls back to candidates checked with
/// QRegularExpression. The result is not checked here; the caller checks it.
[[nodiscard]] std::optional<QString> samplePattern(const QString &pattern, SeededRandom &random);

} // namespace sluice::sim
