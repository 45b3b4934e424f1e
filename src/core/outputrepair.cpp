#include "core/outputrepair.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sluice {

namespace {

struct Candidate
{
    QStringView text;
    QString label; ///< names it in the trace: "fenced block 2 of 3 (```json)"
};

struct Parsed
{
    std::optional<QJsonValue> value;
    QString error;
};

// QJsonDocument takes only objects and arrays: a one-element array around
// the text takes any value, and rejects anything after it.
Parsed parseValue(QStringView text)
{
    const QByteArray wrapped = '[' + text.toUtf8() + ']';
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError)
        return {std::nullopt,
            QStringLiteral("%1 at byte %2")
                .arg(error.errorString())
                .arg(qMax(0, error.offset - 1))};
    const QJsonArray array = document.array();
    if (array.size() != 1)
        return {std::nullopt,
            array.isEmpty() ? QStringLiteral("empty") : QStringLiteral("more than one value")};
    return {array.first(), QString()};
}

// Tries candidates in order; records one attempt for the rung.
bool tryRung(RepairResult &result, RepairStep step, const QList<Candidate> &candidates,
    const RepairAcceptor &accept, const QString &noCandidate)
{
    RepairAttempt attempt;
    attempt.step = step;
    QStringList notes;
    for (const Candidate &candidate : candidates) {
        const Parsed parsed = parseValue(candidate.text);
        if (!parsed.value) {
            notes.append(QStringLiteral("%1 is not JSON: %2").arg(candidate.label, parsed.error));
            continue;
        }
        attempt.parsed = true;
        if (accept && !accept(*parsed.value)) {
            notes.append(QStringLiteral("%1 is JSON but not accepted").arg(candidate.label));
            continue;
        }
        attempt.accepted = true;
        notes.append(QStringLiteral("took %1").arg(candidate.label));
        result.value = parsed.value;
        result.step = step;
        break;
    }
    attempt.description = candidates.isEmpty() ? noCandidate : notes.join(QLatin1String("; "));
    result.attempts.append(attempt);
    return attempt.accepted;
}

bool isFenceChar(QChar c)
{
    return c == u'`' || c == u'~';
}

// The fenced blocks, in order: a line of three or more backticks or tildes
// (an info string such as `json` may follow) opens one, a line of at least as
// many of the same closes it; an unclosed block runs to the end (a cut answer).
QList<Candidate> fencedBlocks(QStringView text)
{
    struct Block
    {
        QStringView content;
        QString fence;
    };
    QList<Block> blocks;
    qsizetype contentStart = -1;
    QChar fenceChar;
    qsizetype fenceLength = 0;
    QString opening;
    qsizetype lineStart = 0;
    while (lineStart <= text.size()) {
        qsizetype lineEnd = text.indexOf(u'\n', lineStart);
        if (lineEnd < 0)
            lineEnd = text.size();
        const QStringView line = text.mid(lineStart, lineEnd - lineStart).trimmed();
        qsizetype run = 0;
        while (run < line.size() && isFenceChar(line[run]) && line[run] == line[0])
            ++run;
        if (contentStart < 0 && run >= 3) {
            contentStart = lineEnd + 1;
            fenceChar = line[0];
            fenceLength = run;
            opening = line.toString();
        } else if (contentStart >= 0 && run >= fenceLength && line[0] == fenceChar
            && run == line.size()) {
            blocks.append({text.mid(contentStart, lineStart - contentStart), opening});
            contentStart = -1;
        }
        lineStart = lineEnd + 1;
    }
    if (contentStart >= 0 && contentStart <= text.size())
        blocks.append({text.mid(contentStart), opening + QStringLiteral(", unclosed")});

    QList<Candidate> candidates;
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        candidates.append({blocks[i].content,
            QStringLiteral("fenced block %1 of %2 (%3)")
                .arg(i + 1)
                .arg(blocks.size())
                .arg(blocks[i].fence)});
    }
    return candidates;
}

// End (exclusive) of the balanced object or array that opens at `start`,
// or -1: brackets must match, and inside JSON strings they do not count.
qsizetype balancedEnd(QStringView text, qsizetype start)
{
    QList<QChar> open;
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = start; i < text.size(); ++i) {
        const QChar c = text[i];
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == u'\\')
                escaped = true;
            else if (c == u'"')
                inString = false;
        } else if (c == u'"') {
            inString = true;
        } else if (c == u'{' || c == u'[') {
            open.append(c == u'{' ? u'}' : u']');
        } else if (c == u'}' || c == u']') {
            if (open.isEmpty() || open.back() != c)
                return -1;
            open.removeLast();
            if (open.isEmpty())
                return i + 1;
        }
    }
    return -1;
}

// Each unbalanced opening costs a scan to the end of the text: bounded, so
// that a degenerate answer ("[[[[..." repeated to the token limit) stays
// linear in its length.
constexpr int kMaxUnbalancedOpenings = 256;

struct Embedded
{
    QList<Candidate> candidates;
    bool gaveUp = false; ///< stopped after kMaxUnbalancedOpenings
};

// Top-level balanced objects and arrays, in order: after a balanced one the
// search goes on past its end (never inside it), after an unbalanced opening
// at the next character.
Embedded embeddedValues(QStringView text)
{
    Embedded found;
    int unbalanced = 0;
    qsizetype from = 0;
    while (from < text.size()) {
        qsizetype start = from;
        while (start < text.size() && text[start] != u'{' && text[start] != u'[')
            ++start;
        if (start == text.size())
            break;
        const qsizetype end = balancedEnd(text, start);
        if (end < 0) {
            if (++unbalanced == kMaxUnbalancedOpenings) {
                found.gaveUp = true;
                break;
            }
            from = start + 1;
            continue;
        }
        found.candidates.append({text.mid(start, end - start),
            QStringLiteral("the %1 at characters %2-%3")
                .arg(text[start] == u'{' ? QStringLiteral("object") : QStringLiteral("array"))
                .arg(start)
                .arg(end)});
        from = end;
    }
    return found;
}

} // namespace

QString repairStepName(RepairStep step)
{
    switch (step) {
    case RepairStep::AsIs:
        return QStringLiteral("as-is");
    case RepairStep::StripCodeFences:
        return QStringLiteral("strip code fences");
    case RepairStep::ExtractFromProse:
        return QStringLiteral("extract from prose");
    }
    return QString();
}

RepairResult repairJsonOutput(const QString &text, const RepairAcceptor &accept)
{
    RepairResult result;
    const QStringView view(text);
    if (tryRung(
            result, RepairStep::AsIs, {{view, QStringLiteral("the answer")}}, accept, QString()))
        return result;
    if (tryRung(result, RepairStep::StripCodeFences, fencedBlocks(view), accept,
            QStringLiteral("no code fence")))
        return result;
    const Embedded embedded = embeddedValues(view);
    tryRung(result, RepairStep::ExtractFromProse, embedded.candidates, accept,
        QStringLiteral("no balanced object or array"));
    if (embedded.gaveUp && !result.ok()) {
        result.attempts.back().description
            += QStringLiteral("; stopped looking after %1 unbalanced openings")
                   .arg(kMaxUnbalancedOpenings);
    }
    return result;
}

} // namespace sluice
