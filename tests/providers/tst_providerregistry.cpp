#include "providers/providerregistry.h"

#include <QTest>

using namespace sluice;

namespace {

QByteArray headerOf(const HttpRequest &request, QByteArrayView name)
{
    for (const auto &[key, value] : request.headers) {
        if (name.compare(key, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace

class TestProviderRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsEveryDialectInOrder()
    {
        QStringList ids;
        for (const ProviderInfo &info : availableProviders())
            ids.append(info.id);
        QCOMPARE(ids, QStringList({u"openai-responses"_qs, u"openai-chat"_qs, u"anthropic"_qs}));
    }

    void entriesDescribeTheProviderTheyMake_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < availableProviders().size(); ++i)
            QTest::newRow(qPrintable(availableProviders()[i].id)) << i;
    }

    void entriesDescribeTheProviderTheyMake()
    {
        QFETCH(int, index);
        const ProviderInfo &info = availableProviders()[index];
        QVERIFY(!info.displayName.isEmpty());
        const std::shared_ptr<const Provider> provider = createProvider(info.id, {}, "key");
        QVERIFY(provider);
        QCOMPARE(provider->id(), info.id);
        QCOMPARE(provider->defaultBaseUrl(), info.defaultBaseUrl);
        QCOMPARE(provider->authStyle(), info.authStyle);
        QCOMPARE(provider->capabilities().streaming, info.capabilities.streaming);
        QCOMPARE(provider->capabilities().batchApi, info.capabilities.batchApi);
        QVERIFY(info.capabilities.streaming);

        // An empty base URL is the vendor's endpoint.
        const HttpRequest http = provider->encode(GenerationRequest {});
        QCOMPARE(http.url.host(), info.defaultBaseUrl.host());
        QVERIFY(http.url.path().startsWith(info.defaultBaseUrl.path() + u'/'));
        // The key travels in the dialect's style.
        if (info.authStyle == AuthStyle::Bearer) {
            QCOMPARE(headerOf(http, "Authorization"), QByteArray("Bearer key"));
        } else {
            QCOMPARE(headerOf(http, "x-api-key"), QByteArray("key"));
            QCOMPARE(headerOf(http, "anthropic-version"), QByteArray("2023-06-01"));
            QVERIFY(headerOf(http, "Authorization").isEmpty());
        }
    }

    void anotherBaseUrlIsKept()
    {
        const std::shared_ptr<const Provider> chat
            = createProvider(u"openai-chat", QUrl(u"http://localhost:11434/v1/"_qs), {});
        QVERIFY(chat);
        const HttpRequest http = chat->encode(GenerationRequest {});
        QCOMPARE(http.url.toString(), u"http://localhost:11434/v1/chat/completions"_qs);
        QVERIFY(headerOf(http, "Authorization").isEmpty());
        QVERIFY(chat->supportsModel(u"llama3.2"));
    }

    void unknownIdMakesNothing()
    {
        QVERIFY(!createProvider(u"openai", {}, {}));
        QVERIFY(!createProvider(u"", {}, {}));
    }
};

QTEST_APPLESS_MAIN(TestProviderRegistry)
#include "tst_providerregistry.moc"
