#include "core/prompttemplate.h"

#include <QTest>

using namespace sluice;

class TestPromptTemplate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void variablesInOrderOfFirstAppearance()
    {
        const PromptTemplate t(u"{{b}} and {{ a }} then {{b}} and {{\tc.d-e_f }}"_qs);
        QVERIFY(t.isValid());
        QCOMPARE(t.variables(), QStringList({u"b"_qs, u"a"_qs, u"c.d-e_f"_qs}));
    }

    void rendersValues()
    {
        const PromptTemplate t(u"Weather in {{ city }}, {{country}}? ({{city}})"_qs);
        const RenderResult r = t.render(
            QHash<QString, QString> {{u"city"_qs, u"Lyon"_qs}, {u"country"_qs, u"FR"_qs}});
        QVERIFY(r.ok());
        QCOMPARE(r.text, u"Weather in Lyon, FR? (Lyon)"_qs);
        QVERIFY(r.warnings.isEmpty());
    }

    void textWithoutVariables()
    {
        const PromptTemplate t(u"No variables: {\"a\": {\"b\": 1}} and } and }}"_qs);
        QVERIFY(t.isValid());
        QVERIFY(t.variables().isEmpty());
        QCOMPARE(t.render(QHash<QString, QString>()).text, t.source());
        QCOMPARE(PromptTemplate().render(QHash<QString, QString>()).text, QString());
    }

    void everyMissingVariableIsNamed()
    {
        const PromptTemplate t(u"{{city}} {{ country }} {{known}} {{city}}"_qs);
        const RenderResult r = t.render(QHash<QString, QString> {{u"known"_qs, u"x"_qs}});
        QVERIFY(!r.ok());
        QCOMPARE(r.errors,
            QStringList({u"missing variable 'city' (used in prompt)"_qs,
                u"missing variable 'country' (used in prompt)"_qs}));
        QVERIFY(r.text.isEmpty());
    }

    void instructionsNameTheirRole()
    {
        const PromptTemplate t(u"You answer in {{language}}."_qs, u"instructions"_qs);
        const RenderResult r = t.render(QHash<QString, QString>());
        QCOMPARE(r.errors, QStringList({u"missing variable 'language' (used in instructions)"_qs}));
    }

    void unusedValuesAreWarnings()
    {
        const PromptTemplate t(u"Hi {{name}}"_qs);
        const RenderResult r = t.render(QHash<QString, QString> {
            {u"name"_qs, u"Ada"_qs}, {u"zeta"_qs, u"1"_qs}, {u"alpha"_qs, u"2"_qs}});
        QVERIFY(r.ok());
        QCOMPARE(r.text, u"Hi Ada"_qs);
        QCOMPARE(r.warnings,
            QStringList({u"unused variable 'alpha' (not used in prompt)"_qs,
                u"unused variable 'zeta' (not used in prompt)"_qs}));
    }

    void unusedAcrossPromptAndInstructions()
    {
        const PromptTemplate prompt(u"{{question}}"_qs);
        const PromptTemplate instructions(u"Answer in {{language}}."_qs, u"instructions"_qs);
        const QHash<QString, QString> values {
            {u"question"_qs, u"Why?"_qs}, {u"language"_qs, u"French"_qs}, {u"id"_qs, u"7"_qs}};
        QCOMPARE(PromptTemplate::unusedVariables(values, {&prompt, &instructions}),
            QStringList({u"unused variable 'id' (not used in prompt or instructions)"_qs}));
    }

    void rendersThroughLookup()
    {
        const PromptTemplate t(u"{{a}}-{{b}}-{{a}}"_qs);
        int calls = 0;
        const RenderResult r = t.render([&](const QString &name) -> std::optional<QString> {
            ++calls;
            if (name == u"a"_qs)
                return u"1"_qs;
            return std::nullopt;
        });
        QCOMPARE(calls, 2); // each variable looked up once
        QCOMPARE(r.errors, QStringList({u"missing variable 'b' (used in prompt)"_qs}));
        const RenderResult full = t.render(
            [](const QString &name) -> std::optional<QString> { return name.toUpper(); });
        QCOMPARE(full.text, u"A-B-A"_qs);
    }

    void escapes_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("rendered");
        QTest::newRow("literal double brace") << u"{{{{v}}"_qs << u"{{v}}"_qs;
        QTest::newRow("brace then variable") << u"{{{v}}}"_qs << u"{X}"_qs;
        QTest::newRow("two literal pairs") << u"{{{{{{{{"_qs << u"{{{{"_qs;
        QTest::newRow("literal pair then variable") << u"{{{{{{v}}"_qs << u"{{X"_qs;
        QTest::newRow("single braces") << u"{v} {"_qs << u"{v} {"_qs;
        QTest::newRow("closing braces alone") << u"}} {{v}}}}"_qs << u"}} X}}"_qs;
    }

    void escapes()
    {
        QFETCH(QString, source);
        QFETCH(QString, rendered);
        const PromptTemplate t(source);
        QVERIFY2(t.isValid(), qPrintable(t.error() ? t.error()->message : QString()));
        const RenderResult r = t.render(QHash<QString, QString> {{u"v"_qs, u"X"_qs}});
        QVERIFY(r.errors.isEmpty());
        QCOMPARE(r.text, rendered);
    }

    void templateErrors_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<qsizetype>("position");
        QTest::addColumn<QString>("message");
        QTest::newRow("unterminated") << u"Hello\n  {{name"_qs << qsizetype(8)
                                      << u"unterminated '{{' in prompt at line 2, column 3"_qs;
        QTest::newRow("unterminated after a good one")
            << u"{{a}} {{b} }"_qs << qsizetype(6)
            << u"unterminated '{{' in prompt at line 1, column 7"_qs;
        QTest::newRow("empty") << u"x {{ }}"_qs << qsizetype(2)
                               << u"empty variable '{{}}' in prompt at line 1, column 3"_qs;
        QTest::newRow("digit first") << u"{{1abc}}"_qs << qsizetype(0)
                                     << u"invalid variable name '1abc' in prompt at line 1, "
                                        "column 1"_qs;
        QTest::newRow("space inside") << u"{{a b}}"_qs << qsizetype(0)
                                      << u"invalid variable name 'a b' in prompt at line 1, "
                                         "column 1"_qs;
        QTest::newRow("nested opening") << u"{{ a {{b}}"_qs << qsizetype(0)
                                        << u"invalid variable name 'a {{b' in prompt at line 1, "
                                           "column 1"_qs;
    }

    void templateErrors()
    {
        QFETCH(QString, source);
        QFETCH(qsizetype, position);
        QFETCH(QString, message);
        const PromptTemplate t(source);
        QVERIFY(!t.isValid());
        QCOMPARE(t.error()->position, position);
        QCOMPARE(t.error()->message, message);
        QVERIFY(t.variables().isEmpty());
        const RenderResult r = t.render(QHash<QString, QString>());
        QCOMPARE(r.errors, QStringList({message}));
        QVERIFY(r.text.isEmpty());
    }

    void rendersManyRowsIndependently()
    {
        const PromptTemplate t(u"Row {{i}}: {{text}}."_qs);
        for (int i = 0; i < 1000; ++i) {
            const QString n = QString::number(i);
            const RenderResult r
                = t.render(QHash<QString, QString> {{u"i"_qs, n}, {u"text"_qs, n + n}});
            QCOMPARE(r.text, u"Row %1: %1%1."_qs.arg(n));
        }
    }
};

QTEST_APPLESS_MAIN(TestPromptTemplate)
#include "tst_prompttemplate.moc"
