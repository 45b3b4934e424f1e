#pragma once

#include "sim/seededrandom.h"

#include <QString>

#include <optional>

namespace sluice::sim {

/// Builds a string that matches a JSON Schema `pattern`, for the subset of
/// regular expressions that schemas use in practice: literals and escapes,
/// `.`, character classes with ranges and negation, `\d \w \s` (and their
/// negations outside classes), groups `( )` `(?: )` `(?<name> )` with `|`,
/// the quantifiers `* + ? {n} {n,} {n,m}` (lazy or not, n at most 1000), and
/// `^ $` anchors. Each quantifier repeats from its minimum to `spread` more
/// (within its maximum): a caller that needs longer samples asks again with a
/// wider spread. Returns nullopt for anything else (lookaround,
/// backreferences, `\b`, `\p{...}`) and for samples over 10,000 characters:
/// the caller then falls back to candidates checked with QRegularExpression.
/// The result is not checked here; the caller checks it.
[[nodiscard]] std::optional<QString> samplePattern(
    const QString &pattern, SeededRandom &random, int spread = 3);

} // namespace sluice::sim
