#pragma once

#include "core/pricebook.h"

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QStringList>

#include <memory>

namespace sluice {

/// The price table as Settings shows it: one row per model with its prices
/// per million tokens (input, cached input, output) and the batch discount,
/// formatted in the table's currency. The built-in table by default; a user
/// file (docs/prices.md format) replaces it whole, and is remembered in
/// QSettings ("prices/file") for the next start.
class PriceTable : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Workbench.prices is the one table")

    Q_PROPERTY(int count READ rowCount NOTIFY bookChanged)
    Q_PROPERTY(QString version READ version NOTIFY bookChanged)
    Q_PROPERTY(QString origin READ origin NOTIFY bookChanged)
    Q_PROPERTY(bool builtin READ builtin NOTIFY bookChanged)
    Q_PROPERTY(QString importError READ importError NOTIFY importErrorChanged)

public:
    enum Role {
        ModelRole = Qt::UserRole + 1,
        InputRole,
        CachedRole,
        OutputRole,
        BatchRole,
    };

    /// Loads the file remembered in QSettings, else the built-in table.
    explicit PriceTable(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] std::shared_ptr<const PriceBook> book() const { return m_book; }
    [[nodiscard]] QString version() const { return m_book->version(); }
    [[nodiscard]] QString origin() const { return m_book->origin(); }
    [[nodiscard]] bool builtin() const { return m_builtin; }
    /// Why the last import failed (every problem, one per line); empty after a success.
    [[nodiscard]] QString importError() const { return m_importError; }

    /// Replaces the table with the file at `url` (a local file URL or path).
    /// On failure the current table stays and importError says why.
    Q_INVOKABLE bool importFile(const QUrl &url);
    /// Goes back to the built-in table.
    Q_INVOKABLE void useBuiltin();

Q_SIGNALS:
    void bookChanged();
    void importErrorChanged();

private:
    struct Row
    {
        QString model;
        QString input;
        QString cached;
        QString output;
        QString batch;
    };

    void setBook(PriceBook book, bool builtin);
    void setImportError(const QString &error);

    std::shared_ptr<const PriceBook> m_book;
    bool m_builtin = true;
    QList<Row> m_rows;
    QString m_importError;
};

} // namespace sluice
