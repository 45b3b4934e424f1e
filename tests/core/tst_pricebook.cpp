#include "core/pricebook.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;

namespace {

// A valid table whose one model "m" is `modelJson`.
QByteArray tableWith(const char *modelJson)
{
    return QByteArray(R"({"version": "2026-01-31", "currency": "USD", "models": {"m": )")
        + modelJson + "}}";
}

} // namespace

class TestPriceBook : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinTableLoads()
    {
        const PriceBookLoad loaded = PriceBook::builtin();
        QVERIFY2(loaded.errors.isEmpty(), qPrintable(loaded.errors.join(u'\n')));
        QVERIFY(loaded.book);
        QCOMPARE(loaded.book->version(), u"2026-11-30"_qs);
        QCOMPARE(loaded.book->currency(), u"USD"_qs);
        QCOMPARE(loaded.book->origin(), u":/sluice/prices.json"_qs);
        const QStringList models = loaded.book->models();
        for (const char *name :
            {"gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
                "gpt-4o", "gpt-4o-mini", "o3", "o4-mini", "claude-opus-4-5", "claude-opus-4-1",
                "claude-sonnet-4-5", "claude-haiku-4-5", "sim-small", "sim-large"}) {
            QVERIFY2(models.contains(QString::fromLatin1(name)), name);
        }
        const auto sim = loaded.book->find(u"sim-small"_qs);
        QVERIFY(sim);
        QCOMPARE(sim->prices.base.inputPerMtok, 100'000);
        QCOMPARE(sim->prices.base.outputPerMtok, 400'000);
    }

    void parsesEveryField()
    {
        const PriceBookLoad loaded
            = PriceBook::fromJson(tableWith(R"({"input_per_mtok": 3, "cached_input_per_mtok": 0.3,
                "cache_write_per_mtok": 3.75, "output_per_mtok": 15, "batch_discount": 0.5,
                "notes": "n", "long_context": {"threshold_input_tokens": 200000,
                "input_per_mtok": 6, "output_per_mtok": 22.5}})"),
                u"test"_qs);
        QVERIFY2(loaded.errors.isEmpty(), qPrintable(loaded.errors.join(u'\n')));
        const auto m = loaded.book->find(u"m"_qs);
        QVERIFY(m);
        QCOMPARE(m->prices.base.inputPerMtok, 3'000'000);
        QCOMPARE(m->prices.base.cachedInputPerMtok, std::optional<std::int64_t>(300'000));
        QCOMPARE(m->prices.base.cacheWritePerMtok, std::optional<std::int64_t>(3'750'000));
        QCOMPARE(m->prices.base.outputPerMtok, 15'000'000);
        QCOMPARE(m->prices.batchDiscountPpm, std::optional<std::int64_t>(500'000));
        QVERIFY(m->prices.longContext);
        QCOMPARE(m->prices.longContext->thresholdInputTokens, 200'000);
        QCOMPARE(m->prices.longContext->prices.inputPerMtok, 6'000'000);
        QCOMPARE(m->prices.longContext->prices.outputPerMtok, 22'500'000);
        QVERIFY(!m->prices.longContext->prices.cachedInputPerMtok);
    }

    void optionalFieldsStayAbsent()
    {
        const PriceBookLoad loaded = PriceBook::fromJson(
            tableWith(R"({"input_per_mtok": 0.05, "output_per_mtok": 0.4})"), u"test"_qs);
        QVERIFY(loaded.book);
        const auto m = loaded.book->find(u"m"_qs);
        QCOMPARE(m->prices.base.inputPerMtok, 50'000);
        QVERIFY(!m->prices.base.cachedInputPerMtok);
        QVERIFY(!m->prices.base.cacheWritePerMtok);
        QVERIFY(!m->prices.batchDiscountPpm);
        QVERIFY(!m->prices.longContext);
    }

    void lookup_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("key"); // empty: not found
        QTest::newRow("exact") << u"gpt-5-mini"_qs << u"gpt-5-mini"_qs;
        QTest::newRow("dashed date snapshot") << u"gpt-5-mini-2025-08-07"_qs << u"gpt-5-mini"_qs;
        QTest::newRow("compact date snapshot")
            << u"claude-sonnet-4-5-20250929"_qs << u"claude-sonnet-4-5"_qs;
        QTest::newRow("family with a version digit")
            << u"claude-opus-4-20250514"_qs << u"claude-opus-4"_qs;
        QTest::newRow("longer family wins")
            << u"claude-opus-4-1-20250805"_qs << u"claude-opus-4-1"_qs;
        QTest::newRow("o-series snapshot") << u"o3-2025-04-16"_qs << u"o3"_qs;
        QTest::newRow("another product is not its prefix") << u"o3-pro"_qs << QString();
        QTest::newRow("a newer version is not the old one") << u"claude-opus-4-6"_qs << QString();
        QTest::newRow("mini is not its family") << u"gpt-4o-mini-audio"_qs << QString();
        QTest::newRow("not a date") << u"gpt-5-2025"_qs << QString();
        QTest::newRow("unknown") << u"llama-3"_qs << QString();
        QTest::newRow("empty") << QString() << QString();
    }

    void lookup()
    {
        QFETCH(QString, model);
        QFETCH(QString, key);
        const PriceBookLoad loaded = PriceBook::builtin();
        QVERIFY(loaded.book);
        const auto match = loaded.book->find(model);
        QCOMPARE(match.has_value(), !key.isEmpty());
        if (match)
            QCOMPARE(match->key, key);
    }

    void badTables_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        const QByteArray good = R"("input_per_mtok": 1, "output_per_mtok": 2)";
        QTest::newRow("not JSON") << QByteArray("{\"version\":") << u"/: not JSON: "_qs;
        QTest::newRow("not an object") << QByteArray("[]") << u"/: expected an object"_qs;
        QTest::newRow("version format") << QByteArray(
            R"({"version": "2026/11/30", "currency": "USD", "models": {"m": {)" + good
            + "}}}") << u"/version: expected a date YYYY-MM-DD, got '2026/11/30'"_qs;
        QTest::newRow("version not a date") << QByteArray(
            R"({"version": "2026-02-30", "currency": "USD", "models": {"m": {)" + good
            + "}}}") << u"/version: expected a date YYYY-MM-DD, got '2026-02-30'"_qs;
        QTest::newRow("version type") << QByteArray(
            R"({"version": 20261130, "currency": "USD", "models": {"m": {)" + good + "}}}")
                                      << u"/version: expected a string, got a number"_qs;
        QTest::newRow("missing version")
            << QByteArray(R"({"currency": "USD", "models": {"m": {)" + good + "}}}")
            << u"/version: missing"_qs;
        QTest::newRow("currency format")
            << QByteArray(R"({"version": "2026-01-31", "currency": "usd", "models": {"m": {)" + good
                   + "}}}")
            << u"/currency: expected a three-letter ISO 4217 code such as USD, got 'usd'"_qs;
        QTest::newRow("models type")
            << QByteArray(R"({"version": "2026-01-31", "currency": "USD", "models": []})")
            << u"/models: expected an object, got an array"_qs;
        QTest::newRow("no models")
            << QByteArray(R"({"version": "2026-01-31", "currency": "USD", "models": {}})")
            << u"/models: no models"_qs;
        QTest::newRow("unknown top-level field") << QByteArray(
            R"({"version": "2026-01-31", "currency": "USD", "extra": 1,
                              "models": {"m": {)"
            + good + "}}}") << u"/extra: unknown field"_qs;
        QTest::newRow("model not an object")
            << tableWith("3") << u"/models/m: expected an object, got a number"_qs;
        QTest::newRow("negative price")
            << tableWith(R"({"input_per_mtok": -1, "output_per_mtok": 2})")
            << u"/models/m/input_per_mtok: negative price -1"_qs;
        QTest::newRow("price as a string")
            << tableWith(R"({"input_per_mtok": 1, "output_per_mtok": "2"})")
            << u"/models/m/output_per_mtok: expected a number, got a string"_qs;
        QTest::newRow("missing input price")
            << tableWith(R"({"output_per_mtok": 2})") << u"/models/m/input_per_mtok: missing"_qs;
        QTest::newRow("misspelt field") << tableWith(R"({"input_per_mtok": 1, "output_per_mtok": 2,
                             "cached_input_per_mtoks": 0.1})")
                                        << u"/models/m/cached_input_per_mtoks: unknown field"_qs;
        QTest::newRow("below a micro-unit")
            << tableWith(R"({"input_per_mtok": 0.0000001, "output_per_mtok": 2})")
            << u"/models/m/input_per_mtok: 0.0000001 has more than six decimals"_qs;
        QTest::newRow("huge price")
            << tableWith(R"({"input_per_mtok": 1e7, "output_per_mtok": 2})")
            << u"/models/m/input_per_mtok: price 10000000 is above 1000000 per million tokens"_qs;
        QTest::newRow("batch discount above 1")
            << tableWith(R"({"input_per_mtok": 1, "output_per_mtok": 2, "batch_discount": 1.5})")
            << u"/models/m/batch_discount: expected a fraction from 0 to 1, got 1.5"_qs;
        QTest::newRow("long context not an object")
            << tableWith(R"({"input_per_mtok": 1, "output_per_mtok": 2, "long_context": true})")
            << u"/models/m/long_context: expected an object, got a boolean"_qs;
        QTest::newRow("fractional threshold")
            << tableWith(R"({"input_per_mtok": 1, "output_per_mtok": 2, "long_context":
                             {"threshold_input_tokens": 1.5, "input_per_mtok": 2,
                              "output_per_mtok": 4}})")
            << u"/models/m/long_context/threshold_input_tokens: expected a positive whole "
               "number of tokens, got 1.5"_qs;
        QTest::newRow("long context without output price")
            << tableWith(R"({"input_per_mtok": 1, "output_per_mtok": 2, "long_context":
                             {"threshold_input_tokens": 1000, "input_per_mtok": 2}})")
            << u"/models/m/long_context/output_per_mtok: missing"_qs;
        QTest::newRow("notes not a string")
            << tableWith(R"({"input_per_mtok": 1, "output_per_mtok": 2, "notes": 1})")
            << u"/models/m/notes: expected a string, got a number"_qs;
        QTest::newRow("pointer escaping")
            << QByteArray(R"({"version": "2026-01-31", "currency": "USD",
                              "models": {"vendor/m~1": {"output_per_mtok": 2}}})")
            << u"/models/vendor~1m~01/input_per_mtok: missing"_qs;
    }

    void badTables()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        const PriceBookLoad loaded = PriceBook::fromJson(json, u"test"_qs);
        QVERIFY(!loaded.book);
        QVERIFY2(std::any_of(loaded.errors.begin(), loaded.errors.end(),
                     [&](const QString &e) { return e.startsWith(error); }),
            qPrintable(loaded.errors.join(u'\n')));
    }

    void reportsEveryError()
    {
        const PriceBookLoad loaded = PriceBook::fromJson(
            R"({"version": "soon", "currency": "USD", "models": {
                "a": {"input_per_mtok": -1, "output_per_mtok": 2},
                "b": {"input_per_mtok": 1, "output_per_mtok": null}}})",
            u"test"_qs);
        QVERIFY(!loaded.book);
        QCOMPARE(loaded.errors.size(), 3);
        QVERIFY(loaded.errors.join(u'\n').contains(u"/version"_qs));
        QVERIFY(loaded.errors.join(u'\n').contains(u"/models/a/input_per_mtok"_qs));
        QVERIFY(loaded.errors.join(u'\n').contains(
            u"/models/b/output_per_mtok: expected a number, got null"_qs));
    }

    void userFileReplacesTheDefault()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"prices.json"_qs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(tableWith(R"({"input_per_mtok": 1, "output_per_mtok": 2})"));
        file.close();
        const PriceBookLoad loaded = PriceBook::fromFile(path);
        QVERIFY(loaded.book);
        QCOMPARE(loaded.book->version(), u"2026-01-31"_qs);
        QCOMPARE(loaded.book->origin(), path);
        QCOMPARE(loaded.book->models(), QStringList({u"m"_qs}));
        QVERIFY(!loaded.book->find(u"gpt-5"_qs));
    }

    void unreadableFileNamesThePath()
    {
        const QString path = u"/nonexistent/prices.json"_qs;
        const PriceBookLoad loaded = PriceBook::fromFile(path);
        QVERIFY(!loaded.book);
        QCOMPARE(loaded.errors.size(), 1);
        QVERIFY(loaded.errors.first().startsWith(path + u": cannot read"_qs));
    }
};

QTEST_APPLESS_MAIN(TestPriceBook)
#include "tst_pricebook.moc"
