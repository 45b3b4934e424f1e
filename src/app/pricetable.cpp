#include "app/pricetable.h"

#include "core/cost.h"

#include <QSettings>
#include <QUrl>

namespace sluice {

namespace {

QString perMillion(std::int64_t microPerMtok, const QString &currency)
{
    return formatMoney(microPerMtok * 1'000'000, currency);
}

QString orDash(const std::optional<std::int64_t> &microPerMtok, const QString &currency)
{
    return microPerMtok ? perMillion(*microPerMtok, currency) : QStringLiteral("—");
}

} // namespace

PriceTable::PriceTable(QObject *parent) : QAbstractListModel(parent)
{
    const QString saved = QSettings().value(QStringLiteral("prices/file")).toString();
    if (!saved.isEmpty()) {
        PriceBookLoad load = PriceBook::fromFile(saved);
        if (load.book) {
            setBook(std::move(*load.book), false);
            return;
        }
        m_importError = tr("The saved price table %1 could not be read, so the built-in one is "
                           "used: %2")
                            .arg(saved, load.errors.join(u'\n'));
    }
    PriceBookLoad builtin = PriceBook::builtin();
    Q_ASSERT(builtin.book); // compiled in and tested
    setBook(std::move(*builtin.book), true);
}

int PriceTable::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant PriceTable::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case ModelRole:
        return row.model;
    case InputRole:
        return row.input;
    case CachedRole:
        return row.cached;
    case OutputRole:
        return row.output;
    case BatchRole:
        return row.batch;
    default:
        return {};
    }
}

QHash<int, QByteArray> PriceTable::roleNames() const
{
    return {{ModelRole, "modelName"}, {InputRole, "input"}, {CachedRole, "cached"},
        {OutputRole, "output"}, {BatchRole, "batch"}};
}

bool PriceTable::importFile(const QUrl &url)
{
    const QString path = url.isLocalFile() ? url.toLocalFile() : url.toString();
    PriceBookLoad load = PriceBook::fromFile(path);
    if (!load.book) {
        setImportError(tr("%1 was not imported; fix these and import it again:\n%2")
                           .arg(path, load.errors.join(u'\n')));
        return false;
    }
    QSettings().setValue(QStringLiteral("prices/file"), path);
    setImportError({});
    setBook(std::move(*load.book), false);
    return true;
}

void PriceTable::useBuiltin()
{
    QSettings().remove(QStringLiteral("prices/file"));
    setImportError({});
    PriceBookLoad builtin = PriceBook::builtin();
    setBook(std::move(*builtin.book), true);
}

void PriceTable::setBook(PriceBook book, bool builtin)
{
    beginResetModel();
    m_book = std::make_shared<const PriceBook>(std::move(book));
    m_builtin = builtin;
    m_rows.clear();
    const QString &currency = m_book->currency();
    for (const QString &model : m_book->models()) {
        const std::optional<PriceBook::Match> match = m_book->find(model);
        if (!match)
            continue;
        const ModelPrices &prices = match->prices;
        m_rows.append({model, perMillion(prices.base.inputPerMtok, currency),
            orDash(prices.base.cachedInputPerMtok, currency),
            perMillion(prices.base.outputPerMtok, currency),
            prices.batchDiscountPpm ? QStringLiteral("−%1%").arg(*prices.batchDiscountPpm / 10000.0)
                                    : QStringLiteral("—")});
    }
    endResetModel();
    Q_EMIT bookChanged();
}

void PriceTable::setImportError(const QString &error)
{
    if (m_importError == error)
        return;
    m_importError = error;
    Q_EMIT importErrorChanged();
}

} // namespace sluice
