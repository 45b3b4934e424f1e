#include "sim/patternsample.h"

#include <QList>
#include <QStringList>

#include <vector>

namespace sluice::sim {

namespace {

// A set of code points as inclusive ranges, possibly negated.
struct CharSet
{
    std::vector<std::pair<char32_t, char32_t>> ranges;
    bool negated = false;

    [[nodiscard]] bool contains(char32_t c) const
    {
        for (const auto &[low, high] : ranges) {
            if (c >= low && c <= high)
                return true;
        }
        return false;
    }
};

struct Node;
using Sequence = std::vector<Node>;

// One quantified atom: a character set, a group of alternatives, or an anchor.
struct Node
{
    enum class Kind { Set, Group, Anchor };
    Kind kind = Kind::Set;
    CharSet set;
    std::vector<Sequence> alternatives;
    int min = 1;
    int max = 1; // kUnbounded for `*`, `+`, `{n,}`
};

// What a negated set or `.` draws from: readable ASCII, so that answers stay
// legible in the UI.
constexpr char32_t kReadable[]
    = U"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ .";

// \n \t \r \f \v and the characters they stand for.
constexpr std::pair<char32_t, char32_t> kControlEscapes[]
    = {{U'n', U'\n'}, {U't', U'\t'}, {U'r', U'\r'}, {U'f', U'\f'}, {U'v', U'\v'}};

constexpr int kUnbounded = -1;

// Quantifiers beyond this are refused: a sample would not be readable.
constexpr int kMaxRepeat = 1000;

// Samples longer than this are abandoned (nested quantifiers multiply).
constexpr std::size_t kMaxSampleLength = 10'000;

// The ranges of the shorthand classes \d, \w and \s (ASCII, as in ECMA-262
// without the unicode flag, except \s: the common white space only).
void addShorthand(CharSet &set, char32_t letter)
{
    if (letter == U'd' || letter == U'w')
        set.ranges.push_back({U'0', U'9'});
    if (letter == U'w') {
        set.ranges.push_back({U'a', U'z'});
        set.ranges.push_back({U'A', U'Z'});
        set.ranges.push_back({U'_', U'_'});
    }
    if (letter == U's') {
        set.ranges.push_back({U' ', U' '});
        set.ranges.push_back({U'\t', U'\r'});
    }
}

class Parser
{
public:
    explicit Parser(const QString &pattern)
    {
        const QList<uint> ucs4 = pattern.toUcs4();
        m_text.assign(ucs4.cbegin(), ucs4.cend());
    }

    std::optional<std::vector<Sequence>> parse()
    {
        auto result = alternatives();
        if (!result || m_pos != m_text.size())
            return std::nullopt;
        return result;
    }

private:
    [[nodiscard]] bool atEnd() const { return m_pos >= m_text.size(); }
    [[nodiscard]] char32_t peek() const { return atEnd() ? 0 : m_text.at(m_pos); }

    std::optional<std::vector<Sequence>> alternatives()
    {
        std::vector<Sequence> result;
        for (;;) {
            auto sequence = this->sequence();
            if (!sequence)
                return std::nullopt;
            result.push_back(std::move(*sequence));
            if (peek() != U'|')
                return result;
            ++m_pos;
        }
    }

    std::optional<Sequence> sequence()
    {
        Sequence result;
        while (!atEnd() && peek() != U'|' && peek() != U')') {
            auto node = atom();
            if (!node || !quantifier(*node))
                return std::nullopt;
            result.push_back(std::move(*node));
        }
        return result;
    }

    std::optional<Node> atom()
    {
        const char32_t c = m_text.at(m_pos++);
        Node node;
        switch (c) {
        case U'^':
        case U'$':
            node.kind = Node::Kind::Anchor;
            return node;
        case U'.':
            node.set.ranges.push_back({U'\n', U'\n'});
            node.set.negated = true;
            return node;
        case U'[':
            if (!charClass(node.set))
                return std::nullopt;
            return node;
        case U'(': {
            if (peek() == U'?') {
                // Only non-capturing and named groups; lookaround is out of the subset.
                ++m_pos;
                if (peek() == U':') {
                    ++m_pos;
                } else if (peek() == U'<' || peek() == U'P') {
                    if (peek() == U'P')
                        ++m_pos;
                    if (peek() != U'<')
                        return std::nullopt;
                    ++m_pos;
                    const char32_t next = peek();
                    if (next == U'=' || next == U'!')
                        return std::nullopt;
                    while (!atEnd() && peek() != U'>')
                        ++m_pos;
                    if (atEnd())
                        return std::nullopt;
                    ++m_pos;
                } else {
                    return std::nullopt;
                }
            }
            auto inner = alternatives();
            if (!inner || peek() != U')')
                return std::nullopt;
            ++m_pos;
            node.kind = Node::Kind::Group;
            node.alternatives = std::move(*inner);
            return node;
        }
        case U'\\':
            if (!escape(node.set, false))
                return std::nullopt;
            return node;
        case U'*':
        case U'+':
        case U'?':
        case U'{':
        case U')':
            return std::nullopt;
        default:
            node.set.ranges.push_back({c, c});
            return node;
        }
    }

    // Reads an escape after the backslash into `set`. Inside a class the
    // negated shorthands (\D \W \S) cannot be merged into ranges: refused.
    bool escape(CharSet &set, bool inClass)
    {
        if (atEnd())
            return false;
        const char32_t c = m_text.at(m_pos++);
        auto add = [&set](char32_t low, char32_t high) { set.ranges.push_back({low, high}); };
        switch (c) {
        case U'd':
        case U'w':
        case U's':
            addShorthand(set, c);
            return true;
        case U'D':
        case U'W':
        case U'S':
            if (inClass)
                return false;
            set.negated = true;
            addShorthand(set, c - U'A' + U'a');
            return true;
        case U'x':
        case U'u': {
            const int digits = c == U'x' ? 2 : 4;
            if (m_pos + std::size_t(digits) > m_text.size())
                return false;
            bool ok = false;
            const uint value = QString::fromUcs4(m_text.data() + m_pos, digits).toUInt(&ok, 16);
            if (!ok)
                return false;
            m_pos += std::size_t(digits);
            add(value, value);
            return true;
        }
        default:
            for (const auto &[letter, control] : kControlEscapes) {
                if (c == letter) {
                    add(control, control);
                    return true;
                }
            }
            // Other letters and digits are special escapes (\b, \p, \1, ...): out of the subset.
            if ((c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9'))
                return false;
            add(c, c);
            return true;
        }
    }

    bool charClass(CharSet &set)
    {
        if (peek() == U'^') {
            set.negated = true;
            ++m_pos;
        }
        bool first = true;
        while (!atEnd() && (peek() != U']' || first)) {
            first = false;
            char32_t low = m_text.at(m_pos++);
            if (low == U'\\') {
                CharSet escaped;
                if (!escape(escaped, true))
                    return false;
                if (escaped.ranges.size() != 1
                    || escaped.ranges.front().first != escaped.ranges.front().second) {
                    set.ranges.insert(
                        set.ranges.end(), escaped.ranges.begin(), escaped.ranges.end());
                    continue;
                }
                low = escaped.ranges.front().first;
            }
            char32_t high = low;
            if (peek() == U'-' && m_pos + 1 < m_text.size() && m_text.at(m_pos + 1) != U']') {
                ++m_pos;
                high = m_text.at(m_pos++);
                if (high == U'\\') {
                    CharSet escaped;
                    if (!escape(escaped, true) || escaped.ranges.size() != 1)
                        return false;
                    high = escaped.ranges.front().first;
                }
                if (high < low)
                    return false;
            }
            set.ranges.push_back({low, high});
        }
        if (atEnd())
            return false;
        ++m_pos; // ']'
        return !set.ranges.empty();
    }

    bool quantifier(Node &node)
    {
        if (atEnd())
            return true;
        const char32_t c = peek();
        if (c == U'*' || c == U'+' || c == U'?') {
            ++m_pos;
            node.min = c == U'+' ? 1 : 0;
            node.max = c == U'?' ? 1 : kUnbounded;
        } else if (c == U'{') {
            const std::size_t close = m_text.find(U'}', m_pos);
            if (close == std::u32string::npos)
                return false;
            const QString body
                = QString::fromUcs4(m_text.data() + m_pos + 1, qsizetype(close - m_pos - 1));
            const QStringList parts = body.split(u',');
            bool okMin = false;
            node.min = parts.at(0).toInt(&okMin);
            if (!okMin || parts.size() > 2)
                return false;
            if (parts.size() == 1) {
                node.max = node.min;
            } else if (parts.at(1).isEmpty()) {
                node.max = kUnbounded;
            } else {
                bool okMax = false;
                node.max = parts.at(1).toInt(&okMax);
                if (!okMax || node.max < node.min)
                    return false;
            }
            if (node.min < 0 || node.min > kMaxRepeat)
                return false;
            m_pos = close + 1;
        } else {
            return true;
        }
        if (node.kind == Node::Kind::Anchor)
            return false;
        if (peek() == U'?' || peek() == U'+')
            ++m_pos; // lazy or possessive: the same strings match
        return true;
    }

    std::u32string m_text;
    std::size_t m_pos = 0;
};

char32_t pick(const CharSet &set, SeededRandom &random)
{
    if (set.negated) {
        std::vector<char32_t> allowed;
        for (const char32_t c : kReadable) {
            if (c != 0 && !set.contains(c))
                allowed.push_back(c);
        }
        return allowed.empty() ? U'~' : allowed.at(random.below(allowed.size()));
    }
    const auto &[low, high] = set.ranges.at(random.below(set.ranges.size()));
    return static_cast<char32_t>(low + random.below(quint64(high - low) + 1));
}

// Appends a sample of the node; false when it grows past kMaxSampleLength.
// A quantifier repeats between its minimum and `spread` more (at most its maximum).
bool produce(const Sequence &sequence, int spread, SeededRandom &random, std::u32string &out);

bool produce(const Node &node, int spread, SeededRandom &random, std::u32string &out)
{
    const qint64 high = node.max == kUnbounded ? qint64(node.min) + spread
                                               : qMin<qint64>(node.max, qint64(node.min) + spread);
    const qint64 count = random.between(node.min, high);
    for (qint64 i = 0; i < count; ++i) {
        switch (node.kind) {
        case Node::Kind::Anchor:
            break;
        case Node::Kind::Set:
            out.push_back(pick(node.set, random));
            break;
        case Node::Kind::Group:
            if (!produce(node.alternatives.at(random.below(node.alternatives.size())), spread,
                    random, out))
                return false;
            break;
        }
        if (out.size() > kMaxSampleLength)
            return false;
    }
    return true;
}

bool produce(const Sequence &sequence, int spread, SeededRandom &random, std::u32string &out)
{
    for (const Node &node : sequence) {
        if (!produce(node, spread, random, out))
            return false;
    }
    return true;
}

} // namespace

std::optional<QString> samplePattern(const QString &pattern, SeededRandom &random, int spread)
{
    const auto parsed = Parser(pattern).parse();
    if (!parsed)
        return std::nullopt;
    std::u32string out;
    if (!produce(parsed->at(random.below(parsed->size())), qMax(0, spread), random, out))
        return std::nullopt;
    return QString::fromUcs4(out.data(), qsizetype(out.size()));
}

} // namespace sluice::sim
