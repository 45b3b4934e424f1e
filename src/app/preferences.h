#pragma once

#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QStringList>
#include <QTranslator>
#include <QVariant>

#include <memory>

namespace sluice {

/// What the user chose for the application itself (QML singleton
/// `Preferences`): the theme, the language, and small view state (window
/// geometry, the last page) kept in QSettings ("Sluice"/"Sluice").
///
/// The language is applied with a QTranslator loaded from
/// `:/i18n/sluice_<code>.qm` and the QML engine's retranslate(), so every
/// qsTr() string changes at once.
class Preferences : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    /// "system" (follow the desktop), "light" or "dark".
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    /// A code from `languages` ("" = the system's language).
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
    /// [{code, name}], the source language first.
    Q_PROPERTY(QVariantList languages READ languages CONSTANT)

public:
    /// `engine` (may be null) is retranslated when the language changes.
    explicit Preferences(QQmlEngine *engine, QObject *parent = nullptr);
    ~Preferences() override;
    /// The QML singleton's factory (Qt 6.4 prefers a default constructor,
    /// so there is none).
    static Preferences *create(QQmlEngine *engine, QJSEngine *);

    [[nodiscard]] QString theme() const { return m_theme; }
    void setTheme(const QString &theme);
    [[nodiscard]] QString language() const { return m_language; }
    void setLanguage(const QString &code);
    [[nodiscard]] QVariantList languages() const;

    /// View state by key ("window/width", "shell/page"), `fallback` when unset.
    [[nodiscard]] Q_INVOKABLE QVariant value(const QString &key, const QVariant &fallback) const;
    Q_INVOKABLE void setValue(const QString &key, const QVariant &value);

Q_SIGNALS:
    void themeChanged();
    void languageChanged();

private:
    /// Installs the translator of `code` (or of the system locale for "").
    void applyLanguage();

    QString m_theme;
    QString m_language;
    std::unique_ptr<QTranslator> m_translator;
    QPointer<QQmlEngine> m_engine;
};

} // namespace sluice
