#include "core/errorclass.h"

#include <QTest>

using namespace sluice;

class TestErrorClass : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesRoundTrip()
    {
        for (int value = int(ErrorClass::Network); value <= int(ErrorClass::Incomplete); ++value) {
            const auto errorClass = ErrorClass(value);
            const QString name = errorClassName(errorClass);
            QVERIFY2(!name.isEmpty(), qPrintable(QString::number(value)));
            QCOMPARE(errorClassFromName(name), errorClass);
        }
    }

    void wireNames()
    {
        QCOMPARE(errorClassName(ErrorClass::QuotaExhausted), u"quota_exhausted"_qs);
        QCOMPARE(errorClassName(ErrorClass::MalformedResponse), u"malformed_response"_qs);
        QCOMPARE(errorClassName(ErrorClass::None), QString());
        QVERIFY(!errorClassFromName(u"no_such_class").has_value());
    }
};

QTEST_APPLESS_MAIN(TestErrorClass)
#include "tst_errorclass.moc"
