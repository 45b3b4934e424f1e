// The redactor masks a key in every form it travels in, and the log handler
// runs every message through it.
#include "core/redaction.h"

#include <QTest>
#include <QUrl>

using namespace sluice;

namespace {

constexpr QByteArrayView kKey {"sk-proj-Ab3+/xY9_k=marker-42"};

} // namespace

class TestRedactor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void masksTheRawKey()
    {
        Redactor redactor;
        redactor.addSecret(kKey);
        const QString text = QStringLiteral("Incorrect API key provided: %1. See docs.")
                                 .arg(QString::fromLatin1(kKey));
        QCOMPARE(redactor.redact(text),
            QStringLiteral("Incorrect API key provided: [redacted]. See docs."));
        QCOMPARE(redactor.redact(QByteArray("Bearer ") + kKey.toByteArray()),
            QByteArray("Bearer [redacted]"));
    }

    void masksBase64AtEveryAlignment_data()
    {
        QTest::addColumn<QByteArray>("prefix");
        QTest::addColumn<bool>("urlSafe");
        for (const bool urlSafe : {false, true}) {
            for (const QByteArray &prefix : {QByteArray(), QByteArray("a"), QByteArray("ab"),
                     QByteArray("user:"), QByteArray("Basic \x01\xff")}) {
                QTest::addRow("%s prefix %d", urlSafe ? "url" : "std", int(prefix.size()))
                    << prefix << urlSafe;
            }
        }
    }

    void masksBase64AtEveryAlignment()
    {
        QFETCH(QByteArray, prefix);
        QFETCH(bool, urlSafe);
        Redactor redactor;
        redactor.addSecret(kKey);
        const QByteArray encoded
            = (prefix + kKey.toByteArray() + "-tail")
                  .toBase64(urlSafe ? QByteArray::Base64UrlEncoding : QByteArray::Base64Encoding);
        QByteArray redacted = redactor.redact(encoded);
        QVERIFY2(redacted.contains("[redacted]"), redacted.constData());
        // What is left cannot decode back to the key.
        QVERIFY(!QByteArray::fromBase64(redacted.replace("[redacted]", ""),
            urlSafe ? QByteArray::Base64UrlEncoding : QByteArray::Base64Encoding)
                     .contains(kKey));
    }

    void masksPercentEncoding()
    {
        Redactor redactor;
        redactor.addSecret(kKey);
        const QString query = QStringLiteral("https://h/x?key=")
            + QString::fromLatin1(QUrl::toPercentEncoding(QString::fromLatin1(kKey)));
        QVERIFY(!query.contains(QString::fromLatin1(kKey)));
        QCOMPARE(redactor.redact(query), QStringLiteral("https://h/x?key=[redacted]"));
        QCOMPARE(redactor.redact(query.toLower()), QStringLiteral("https://h/x?key=[redacted]"));
    }

    void ignoresShortSecretsAndLeavesOtherTextAlone()
    {
        Redactor redactor;
        redactor.addSecret("abc");
        QVERIFY(redactor.isEmpty());
        QCOMPARE(redactor.redact(QStringLiteral("abc abc")), QStringLiteral("abc abc"));
        redactor.addSecret(kKey);
        QCOMPARE(redactor.redact(QStringLiteral("nothing secret here")),
            QStringLiteral("nothing secret here"));
    }

    void encodedFormsStartWithTheRawKey()
    {
        const QList<QByteArray> forms = Redactor::encodedForms(kKey);
        QCOMPARE(forms.constFirst(), kKey.toByteArray());
        QVERIFY(forms.contains(kKey.toByteArray().toBase64()));
        QVERIFY(forms.contains(QUrl::toPercentEncoding(QString::fromLatin1(kKey))));
    }

    void stripsCredentialHeaders()
    {
        const QList<QPair<QByteArray, QByteArray>> headers {
            {"Authorization", "Bearer sk-1"},
            {"content-type", "application/json"},
            {"X-Api-Key", "sk-2"},
            {"api-key", "sk-3"},
            {"proxy-authorization", "Basic x"},
            {"x-request-id", "req_1"},
        };
        const auto kept = withoutSecretHeaders(headers);
        QCOMPARE(kept.size(), 2);
        QCOMPARE(kept.at(0).first, QByteArray("content-type"));
        QCOMPARE(kept.at(1).first, QByteArray("x-request-id"));
        QVERIFY(isSecretHeader("AUTHORIZATION"));
        QVERIFY(!isSecretHeader("x-api-key-hint"));
    }

    void logHandlerRedacts()
    {
        registerSecret(kKey);
        installRedactingMessageHandler();
        installRedactingMessageHandler(); // idempotent
        QTest::ignoreMessage(QtWarningMsg, "request failed: key [redacted] rejected");
        qWarning("request failed: key %s rejected", kKey.toByteArray().constData());
        QCOMPARE(redactSecrets(QString::fromLatin1(kKey)), QStringLiteral("[redacted]"));
    }
};

QTEST_GUILESS_MAIN(TestRedactor)
#include "tst_redactor.moc"
