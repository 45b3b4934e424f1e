#include "cli/progressbar.h"

#include <QString>

#include <cstdio>
#include <unistd.h>

namespace sluice::cli {

namespace {

constexpr int kBarWidth = 24;
constexpr qint64 kRedrawMs = 100;

} // namespace

ProgressBar::ProgressBar(std::optional<qint64> total) : m_total(total)
{
    m_started.start();
}

bool ProgressBar::enabled()
{
    return isatty(STDERR_FILENO) == 1;
}

void ProgressBar::update(const BatchProgress &progress)
{
    if (m_drawn && m_lastDraw.elapsed() < kRedrawMs)
        return;
    draw(progress);
}

void ProgressBar::finish(const BatchProgress &progress)
{
    draw(progress);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

void ProgressBar::draw(const BatchProgress &progress)
{
    m_drawn = true;
    m_lastDraw.start();
    const qint64 done = progress.alreadyDone + progress.finished;
    const double seconds = double(m_started.elapsed()) / 1000.0;
    const double rate = seconds > 0 ? double(progress.finished) / seconds : 0;
    QString line = QStringLiteral("\r");
    if (m_total && *m_total > 0) {
        const int filled = int(std::min<qint64>(kBarWidth, done * kBarWidth / *m_total));
        line += u'[' + QString(filled, u'#') + QString(kBarWidth - filled, u'.') + u']';
        line += QStringLiteral(" %1/%2").arg(done).arg(*m_total);
    } else {
        line += QStringLiteral("%1 rows").arg(done);
    }
    line += QStringLiteral("  ok %1  not ok %2  skipped %3  in flight %4  %5 rows/s")
                .arg(progress.ok)
                .arg(progress.notOk)
                .arg(progress.skipped)
                .arg(progress.inFlight)
                .arg(rate, 0, 'f', 1);
    if (m_total && rate > 0 && *m_total > done)
        line += QStringLiteral("  ~%1 s left").arg(qint64(double(*m_total - done) / rate));
    line += QStringLiteral("\x1b[K"); // clear what a longer earlier line left
    const QByteArray bytes = line.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

} // namespace sluice::cli
