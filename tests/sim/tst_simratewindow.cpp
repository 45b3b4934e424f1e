// The simulator's own rate window and its Go-duration headers, on made-up
// instants (no sleeping).
#include "sim/ratewindow.h"

#include <QTest>

using namespace sluice::sim;
using namespace std::chrono_literals;

class TestSimRateWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goDurations_data()
    {
        QTest::addColumn<qint64>("milliseconds");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << qint64(0) << QByteArray("0s");
        QTest::newRow("milliseconds") << qint64(20) << QByteArray("20ms");
        QTest::newRow("one second") << qint64(1000) << QByteArray("1s");
        QTest::newRow("fraction") << qint64(1500) << QByteArray("1.5s");
        QTest::newRow("fraction digits") << qint64(1025) << QByteArray("1.025s");
        QTest::newRow("minutes") << qint64(360'000) << QByteArray("6m0s");
        QTest::newRow("hours") << qint64(3'723'500) << QByteArray("1h2m3.5s");
        QTest::newRow("hour exactly") << qint64(3'600'000) << QByteArray("1h0m0s");
    }

    void goDurations()
    {
        QFETCH(qint64, milliseconds);
        QFETCH(QByteArray, text);
        QCOMPARE(goDuration(std::chrono::milliseconds(milliseconds)), text);
    }

    void requestsPerWindow()
    {
        RateWindow window(2, 0);
        const auto t0 = RateWindow::Clock::time_point(1h);
        QVERIFY(!window.admit(t0, 10));
        QCOMPARE(window.state(t0).remainingRequests, 1);
        QVERIFY(!window.admit(t0 + 10s, 10));
        const auto state = window.state(t0 + 10s);
        QCOMPARE(state.limitRequests, 2);
        QCOMPARE(state.remainingRequests, 0);
        QCOMPARE(state.resetRequests, 60s); // the newest arrival leaves at t0 + 70 s

        const auto refusal = window.admit(t0 + 20s, 10);
        QVERIFY(refusal);
        QCOMPARE(refusal->type, QByteArray("requests"));
        QCOMPARE(refusal->retryAfter, 40s);                    // the oldest leaves at t0 + 60 s
        QCOMPARE(window.state(t0 + 20s).remainingRequests, 0); // a refusal leaves no trace

        QVERIFY(!window.admit(t0 + 60s, 10)); // the oldest has left
        QVERIFY(window.admit(t0 + 60s, 10));
    }

    void tokensPerWindow()
    {
        RateWindow window(0, 100);
        const auto t0 = RateWindow::Clock::time_point(1h);
        QVERIFY(!window.admit(t0, 60));
        QVERIFY(!window.admit(t0 + 5s, 30));
        auto state = window.state(t0 + 5s);
        QCOMPARE(state.limitTokens, 100);
        QCOMPARE(state.remainingTokens, 10);
        QCOMPARE(state.resetTokens, 60s);

        const auto refusal = window.admit(t0 + 10s, 50);
        QVERIFY(refusal);
        QCOMPARE(refusal->type, QByteArray("tokens"));
        QCOMPARE(refusal->retryAfter, 50s); // after the first 60 tokens leave

        const auto tooLarge = window.admit(t0 + 10s, 101);
        QVERIFY(tooLarge);
        QVERIFY(tooLarge->message.contains("Request too large"));

        QVERIFY(!window.admit(t0 + 60s, 50));
        state = window.state(t0 + 66s);
        QCOMPARE(state.remainingTokens, 50);
    }

    void unlimited()
    {
        RateWindow window;
        QVERIFY(!window.isLimited());
        const auto t0 = RateWindow::Clock::time_point(1h);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(!window.admit(t0, 1'000'000));
    }
};

QTEST_GUILESS_MAIN(TestSimRateWindow)
#include "tst_simratewindow.moc"
