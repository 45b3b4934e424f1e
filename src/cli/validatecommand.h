#pragma once

#include <QJsonValue>
#include <QStringList>

#include <optional>

namespace sluice::cli {

/// `sluice-cli validate --schema S DOC`: checks one JSON document against a
/// JSON Schema (draft 7). Exit 0 valid, 1 invalid (each error on stderr with
/// its JSON-pointer path), 2 bad schema, unreadable or non-JSON file, usage.
/// `arguments[0]` is the program and command name.
[[nodiscard]] int validateCommand(const QStringList &arguments);

/// Reads a JSON file (any JSON value, scalars too; "-" is stdin). On failure
/// prints one line naming `role` (e.g. "--schema") and returns nullopt.
/// Shared by the schema commands.
[[nodiscard]] std::optional<QJsonValue> readJsonFile(const QString &path, const QString &role);

} // namespace sluice::cli
