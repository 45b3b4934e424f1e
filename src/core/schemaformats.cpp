#include "core/schemaformats.h"

#include <array>

namespace sluice {

namespace {

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isAlpha(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

bool isHex(QChar c)
{
    return isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

// Reads exactly `width` ASCII digits at `pos`; -1 when they are not there.
int fixedNumber(QStringView text, qsizetype pos, int width)
{
    if (pos + width > text.size())
        return -1;
    int value = 0;
    for (int i = 0; i < width; ++i) {
        const QChar c = text[pos + i];
        if (!isDigit(c))
            return -1;
        value = value * 10 + (c.unicode() - u'0');
    }
    return value;
}

bool isLeapYear(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool isDate(QStringView text)
{
    if (text.size() != 10 || text[4] != u'-' || text[7] != u'-')
        return false;
    const int year = fixedNumber(text, 0, 4);
    const int month = fixedNumber(text, 5, 2);
    const int day = fixedNumber(text, 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1)
        return false;
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int last = month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
    return day <= last;
}

bool isTime(QStringView text)
{
    if (text.size() < 9 || text[2] != u':' || text[5] != u':')
        return false;
    const int hour = fixedNumber(text, 0, 2);
    const int minute = fixedNumber(text, 3, 2);
    const int second = fixedNumber(text, 6, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
        return false;
    qsizetype pos = 8;
    if (pos < text.size() && text[pos] == u'.') {
        const qsizetype start = ++pos;
        while (pos < text.size() && isDigit(text[pos]))
            ++pos;
        if (pos == start)
            return false;
    }
    int offset = 0; // minutes east of UTC
    const QStringView zone = text.mid(pos);
    if (zone == u"Z" || zone == u"z") {
        offset = 0;
    } else {
        if (zone.size() != 6 || (zone[0] != u'+' && zone[0] != u'-') || zone[3] != u':')
            return false;
        const int offsetHour = fixedNumber(zone, 1, 2);
        const int offsetMinute = fixedNumber(zone, 4, 2);
        if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59)
            return false;
        offset = (offsetHour * 60 + offsetMinute) * (zone[0] == u'-' ? -1 : 1);
    }
    if (second == 60) {
        // A leap second exists only at 23:59:60 UTC.
        const int utcMinute = ((hour * 60 + minute - offset) % 1440 + 1440) % 1440;
        return utcMinute == 23 * 60 + 59;
    }
    return true;
}

bool isDateTime(QStringView text)
{
    return text.size() > 11 && (text[10] == u'T' || text[10] == u't') && isDate(text.first(10))
        && isTime(text.mid(11));
}

// ISO 8601 as RFC 3339 appendix A: PnW, or P[nY][nM][nD][T[nH][nM][nS]].
bool isDuration(QStringView text)
{
    if (text.size() < 3 || text[0] != u'P')
        return false;
    static constexpr char16_t kDateUnits[] = u"YMD";
    static constexpr char16_t kTimeUnits[] = u"HMS";
    qsizetype pos = 1;
    auto readComponents = [&](const char16_t *units) {
        int count = 0;
        int next = 0; // units must come in order
        while (pos < text.size() && isDigit(text[pos])) {
            while (pos < text.size() && isDigit(text[pos]))
                ++pos;
            if (pos == text.size())
                return -1;
            int unit = next;
            while (unit < 3 && units[unit] != text[pos].unicode())
                ++unit;
            if (unit == 3)
                return -1;
            next = unit + 1;
            ++pos;
            ++count;
        }
        return count;
    };
    if (text.endsWith(u'W')) {
        for (const QChar c : text.mid(1, text.size() - 2))
            if (!isDigit(c))
                return false;
        return true;
    }
    const int dateCount = readComponents(kDateUnits);
    if (dateCount < 0)
        return false;
    if (pos == text.size())
        return dateCount > 0;
    if (text[pos] != u'T')
        return false;
    ++pos;
    const int timeCount = readComponents(kTimeUnits);
    return timeCount > 0 && pos == text.size();
}

bool isIpv4(QStringView text)
{
    int parts = 0;
    qsizetype pos = 0;
    while (true) {
        const qsizetype start = pos;
        int value = 0;
        while (pos < text.size() && isDigit(text[pos]) && pos - start < 3)
            value = value * 10 + (text[pos++].unicode() - u'0');
        const qsizetype length = pos - start;
        if (length == 0 || value > 255 || (length > 1 && text[start] == u'0'))
            return false;
        ++parts;
        if (pos == text.size())
            return parts == 4;
        if (text[pos] != u'.' || parts == 4)
            return false;
        ++pos;
    }
}

// Counts 16-bit groups in a run like "1:2:3" (empty run: 0); -1 if malformed.
// The last group may be a dotted quad (two groups) when `allowIpv4` is set.
int ipv6Groups(QStringView run, bool allowIpv4)
{
    if (run.isEmpty())
        return 0;
    int groups = 0;
    qsizetype start = 0;
    while (true) {
        qsizetype end = run.indexOf(u':', start);
        const QStringView group = run.mid(start, end < 0 ? -1 : end - start);
        if (end < 0 && allowIpv4 && group.contains(u'.'))
            return isIpv4(group) ? groups + 2 : -1;
        if (group.isEmpty() || group.size() > 4)
            return -1;
        for (const QChar c : group)
            if (!isHex(c))
                return -1;
        ++groups;
        if (end < 0)
            return groups;
        start = end + 1;
    }
}

bool isIpv6(QStringView text)
{
    const qsizetype gap = text.indexOf(u"::");
    if (gap < 0)
        return ipv6Groups(text, true) == 8;
    if (text.indexOf(u"::", gap + 1) >= 0)
        return false;
    const int before = ipv6Groups(text.first(gap), false);
    const int after = ipv6Groups(text.mid(gap + 2), true);
    return before >= 0 && after >= 0 && before + after <= 7;
}

bool isHostname(QStringView text)
{
    if (text.isEmpty() || text.size() > 253)
        return false;
    qsizetype start = 0;
    while (true) {
        qsizetype end = text.indexOf(u'.', start);
        const QStringView label = text.mid(start, end < 0 ? -1 : end - start);
        if (label.isEmpty() || label.size() > 63 || label.front() == u'-' || label.back() == u'-')
            return false;
        for (const QChar c : label)
            if (!isAlpha(c) && !isDigit(c) && c != u'-')
                return false;
        // "--" in the 3rd and 4th position is reserved for Punycode ("xn--").
        if (label.size() >= 4 && label.mid(2, 2) == u"--"
            && label.first(2).compare(u"xn", Qt::CaseInsensitive) != 0)
            return false;
        if (end < 0)
            return true;
        start = end + 1;
    }
}

bool isAtext(QChar c)
{
    static constexpr QStringView kSpecials = u"!#$%&'*+-/=?^_`{|}~";
    return isAlpha(c) || isDigit(c) || kSpecials.contains(c);
}

bool isEmail(QStringView text)
{
    const qsizetype at = text.lastIndexOf(u'@');
    if (at <= 0 || at == text.size() - 1)
        return false;
    const QStringView local = text.first(at);
    const QStringView domain = text.mid(at + 1);
    if (local.front() == u'"') {
        if (local.size() < 2 || local.back() != u'"')
            return false;
        for (qsizetype i = 1; i + 1 < local.size(); ++i) {
            const char16_t c = local[i].unicode();
            if (c == u'\\') {
                ++i;
                if (i + 1 >= local.size())
                    return false;
            } else if (c == u'"' || c < 0x20 || c > 0x7e) {
                return false;
            }
        }
    } else {
        if (local.front() == u'.' || local.back() == u'.' || local.contains(u".."))
            return false;
        for (const QChar c : local)
            if (c != u'.' && !isAtext(c))
                return false;
    }
    if (domain.front() == u'[') {
        if (domain.back() != u']')
            return false;
        const QStringView literal = domain.mid(1, domain.size() - 2);
        if (literal.startsWith(u"IPv6:"))
            return isIpv6(literal.mid(5));
        return isIpv4(literal);
    }
    return isHostname(domain);
}

bool isUuid(QStringView text)
{
    if (text.size() != 36)
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != u'-' : !isHex(text[i]))
            return false;
    }
    return true;
}

bool isUnreserved(QChar c)
{
    return isAlpha(c) || isDigit(c) || c == u'-' || c == u'.' || c == u'_' || c == u'~';
}

bool isSubDelim(QChar c)
{
    static constexpr QStringView kSubDelims = u"!$&'()*+,;=";
    return kSubDelims.contains(c);
}

// Whether every character is allowed (`extra` adds to unreserved and
// sub-delims) or a complete percent-encoded triplet.
bool uriCharsValid(QStringView text, QStringView extra)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == u'%') {
            if (i + 2 >= text.size() || !isHex(text[i + 1]) || !isHex(text[i + 2]))
                return false;
            i += 2;
        } else if (!isUnreserved(c) && !isSubDelim(c) && !extra.contains(c)) {
            return false;
        }
    }
    return true;
}

bool isAuthority(QStringView authority)
{
    const qsizetype at = authority.lastIndexOf(u'@');
    if (at >= 0 && !uriCharsValid(authority.first(at), u":"))
        return false;
    QStringView hostPort = authority.mid(at + 1);
    QStringView port;
    if (hostPort.startsWith(u'[')) {
        const qsizetype close = hostPort.indexOf(u']');
        if (close < 0)
            return false;
        const QStringView literal = hostPort.mid(1, close - 1);
        const bool future = literal.startsWith(u'v') || literal.startsWith(u'V');
        if (!(future ? uriCharsValid(literal, u":") : isIpv6(literal)))
            return false;
        const QStringView rest = hostPort.mid(close + 1);
        if (!rest.isEmpty() && rest.front() != u':')
            return false;
        port = rest.mid(1);
    } else {
        const qsizetype colon = hostPort.lastIndexOf(u':');
        if (colon >= 0) {
            port = hostPort.mid(colon + 1);
            hostPort = hostPort.first(colon);
        }
        if (!uriCharsValid(hostPort, {}))
            return false;
    }
    for (const QChar c : port)
        if (!isDigit(c))
            return false;
    return true;
}

bool isUri(QStringView text)
{
    const qsizetype colon = text.indexOf(u':');
    if (colon <= 0 || !isAlpha(text[0]))
        return false;
    for (const QChar c : text.first(colon))
        if (!isAlpha(c) && !isDigit(c) && c != u'+' && c != u'-' && c != u'.')
            return false;
    QStringView rest = text.mid(colon + 1);
    QStringView fragment;
    QStringView query;
    if (const qsizetype hash = rest.indexOf(u'#'); hash >= 0) {
        fragment = rest.mid(hash + 1);
        rest = rest.first(hash);
        if (!uriCharsValid(fragment, u":@/?"))
            return false;
    }
    if (const qsizetype question = rest.indexOf(u'?'); question >= 0) {
        query = rest.mid(question + 1);
        rest = rest.first(question);
        if (!uriCharsValid(query, u":@/?"))
            return false;
    }
    if (rest.startsWith(u"//")) {
        rest = rest.mid(2);
        const qsizetype slash = rest.indexOf(u'/');
        if (!isAuthority(rest.first(slash < 0 ? rest.size() : slash)))
            return false;
        rest = slash < 0 ? QStringView() : rest.mid(slash);
    }
    return uriCharsValid(rest, u":@/");
}

struct FormatEntry
{
    QStringView name;
    SchemaFormat format;
    bool (*check)(QStringView);
};

constexpr FormatEntry kFormats[] = {
    {u"date-time", SchemaFormat::DateTime, isDateTime},
    {u"date", SchemaFormat::Date, isDate},
    {u"time", SchemaFormat::Time, isTime},
    {u"duration", SchemaFormat::Duration, isDuration},
    {u"email", SchemaFormat::Email, isEmail},
    {u"hostname", SchemaFormat::Hostname, isHostname},
    {u"ipv4", SchemaFormat::Ipv4, isIpv4},
    {u"ipv6", SchemaFormat::Ipv6, isIpv6},
    {u"uuid", SchemaFormat::Uuid, isUuid},
    {u"uri", SchemaFormat::Uri, isUri},
};

} // namespace

std::optional<SchemaFormat> schemaFormatFromName(QStringView name)
{
    for (const FormatEntry &entry : kFormats)
        if (entry.name == name)
            return entry.format;
    return std::nullopt;
}

bool matchesFormat(SchemaFormat format, QStringView text)
{
    for (const FormatEntry &entry : kFormats)
        if (entry.format == format)
            return entry.check(text);
    return false;
}

} // namespace sluice
