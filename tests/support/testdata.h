#pragma once

#include <QByteArray>
#include <QString>

namespace sluice::test {

/// Absolute path of a file under tests/data (e.g. "recorded-openai/README.md").
[[nodiscard]] QString testDataPath(const QString &relativePath);

/// The file's bytes; fails the current test (QFAIL-like, via qFatal) if unreadable.
[[nodiscard]] QByteArray readTestData(const QString &relativePath);

} // namespace sluice::test
