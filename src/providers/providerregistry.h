#pragma once

#include "providers/provider.h"

#include <QList>

#include <memory>

namespace sluice {

/// What the UI's picker shows of one dialect.
struct ProviderInfo
{
    QString id;          ///< `openai-responses`, `openai-chat`, `anthropic`
    QString displayName; ///< a product name, not translated
    QUrl defaultBaseUrl;
    AuthStyle authStyle = AuthStyle::Bearer;
    ProviderCapabilities capabilities; ///< against the vendor's own endpoint
};

/// Every dialect, in the picker's order. A new dialect is its own file pair
/// plus one line in the table of providerregistry.cpp.
[[nodiscard]] const QList<ProviderInfo> &availableProviders();

/// A provider of dialect `id` at `baseUrl` (empty: the vendor's endpoint)
/// with `apiKey` (empty: no auth header, e.g. for the simulator), with the
/// dialect's default options; nullptr for an unknown id. Options beyond
/// these (OpenAiChatProvider::TokenLimitField,
/// AnthropicProvider::StructuredOutput) are set by constructing the dialect.
[[nodiscard]] std::shared_ptr<const Provider> createProvider(
    QStringView id, QUrl baseUrl, QByteArray apiKey);

} // namespace sluice
