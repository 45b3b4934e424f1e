#include "providers/sseparser.h"

#include <algorithm>

namespace sluice {

namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

void assign(QByteArray &target, QByteArrayView value)
{
    target.truncate(0); // keeps the capacity
    target.append(value);
}

bool isDigits(QByteArrayView text)
{
    return !text.isEmpty()
        && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

SseParser::SseParser(Handler handler) : m_handler(std::move(handler))
{
    m_line.reserve(256);
    m_event.data.reserve(1024);
}

void SseParser::feed(QByteArrayView bytes)
{
    const char *p = bytes.data();
    const char *const end = p + bytes.size();

    // The BOM may itself arrive split; bytes that only looked like its start
    // belong to the first line.
    while (!m_bomDone && p < end) {
        if (*p == kBom[m_bomMatched]) {
            ++p;
            m_bomDone = ++m_bomMatched == 3;
        } else {
            m_line.append(kBom, m_bomMatched);
            m_bomDone = true;
        }
    }

    while (p < end) {
        if (m_afterCr) {
            m_afterCr = false;
            if (*p == '\n') {
                ++p;
                continue;
            }
        }
        const char *stop = std::find_if(p, end, [](char c) { return c == '\r' || c == '\n'; });
        m_line.append(p, stop - p);
        if (stop == end)
            return;
        m_afterCr = *stop == '\r';
        p = stop + 1;
        processLine();
        m_line.truncate(0);
    }
}

bool SseParser::finish()
{
    const bool cutMidLine = !m_line.isEmpty();
    m_line.truncate(0);
    m_afterCr = false;
    if (!cutMidLine)
        dispatch();
    return !cutMidLine;
}

void SseParser::processLine()
{
    if (m_line.isEmpty()) {
        dispatch();
        return;
    }
    if (m_line.front() == ':')
        return;

    const QByteArrayView line(m_line);
    const qsizetype colon = line.indexOf(':');
    const QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);

    if (field == "data") {
        if (m_hasData)
            m_event.data.append('\n');
        m_event.data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        assign(m_event.type, value);
    } else if (field == "id") {
        if (!value.contains('\0'))
            assign(m_event.id, value);
    } else if (field == "retry") {
        if (isDigits(value))
            m_retryMs = value.toLongLong();
    }
}

void SseParser::dispatch()
{
    if (m_hasData)
        m_handler(m_event);
    m_event.data.truncate(0);
    m_event.type.truncate(0);
    m_hasData = false;
}

} // namespace sluice
