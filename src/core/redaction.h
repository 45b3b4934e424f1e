#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace sluice {

/// Masks known secrets in text that leaves the process (error lines, logs,
/// traces, exports). Knows each secret in the forms it travels in: raw,
/// base64 (standard and URL-safe, at any byte alignment inside a longer
/// base64 stream) and percent-encoded. A value type; not thread-safe (the
/// process-wide one below is).
class Redactor
{
public:
    /// What a secret is replaced with.
    static constexpr QLatin1StringView kMask {"[redacted]"};
    /// Shorter secrets are ignored: masking them would shred ordinary text.
    static constexpr qsizetype kMinimumLength = 6;

    void addSecret(QByteArrayView secret);
    [[nodiscard]] bool isEmpty() const { return m_needles.isEmpty(); }

    [[nodiscard]] QString redact(QString text) const;
    [[nodiscard]] QByteArray redact(QByteArray bytes) const;

    /// The forms of `secret` that are searched for (raw first), for tests
    /// that scan output for a leak.
    [[nodiscard]] static QList<QByteArray> encodedForms(QByteArrayView secret);

private:
    QList<QByteArray> m_needles; ///< longest first, so no form is masked in part
};

/// Header names that carry credentials: `Authorization`, `Proxy-Authorization`,
/// `x-api-key`, `api-key` (case-insensitive).
[[nodiscard]] bool isSecretHeader(QByteArrayView name);

/// `headers` without the credential headers (for traces, exports, logs).
[[nodiscard]] QList<QPair<QByteArray, QByteArray>> withoutSecretHeaders(
    const QList<QPair<QByteArray, QByteArray>> &headers);

/// The process-wide redactor: executables register the keys they use, and
/// everything that writes text out of the process goes through it.
void registerSecret(QByteArrayView secret);
[[nodiscard]] QString redactSecrets(const QString &text);
[[nodiscard]] QByteArray redactSecrets(const QByteArray &bytes);

/// Installs a Qt message handler that redacts every message with the
/// process-wide redactor before passing it to the previous handler.
void installRedactingMessageHandler();

} // namespace sluice
