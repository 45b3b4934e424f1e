#include "core/ratelimithints.h"

#include <QTest>

using namespace sluice;
using namespace std::chrono_literals;

class TestRateLimitHints : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goDurations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("nanoseconds");
        QTest::newRow("seconds") << u"1s"_qs << qint64(1'000'000'000);
        QTest::newRow("minutes and zero seconds") << u"6m0s"_qs << qint64(360'000'000'000);
        QTest::newRow("fractional seconds") << u"1.5s"_qs << qint64(1'500'000'000);
        QTest::newRow("milliseconds") << u"20ms"_qs << qint64(20'000'000);
        QTest::newRow("hours minutes seconds") << u"1h2m3.5s"_qs << qint64(3'723'500'000'000);
        QTest::newRow("microseconds") << u"7us"_qs << qint64(7'000);
        QTest::newRow("micro sign") << u"7\u00b5s"_qs << qint64(7'000);
        QTest::newRow("nanoseconds") << u"9ns"_qs << qint64(9);
        QTest::newRow("bare zero") << u"0"_qs << qint64(0);
        QTest::newRow("zero seconds") << u"0s"_qs << qint64(0);
        QTest::newRow("surrounding space") << u" 2s "_qs << qint64(2'000'000'000);
    }

    void goDurations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, nanoseconds);
        const auto parsed = parseGoDuration(text);
        QVERIFY(parsed.has_value());
        QCOMPARE(parsed->count(), nanoseconds);
    }

    void rejectsNonDurations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("number without unit") << u"12"_qs;
        QTest::newRow("unknown unit") << u"3d"_qs;
        QTest::newRow("negative") << u"-1s"_qs;
        QTest::newRow("trailing junk") << u"1sx"_qs;
        QTest::newRow("unit only") << u"ms"_qs;
    }

    void rejectsNonDurations()
    {
        QFETCH(QString, text);
        QVERIFY(!parseGoDuration(text).has_value());
    }

    void emptyHints() { QVERIFY(RateLimitHints {}.isEmpty()); }
};

QTEST_APPLESS_MAIN(TestRateLimitHints)
#include "tst_ratelimithints.moc"
