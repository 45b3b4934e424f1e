#include "core/pricebook.h"

#include <QDate>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace sluice {

namespace {

// Bounds every price so that tokens * price stays far inside 64 bits.
constexpr double kMaxPricePerMtok = 1'000'000.0;
constexpr double kMicro = 1'000'000.0;

// Numbers in messages as written: 0.0000001, 1.5, 10000000.
QString show(double value)
{
    return QString::number(value, 'f', QLocale::FloatingPointShortest);
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// One JSON pointer reference token (RFC 6901).
QString pointerToken(QString key)
{
    return QLatin1Char('/')
        + key.replace(QLatin1Char('~'), QLatin1String("~0"))
              .replace(QLatin1Char('/'), QLatin1String("~1"));
}

// Reads a table, collecting every error with the JSON pointer of its value.
class TableReader
{
public:
    QStringList errors;

    void fail(const QString &path, const QString &what)
    {
        errors.append(
            QStringLiteral("%1: %2").arg(path.isEmpty() ? QStringLiteral("/") : path, what));
    }

    // Every key of `object` must be one of `known`: a misspelt price must not
    // pass as an absent one.
    void checkKeys(const QJsonObject &object, const QString &path,
        std::initializer_list<QLatin1StringView> known)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (std::find(known.begin(), known.end(), it.key()) == known.end())
                fail(path + pointerToken(it.key()), QStringLiteral("unknown field"));
        }
    }

    std::optional<QJsonValue> field(
        const QJsonObject &object, QLatin1StringView key, const QString &path, bool required)
    {
        const auto found = object.constFind(key);
        if (found == object.constEnd()) {
            if (required)
                fail(path + pointerToken(key), QStringLiteral("missing"));
            return std::nullopt;
        }
        return found.value();
    }

    std::optional<double> number(const QJsonValue &value, const QString &path)
    {
        if (!value.isDouble()) {
            fail(path, QStringLiteral("expected a number, got %1").arg(typeName(value)));
            return std::nullopt;
        }
        return value.toDouble();
    }

    // A price per million tokens, as exact micro-units.
    std::optional<std::int64_t> price(
        const QJsonObject &object, QLatin1StringView key, const QString &objectPath, bool required)
    {
        const QString path = objectPath + pointerToken(key);
        const auto value = field(object, key, objectPath, required);
        if (!value)
            return std::nullopt;
        const auto amount = number(*value, path);
        if (!amount)
            return std::nullopt;
        if (*amount < 0) {
            fail(path, QStringLiteral("negative price %1").arg(show(*amount)));
            return std::nullopt;
        }
        if (*amount > kMaxPricePerMtok) {
            fail(path,
                QStringLiteral("price %1 is above %2 per million tokens")
                    .arg(show(*amount), show(kMaxPricePerMtok)));
            return std::nullopt;
        }
        return micro(*amount, path);
    }

    // A value with at most six decimals, as an exact count of millionths.
    std::optional<std::int64_t> micro(double amount, const QString &path)
    {
        const double scaled = amount * kMicro;
        const double rounded = std::round(scaled);
        if (std::abs(scaled - rounded) > 1e-6 * std::max(1.0, rounded)) {
            fail(path, QStringLiteral("%1 has more than six decimals").arg(show(amount)));
            return std::nullopt;
        }
        return std::int64_t(rounded);
    }

    std::optional<TierPrices> tier(const QJsonObject &object, const QString &path)
    {
        const auto input = price(object, QLatin1StringView("input_per_mtok"), path, true);
        const auto output = price(object, QLatin1StringView("output_per_mtok"), path, true);
        TierPrices prices;
        prices.cachedInputPerMtok
            = price(object, QLatin1StringView("cached_input_per_mtok"), path, false);
        prices.cacheWritePerMtok
            = price(object, QLatin1StringView("cache_write_per_mtok"), path, false);
        if (!input || !output)
            return std::nullopt;
        prices.inputPerMtok = *input;
        prices.outputPerMtok = *output;
        return prices;
    }

    std::optional<ModelPrices::LongContext> longContext(
        const QJsonValue &value, const QString &path)
    {
        if (!value.isObject()) {
            fail(path, QStringLiteral("expected an object, got %1").arg(typeName(value)));
            return std::nullopt;
        }
        const QJsonObject object = value.toObject();
        checkKeys(object, path,
            {QLatin1StringView("threshold_input_tokens"), QLatin1StringView("input_per_mtok"),
                QLatin1StringView("cached_input_per_mtok"),
                QLatin1StringView("cache_write_per_mtok"), QLatin1StringView("output_per_mtok")});
        ModelPrices::LongContext result;
        const QLatin1StringView thresholdKey("threshold_input_tokens");
        const QString thresholdPath = path + pointerToken(thresholdKey);
        bool thresholdOk = false;
        if (const auto threshold = field(object, thresholdKey, path, true)) {
            if (const auto count = number(*threshold, thresholdPath)) {
                if (*count < 1 || *count > 1e15 || std::floor(*count) != *count) {
                    fail(thresholdPath,
                        QStringLiteral("expected a positive whole number of tokens, got %1")
                            .arg(show(*count)));
                } else {
                    result.thresholdInputTokens = std::int64_t(*count);
                    thresholdOk = true;
                }
            }
        }
        const auto prices = tier(object, path);
        if (!prices || !thresholdOk)
            return std::nullopt;
        result.prices = *prices;
        return result;
    }

    std::optional<ModelPrices> model(const QJsonValue &value, const QString &path)
    {
        if (!value.isObject()) {
            fail(path, QStringLiteral("expected an object, got %1").arg(typeName(value)));
            return std::nullopt;
        }
        const QJsonObject object = value.toObject();
        checkKeys(object, path,
            {QLatin1StringView("input_per_mtok"), QLatin1StringView("cached_input_per_mtok"),
                QLatin1StringView("cache_write_per_mtok"), QLatin1StringView("output_per_mtok"),
                QLatin1StringView("batch_discount"), QLatin1StringView("long_context"),
                QLatin1StringView("notes")});
        checkNotes(object, path);
        ModelPrices result;
        bool ok = true;
        if (const auto prices = tier(object, path))
            result.base = *prices;
        else
            ok = false;
        const QLatin1StringView batchKey("batch_discount");
        if (const auto discount = field(object, batchKey, path, false)) {
            const QString batchPath = path + pointerToken(batchKey);
            const auto fraction = number(*discount, batchPath);
            if (fraction && (*fraction < 0 || *fraction > 1)) {
                fail(batchPath,
                    QStringLiteral("expected a fraction from 0 to 1, got %1").arg(show(*fraction)));
                ok = false;
            } else if (fraction) {
                result.batchDiscountPpm = micro(*fraction, batchPath);
                ok = ok && result.batchDiscountPpm.has_value();
            } else {
                ok = false;
            }
        }
        const QLatin1StringView longKey("long_context");
        if (const auto longValue = field(object, longKey, path, false)) {
            result.longContext = longContext(*longValue, path + pointerToken(longKey));
            ok = ok && result.longContext.has_value();
        }
        if (!ok)
            return std::nullopt;
        return result;
    }

    void checkNotes(const QJsonObject &object, const QString &path)
    {
        const QLatin1StringView key("notes");
        if (object.contains(key) && !object.value(key).isString()) {
            fail(path + pointerToken(key),
                QStringLiteral("expected a string, got %1").arg(typeName(object.value(key))));
        }
    }

    std::optional<QString> text(const QJsonObject &object, QLatin1StringView key)
    {
        const auto value = field(object, key, QString(), true);
        if (!value)
            return std::nullopt;
        if (!value->isString()) {
            fail(pointerToken(key),
                QStringLiteral("expected a string, got %1").arg(typeName(*value)));
            return std::nullopt;
        }
        return value->toString();
    }
};

// A snapshot date at the end of a model name: -2025-08-07 or -20250929.
const QRegularExpression &snapshotSuffix()
{
    static const QRegularExpression pattern(QStringLiteral("-(\\d{4}-\\d{2}-\\d{2}|\\d{8})$"));
    return pattern;
}

} // namespace

PriceBookLoad PriceBook::fromJson(const QByteArray &json, const QString &origin)
{
    PriceBookLoad loaded;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        loaded.errors.append(QStringLiteral("/: not JSON: %1 at byte %2")
                                 .arg(parseError.errorString())
                                 .arg(parseError.offset));
        return loaded;
    }
    if (!document.isObject()) {
        loaded.errors.append(QStringLiteral("/: expected an object"));
        return loaded;
    }
    const QJsonObject root = document.object();
    TableReader reader;
    reader.checkKeys(root, QString(),
        {QLatin1StringView("version"), QLatin1StringView("currency"), QLatin1StringView("models"),
            QLatin1StringView("notes")});
    reader.checkNotes(root, QString());

    PriceBook book;
    book.m_origin = origin;
    if (const auto version = reader.text(root, QLatin1StringView("version"))) {
        static const QRegularExpression shape(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
        if (!shape.match(*version).hasMatch()
            || !QDate::fromString(*version, Qt::ISODate).isValid()) {
            reader.fail(QStringLiteral("/version"),
                QStringLiteral("expected a date YYYY-MM-DD, got '%1'").arg(*version));
        }
        book.m_version = *version;
    }
    if (const auto currency = reader.text(root, QLatin1StringView("currency"))) {
        static const QRegularExpression code(QStringLiteral("^[A-Z]{3}$"));
        if (!code.match(*currency).hasMatch()) {
            reader.fail(QStringLiteral("/currency"),
                QStringLiteral("expected a three-letter ISO 4217 code such as USD, got '%1'")
                    .arg(*currency));
        }
        book.m_currency = *currency;
    }
    if (const auto models = reader.field(root, QLatin1StringView("models"), QString(), true)) {
        if (!models->isObject()) {
            reader.fail(QStringLiteral("/models"),
                QStringLiteral("expected an object, got %1").arg(typeName(*models)));
        } else if (models->toObject().isEmpty()) {
            reader.fail(QStringLiteral("/models"), QStringLiteral("no models"));
        } else {
            const QJsonObject table = models->toObject();
            for (auto it = table.begin(); it != table.end(); ++it) {
                const QString path = QStringLiteral("/models") + pointerToken(it.key());
                if (it.key().trimmed().isEmpty()) {
                    reader.fail(path, QStringLiteral("empty model name"));
                    continue;
                }
                if (const auto prices = reader.model(it.value(), path))
                    book.m_models.insert(it.key(), *prices);
            }
        }
    }
    if (reader.errors.isEmpty())
        loaded.book = std::move(book);
    loaded.errors = reader.errors;
    return loaded;
}

PriceBookLoad PriceBook::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        PriceBookLoad loaded;
        loaded.errors.append(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
        return loaded;
    }
    return fromJson(file.readAll(), path);
}

PriceBookLoad PriceBook::builtin()
{
    return fromFile(QStringLiteral(":/sluice/prices.json"));
}

std::optional<PriceBook::Match> PriceBook::find(const QString &model) const
{
    auto found = m_models.constFind(model);
    if (found == m_models.cend()) {
        const QRegularExpressionMatch snapshot = snapshotSuffix().match(model);
        if (!snapshot.hasMatch())
            return std::nullopt;
        found = m_models.constFind(model.left(snapshot.capturedStart()));
        if (found == m_models.cend())
            return std::nullopt;
    }
    return Match {found.key(), found.value()};
}

QStringList PriceBook::models() const
{
    QStringList keys = m_models.keys();
    keys.sort();
    return keys;
}

} // namespace sluice
