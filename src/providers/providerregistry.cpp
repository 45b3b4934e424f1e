#include "providers/providerregistry.h"

#include "providers/anthropic.h"
#include "providers/openaichat.h"
#include "providers/openairesponses.h"

namespace sluice {

namespace {

struct Entry
{
    QLatin1StringView id;
    QLatin1StringView displayName;
    std::shared_ptr<const Provider> (*make)(QUrl baseUrl, QByteArray apiKey);
};

template<class Dialect> std::shared_ptr<const Provider> make(QUrl baseUrl, QByteArray apiKey)
{
    return std::make_shared<const Dialect>(std::move(baseUrl), std::move(apiKey));
}

// One line per dialect; the id must equal the dialect's id().
constexpr Entry kEntries[] = {
    {QLatin1StringView("openai-responses"), QLatin1StringView("OpenAI Responses"),
        &make<OpenAiResponsesProvider>},
    {QLatin1StringView("openai-chat"),
        QLatin1StringView(
            "OpenAI Chat Completions (Ollama, llama.cpp, vLLM, LM Studio, OpenRouter)"),
        &make<OpenAiChatProvider>},
    {QLatin1StringView("anthropic"), QLatin1StringView("Anthropic Messages"),
        &make<AnthropicProvider>},
};

} // namespace

const QList<ProviderInfo> &availableProviders()
{
    static const QList<ProviderInfo> providers = [] {
        QList<ProviderInfo> list;
        for (const Entry &entry : kEntries) {
            const QUrl defaultUrl = entry.make(QUrl(), QByteArray())->defaultBaseUrl();
            const std::shared_ptr<const Provider> vendor = entry.make(defaultUrl, QByteArray());
            list.append({entry.id, entry.displayName, defaultUrl, vendor->authStyle(),
                vendor->capabilities()});
        }
        return list;
    }();
    return providers;
}

std::shared_ptr<const Provider> createProvider(QStringView id, QUrl baseUrl, QByteArray apiKey)
{
    for (const Entry &entry : kEntries) {
        if (id != entry.id)
            continue;
        if (baseUrl.isEmpty())
            baseUrl = entry.make(QUrl(), QByteArray())->defaultBaseUrl();
        return entry.make(std::move(baseUrl), std::move(apiKey));
    }
    return nullptr;
}

} // namespace sluice
