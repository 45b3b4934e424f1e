#include "sim/schemautil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>

#include <cmath>

namespace sluice::sim {

using namespace Qt::StringLiterals;

std::optional<Decimal> exactDecimal(double value)
{
    if (!std::isfinite(value))
        return std::nullopt;
    QString text = QString::number(std::fabs(value), 'g', QLocale::FloatingPointShortest);
    if (text.contains(u'e'))
        text = QString::number(std::fabs(value), 'f', 15);
    int decimals = 0;
    const qsizetype dot = text.indexOf(u'.');
    if (dot >= 0) {
        while (text.endsWith(u'0'))
            text.chop(1);
        decimals = int(text.size() - dot - 1);
        text.remove(dot, 1);
    }
    bool ok = false;
    const qint64 units = text.toLongLong(&ok);
    if (!ok || decimals > 15)
        return std::nullopt;
    return Decimal {value < 0 ? -units : units, decimals};
}

double decimalValue(qint64 units, int decimals)
{
    if (decimals == 0)
        return double(units);
    QString digits = QString::number(qAbs(units)).rightJustified(decimals + 1, u'0');
    digits.insert(digits.size() - decimals, u'.');
    return (units < 0 ? -1 : 1) * digits.toDouble();
}

qint64 power10(int exponent)
{
    qint64 result = 1;
    for (int i = 0; i < exponent; ++i)
        result *= 10;
    return result;
}

bool isDecimalMultiple(double value, double step)
{
    const auto v = exactDecimal(value);
    const auto s = exactDecimal(step);
    if (!v || !s || s->units <= 0) {
        // Beyond exact decimals: the quotient in doubles (1e308 / 0.1 is inf).
        const double quotient = value / step;
        if (!std::isfinite(quotient) || !(step > 0))
            return false;
        return quotient == std::floor(quotient);
    }
    const int decimals = qMax(v->decimals, s->decimals);
    qint64 scaledValue = 0;
    qint64 scaledStep = 0;
    if (qMulOverflow(v->units, power10(decimals - v->decimals), &scaledValue)
        || qMulOverflow(s->units, power10(decimals - s->decimals), &scaledStep))
        return std::fmod(value, step) == 0;
    return scaledValue % scaledStep == 0;
}

QStringList typeList(const QJsonValue &type)
{
    if (type.isString())
        return {type.toString()};
    QStringList types;
    for (const QJsonValue &entry : type.toArray())
        types.append(entry.toString());
    return types;
}

bool isType(const QJsonValue &value, const QString &type)
{
    if (type == u"null")
        return value.isNull();
    if (type == u"boolean")
        return value.isBool();
    if (type == u"string")
        return value.isString();
    if (type == u"object")
        return value.isObject();
    if (type == u"array")
        return value.isArray();
    if (type == u"number")
        return value.isDouble();
    if (type == u"integer")
        return value.isDouble() && std::isfinite(value.toDouble())
            && value.toDouble() == std::floor(value.toDouble());
    return false;
}

QString pcrePattern(const QString &pattern)
{
    QString result;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        if (pattern.at(i) != u'\\' || i + 1 >= pattern.size()) {
            result += pattern.at(i);
            continue;
        }
        const QString hex = pattern.mid(i + 2, 4);
        bool isHex = false;
        if (pattern.at(i + 1) == u'u' && hex.size() == 4)
            static_cast<void>(hex.toUInt(&isHex, 16));
        if (isHex) {
            result += u"\\x{"_s + hex + u'}';
            i += 5;
        } else {
            result += pattern.mid(i, 2);
            ++i;
        }
    }
    return result;
}

QJsonValue resolveReference(const QJsonValue &root, const QString &reference)
{
    if (!reference.startsWith(u'#'))
        return QJsonObject(); // remote or $id-based: unsupported, anything goes
    QJsonValue node = root;
    const QStringList tokens = reference.mid(1).split(u'/');
    for (qsizetype i = 1; i < tokens.size(); ++i) {
        QString token = QUrl::fromPercentEncoding(tokens.at(i).toUtf8());
        token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        if (node.isObject()) {
            node = node.toObject().value(token);
        } else if (node.isArray()) {
            bool ok = false;
            const int index = token.toInt(&ok);
            node = ok ? node.toArray().at(index) : QJsonValue(QJsonValue::Undefined);
        } else {
            return QJsonObject();
        }
    }
    return node.isUndefined() ? QJsonValue(QJsonObject()) : node;
}

} // namespace sluice::sim
