#include "core/jsonpointer.h"

namespace sluice {

QString jsonPointerAppend(const QString &pointer, QStringView key)
{
    QString result;
    result.reserve(pointer.size() + key.size() + 1);
    result += pointer;
    result += u'/';
    for (const QChar c : key) {
        if (c == u'~')
            result += u"~0";
        else if (c == u'/')
            result += u"~1";
        else
            result += c;
    }
    return result;
}

QString jsonPointerAppend(const QString &pointer, qsizetype index)
{
    return pointer + u'/' + QString::number(index);
}

std::optional<QStringList> jsonPointerTokens(QStringView pointer)
{
    QStringList tokens;
    if (pointer.isEmpty())
        return tokens;
    if (pointer.front() != u'/')
        return std::nullopt;
    for (const QStringView raw : pointer.mid(1).split(u'/')) {
        QString token;
        token.reserve(raw.size());
        for (qsizetype i = 0; i < raw.size(); ++i) {
            if (raw[i] != u'~') {
                token += raw[i];
                continue;
            }
            if (i + 1 == raw.size() || (raw[i + 1] != u'0' && raw[i + 1] != u'1'))
                return std::nullopt;
            token += raw[++i] == u'0' ? u'~' : u'/';
        }
        tokens.append(token);
    }
    return tokens;
}

} // namespace sluice
