#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace sluice {

/// Prices of one token class tier, in exact integers: micro-units of the
/// table's currency per million tokens (1.25 $/Mtok is 1'250'000). A token
/// class with no price (nullopt) is not guessed from another: a request that
/// uses it has an unknown cost (docs/prices.md, "What unknown means").
struct TierPrices
{
    std::int64_t inputPerMtok = 0;
    std::optional<std::int64_t> cachedInputPerMtok;
    std::optional<std::int64_t> cacheWritePerMtok;
    std::int64_t outputPerMtok = 0;
};

/// One model's entry of the price table.
struct ModelPrices
{
    /// Prices above a prompt size: they replace the base tier whole.
    struct LongContext
    {
        std::int64_t thresholdInputTokens = 0; ///< applies when input + cacheWrite exceeds it
        TierPrices prices;
    };

    TierPrices base;
    /// Parts per million taken off every price for a batch job (0.5 is
    /// 500'000: half price); nullopt means batch jobs are not priced.
    std::optional<std::int64_t> batchDiscountPpm;
    std::optional<LongContext> longContext;
};

struct PriceBookLoad;

/// The price table: versioned prices per model, from the JSON format in
/// docs/prices.md. The default is compiled in (`:/sluice/prices.json`); a user
/// file replaces it whole. Immutable once loaded.
class PriceBook
{
public:
    /// A model's prices and the table key that matched it.
    struct Match
    {
        QString key;
        ModelPrices prices;
    };

    /// Parses and validates a table; `origin` (a path, or the resource) names
    /// it in errors and in `origin()`.
    [[nodiscard]] static PriceBookLoad fromJson(const QByteArray &json, const QString &origin);
    [[nodiscard]] static PriceBookLoad fromFile(const QString &path);
    /// The compiled-in default table.
    [[nodiscard]] static PriceBookLoad builtin();

    /// Exact model name first, else the name without a trailing snapshot date
    /// (`-YYYY-MM-DD` or `-YYYYMMDD`: `gpt-5-mini-2025-08-07` is priced as
    /// `gpt-5-mini`). Never a looser prefix: `o3-pro` is not `o3`.
    [[nodiscard]] std::optional<Match> find(const QString &model) const;

    [[nodiscard]] const QString &version() const { return m_version; }   ///< YYYY-MM-DD
    [[nodiscard]] const QString &currency() const { return m_currency; } ///< ISO 4217 code
    [[nodiscard]] const QString &origin() const { return m_origin; }
    [[nodiscard]] QStringList models() const; ///< table keys, sorted

private:
    PriceBook() = default;

    QString m_version;
    QString m_currency;
    QString m_origin;
    QHash<QString, ModelPrices> m_models;
};

/// A loaded table, or every error found, each naming its JSON pointer path.
struct PriceBookLoad
{
    std::optional<PriceBook> book;
    QStringList errors;
};

} // namespace sluice
