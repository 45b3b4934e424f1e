#include "core/fingerprint.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace sluice {

namespace {

// Bump when what is hashed changes, so that old cache entries never match.
constexpr int kFingerprintFormat = 1;

void appendString(QByteArray &out, const QString &text)
{
    static constexpr char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    // Runs that need no escape are appended whole.
    qsizetype run = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        if (byte >= 0x20 && byte != '"' && byte != '\\')
            continue;
        out.append(utf8.constData() + run, i - run);
        run = i + 1;
        switch (byte) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        }
    }
    out.append(utf8.constData() + run, utf8.size() - run);
    out += '"';
}

// ECMAScript Number::toString (RFC 8785, 3.2.2.3) from the shortest
// round-trip digits that std::to_chars finds.
void appendNumber(QByteArray &out, double value)
{
    if (value == 0) { // also -0
        out += '0';
        return;
    }
    char buffer[64];
    const auto written = std::to_chars(
        buffer, buffer + sizeof buffer, std::abs(value), std::chars_format::scientific);
    const std::string_view text(buffer, written.ptr - buffer);
    const std::size_t e = text.find('e');
    std::string digits(text.substr(0, e));
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    const int k = int(digits.size());
    int exponent = 0;
    std::from_chars(
        text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exponent);
    const int n = exponent + 1; // value = 0.digits * 10^n

    if (value < 0)
        out += '-';
    if (k <= n && n <= 21) {
        out.append(digits.data(), k);
        out += QByteArray(n - k, '0');
    } else if (0 < n && n <= 21) {
        out.append(digits.data(), n);
        out += '.';
        out.append(digits.data() + n, k - n);
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out += QByteArray(-n, '0');
        out.append(digits.data(), k);
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits.data() + 1, k - 1);
        }
        out += 'e';
        out += n - 1 >= 0 ? '+' : '-';
        out += QByteArray::number(std::abs(n - 1));
    }
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double:
        appendNumber(out, value.toDouble());
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out += '[';
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ',';
            appendValue(out, array.at(i));
        }
        out += ']';
        break;
    }
    case QJsonValue::Object: {
        // QStringList::sort compares UTF-16 code units, as RFC 8785 asks.
        const QJsonObject object = value.toObject();
        QStringList keys = object.keys();
        keys.sort();
        out += '{';
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (i > 0)
                out += ',';
            appendString(out, keys[i]);
            out += ':';
            appendValue(out, object.value(keys[i]));
        }
        out += '}';
        break;
    }
    }
}

// Scheme, host (lowercased by QUrl), port and path without a trailing slash:
// the endpoint's identity, never credentials or query parameters.
QString endpointIdentity(const QString &baseUrl)
{
    QUrl url(baseUrl.trimmed());
    url.setUserInfo(QString());
    url.setQuery(QString());
    url.setFragment(QString());
    QString identity = url.toString(QUrl::FullyEncoded);
    while (identity.endsWith(QLatin1Char('/')))
        identity.chop(1);
    return identity;
}

template<typename T> void appendOptional(QByteArray &out, const std::optional<T> &value)
{
    if (value)
        appendNumber(out, double(*value));
    else
        out += "null";
}

} // namespace

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

QString requestFingerprint(const Endpoint &endpoint, const GenerationRequest &request)
{
    // The canonical document written directly, its keys in sorted order
    // (a test pins its hash against one computed independently): a run
    // fingerprints every row, and a QJsonObject round trip costs twice this.
    QByteArray document;
    document.reserve(256 + 3 * (request.instructions.size() + request.input.size()));
    document += "{\"endpoint\":";
    appendString(document, endpointIdentity(endpoint.baseUrl));
    document += ",\"format\":";
    appendNumber(document, kFingerprintFormat);
    document += ",\"input\":";
    appendString(document, request.input);
    document += ",\"instructions\":";
    appendString(document, request.instructions);
    document += ",\"max_output_tokens\":";
    appendOptional(document, request.maxOutputTokens);
    document += ",\"model\":";
    appendString(document, request.model);
    document += ",\"output_schema\":";
    if (request.outputSchema) {
        document += "{\"name\":";
        appendString(document, request.outputSchema->name);
        document += ",\"schema\":";
        appendValue(document, request.outputSchema->schema);
        document += request.outputSchema->strict ? ",\"strict\":true}" : ",\"strict\":false}";
    } else {
        document += "null";
    }
    document += ",\"provider\":";
    appendString(document, endpoint.providerId);
    document += ",\"temperature\":";
    appendOptional(document, request.temperature);
    document += '}';
    return QString::fromLatin1(
        QCryptographicHash::hash(document, QCryptographicHash::Sha256).toHex());
}

} // namespace sluice
