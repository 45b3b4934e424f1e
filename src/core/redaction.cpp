#include "core/redaction.h"

#include <QMutex>
#include <QMutexLocker>
#include <QUrl>

#include <algorithm>
#include <atomic>

namespace sluice {

namespace {

// The base64 characters that depend only on `secret` when it starts `shift`
// bytes into a base64-encoded stream (shift 0, 1 or 2).
QByteArray base64Core(QByteArrayView secret, int shift, QByteArray::Base64Options options)
{
    const QByteArray padded = QByteArray(shift, '\0') + secret.toByteArray();
    const QByteArray encoded = padded.toBase64(options | QByteArray::OmitTrailingEquals);
    const qsizetype first = (8 * shift + 5) / 6;
    const qsizetype last = (8 * padded.size()) / 6;
    return encoded.mid(first, last - first);
}

// The process-wide redactor. Never destroyed: Qt still logs from its own exit
// handlers (a plugin library unloading), after this file's statics would be
// gone, and the message handler must still find it then.
struct GlobalRedactor
{
    QMutex mutex;
    Redactor redactor;
};

GlobalRedactor &global()
{
    static GlobalRedactor *const instance = new GlobalRedactor;
    return *instance;
}

std::atomic<QtMessageHandler> previousHandler = nullptr;

void redactingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (const QtMessageHandler previous = previousHandler.load())
        previous(type, context, redactSecrets(message));
}

} // namespace

QList<QByteArray> Redactor::encodedForms(QByteArrayView secret)
{
    QList<QByteArray> forms {secret.toByteArray()};
    for (const auto options : {QByteArray::Base64Encoding, QByteArray::Base64UrlEncoding}) {
        // The key encoded alone (padding included), then its core at each alignment.
        forms.append(secret.toByteArray().toBase64(options));
        for (int shift = 0; shift < 3; ++shift)
            forms.append(base64Core(secret, shift, options));
    }
    forms.append(QUrl::toPercentEncoding(QString::fromUtf8(secret)));
    forms.append(QUrl::toPercentEncoding(QString::fromUtf8(secret)).toLower());
    std::sort(forms.begin(), forms.end());
    forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
    // The raw form first; the others follow, longest first.
    forms.removeAll(secret.toByteArray());
    std::stable_sort(forms.begin(), forms.end(),
        [](const QByteArray &a, const QByteArray &b) { return a.size() > b.size(); });
    forms.prepend(secret.toByteArray());
    return forms;
}

void Redactor::addSecret(QByteArrayView secret)
{
    if (secret.size() < kMinimumLength)
        return;
    for (QByteArray &form : encodedForms(secret)) {
        if (form.size() >= kMinimumLength && !m_needles.contains(form))
            m_needles.append(std::move(form));
    }
    std::stable_sort(m_needles.begin(), m_needles.end(),
        [](const QByteArray &a, const QByteArray &b) { return a.size() > b.size(); });
}

QString Redactor::redact(QString text) const
{
    for (const QByteArray &needle : m_needles)
        text.replace(QString::fromUtf8(needle), kMask);
    return text;
}

QByteArray Redactor::redact(QByteArray bytes) const
{
    for (const QByteArray &needle : m_needles)
        bytes.replace(needle, QByteArrayView(kMask.data(), kMask.size()));
    return bytes;
}

bool isSecretHeader(QByteArrayView name)
{
    static constexpr QByteArrayView names[]
        = {"authorization", "proxy-authorization", "x-api-key", "api-key"};
    return std::any_of(std::begin(names), std::end(names), [name](QByteArrayView secretName) {
        return name.compare(secretName, Qt::CaseInsensitive) == 0;
    });
}

QList<QPair<QByteArray, QByteArray>> withoutSecretHeaders(
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QList<QPair<QByteArray, QByteArray>> kept;
    for (const auto &header : headers) {
        if (!isSecretHeader(header.first))
            kept.append(header);
    }
    return kept;
}

void registerSecret(QByteArrayView secret)
{
    GlobalRedactor &g = global();
    const QMutexLocker lock(&g.mutex);
    g.redactor.addSecret(secret);
}

QString redactSecrets(const QString &text)
{
    GlobalRedactor &g = global();
    const QMutexLocker lock(&g.mutex);
    return g.redactor.redact(text);
}

QByteArray redactSecrets(const QByteArray &bytes)
{
    GlobalRedactor &g = global();
    const QMutexLocker lock(&g.mutex);
    return g.redactor.redact(bytes);
}

void installRedactingMessageHandler()
{
    const QMutexLocker lock(&global().mutex);
    if (previousHandler.load())
        return;
    // Qt 6 returns its default handler when none was installed.
    previousHandler.store(qInstallMessageHandler(redactingHandler));
}

} // namespace sluice
