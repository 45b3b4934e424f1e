// bench_batch: peak memory of `sluice-cli run --input` over 10,000 and
// 100,000 rows against sluice-sim (bench/README.md). Each size runs in a
// child of this program, which starts the simulator and then sluice-cli and
// reports the CLI's peak RSS from getrusage(RUSAGE_CHILDREN) once it has
// been waited for (the simulator, still running, is not counted).

#include "simprocess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <sys/resource.h>

namespace {

constexpr int kConcurrency = 32;

// One size: prints one JSON object on stdout; 0 on success.
int measure(qint64 rows)
{
    QTemporaryDir dir;
    const QString input = dir.filePath(QStringLiteral("rows.jsonl"));
    QFile file(input);
    if (!file.open(QIODevice::WriteOnly))
        return 1;
    for (qint64 i = 0; i < rows; ++i) {
        file.write(QStringLiteral("{\"id\":\"row-%1\",\"text\":\"The quick brown fox %1 jumps "
                                  "over the lazy dog.\"}\n")
                       .arg(i)
                       .toUtf8());
    }
    file.close();

    sluice::test::SimProcess sim;
    if (!sim.start(QStringLiteral(SLUICE_SIM_PATH), {})) {
        std::fprintf(stderr, "bench_batch: %s\n", qPrintable(sim.errorString()));
        return 1;
    }
    QProcess cli;
    cli.setStandardOutputFile(QProcess::nullDevice());
    cli.setStandardErrorFile(dir.filePath(QStringLiteral("stderr.txt")));
    QElapsedTimer elapsed;
    elapsed.start();
    cli.start(QStringLiteral(SLUICE_CLI_PATH),
        {QStringLiteral("run"), QStringLiteral("--base-url"), sim.baseUrl(),
            QStringLiteral("--model"), QStringLiteral("sim-small"), QStringLiteral("--prompt"),
            QStringLiteral("Summarize: {{text}}"), QStringLiteral("--input"), input,
            QStringLiteral("--concurrency"), QString::number(kConcurrency),
            QStringLiteral("--run-dir"), dir.filePath(QStringLiteral("runs"))});
    if (!cli.waitForFinished(-1) || cli.exitCode() != 0) {
        std::fprintf(stderr, "bench_batch: sluice-cli failed (%d)\n", cli.exitCode());
        return 1;
    }
    const double seconds = double(elapsed.elapsed()) / 1000.0;
    rusage usage {};
    getrusage(RUSAGE_CHILDREN, &usage);
    const QJsonObject result {
        {QStringLiteral("rows"), rows},
        {QStringLiteral("seconds"), seconds},
        {QStringLiteral("rows_per_second"), double(rows) / seconds},
        {QStringLiteral("peak_rss_kb"), qint64(usage.ru_maxrss)},
        {QStringLiteral("store_bytes"),
            QFile(dir.filePath(QStringLiteral("runs/runs.sqlite"))).size()},
    };
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return sim.stop() == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() == 3 && arguments.at(1) == u"--rows")
        return measure(arguments.at(2).toLongLong());

    std::printf("| rows | peak RSS of sluice-cli | time | rows/s | run store |\n"
                "| --- | --- | --- | --- | --- |\n");
    for (const qint64 rows : {qint64(10'000), qint64(100'000)}) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(),
            {QStringLiteral("--rows"), QString::number(rows)});
        if (!child.waitForFinished(-1) || child.exitCode() != 0)
            return 1;
        const QJsonObject r = QJsonDocument::fromJson(child.readAllStandardOutput()).object();
        std::printf("| %lld | %.1f MB | %.1f s | %.0f | %.1f MB |\n", rows,
            r.value(QStringLiteral("peak_rss_kb")).toDouble() / 1024.0,
            r.value(QStringLiteral("seconds")).toDouble(),
            r.value(QStringLiteral("rows_per_second")).toDouble(),
            r.value(QStringLiteral("store_bytes")).toDouble() / 1048576.0);
        std::fflush(stdout);
    }
    return 0;
}
