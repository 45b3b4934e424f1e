#include "app/preferences.h"

#include <QCoreApplication>
#include <QLocale>
#include <QSettings>

namespace sluice {

namespace {

const QStringList &themes()
{
    static const QStringList names {
        QStringLiteral("system"), QStringLiteral("light"), QStringLiteral("dark")};
    return names;
}

struct Language
{
    const char *code;
    const char *name; ///< in the language itself, not translated
};

// English is the source language (no file); every other one ships a .qm.
constexpr Language kLanguages[] = {{"en", "English"}, {"de", "Deutsch"}};

bool isKnownLanguage(const QString &code)
{
    if (code.isEmpty())
        return true;
    for (const Language &language : kLanguages) {
        if (code == QLatin1StringView(language.code))
            return true;
    }
    return false;
}

} // namespace

Preferences::Preferences(QQmlEngine *engine, QObject *parent) : QObject(parent), m_engine(engine)
{
    QSettings settings;
    m_theme = settings.value(QStringLiteral("ui/theme"), QStringLiteral("system")).toString();
    if (!themes().contains(m_theme))
        m_theme = QStringLiteral("system");
    m_language = settings.value(QStringLiteral("ui/language")).toString();
    if (!isKnownLanguage(m_language))
        m_language.clear();
    applyLanguage();
}

Preferences::~Preferences()
{
    if (m_translator)
        QCoreApplication::removeTranslator(m_translator.get());
}

Preferences *Preferences::create(QQmlEngine *engine, QJSEngine *)
{
    return new Preferences(engine);
}

void Preferences::setTheme(const QString &theme)
{
    if (m_theme == theme || !themes().contains(theme))
        return;
    m_theme = theme;
    QSettings().setValue(QStringLiteral("ui/theme"), theme);
    Q_EMIT themeChanged();
}

void Preferences::setLanguage(const QString &code)
{
    if (m_language == code || !isKnownLanguage(code))
        return;
    m_language = code;
    QSettings().setValue(QStringLiteral("ui/language"), code);
    applyLanguage();
    if (m_engine)
        m_engine->retranslate();
    Q_EMIT languageChanged();
}

QVariantList Preferences::languages() const
{
    QVariantList list;
    for (const Language &language : kLanguages) {
        list.append(QVariantMap {{QStringLiteral("code"), QString::fromLatin1(language.code)},
            {QStringLiteral("name"), QString::fromUtf8(language.name)}});
    }
    return list;
}

void Preferences::applyLanguage()
{
    if (m_translator) {
        QCoreApplication::removeTranslator(m_translator.get());
        m_translator.reset();
    }
    const QLocale locale = m_language.isEmpty() ? QLocale::system() : QLocale(m_language);
    auto translator = std::make_unique<QTranslator>();
    // English needs no file; a language without one falls back to English.
    if (translator->load(
            locale, QStringLiteral("sluice"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(translator.get());
        m_translator = std::move(translator);
    }
}

QVariant Preferences::value(const QString &key, const QVariant &fallback) const
{
    return QSettings().value(key, fallback);
}

void Preferences::setValue(const QString &key, const QVariant &value)
{
    QSettings().setValue(key, value);
}

} // namespace sluice
