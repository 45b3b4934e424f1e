// sluice-sim: the embedded simulator as a process. Prints its base URL as the
// first line on stdout, then serves until SIGINT or SIGTERM (exit 0).
// Exit codes: 0 clean stop, 1 cannot start (port in use, log not writable),
// 2 bad command line.
#include "sim/simserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <limits>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace Qt::StringLiterals;

int g_signalSocket[2] = {-1, -1};

// Async-signal-safe: only wakes the event loop, which then quits.
void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalSocket[1], &byte, 1);
}

bool installTerminationHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalSocket) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0
        && ::sigaction(SIGTERM, &action, nullptr) == 0;
}

// One line on stderr naming the problem and the fix; returns the exit code.
int fail(int exitCode, const QString &message)
{
    std::fprintf(stderr, "sluice-sim: %s\n", qPrintable(message));
    return exitCode;
}

// The option's value as a whole number in [0, max], or an error message.
std::optional<qint64> wholeNumber(const QCommandLineParser &parser, const QString &name,
    qint64 defaultValue, qint64 max, QString *error)
{
    if (!parser.isSet(name))
        return defaultValue;
    const QString text = parser.value(name);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0 || value > max) {
        *error = u"--%1 expects a whole number from 0 to %2, got '%3'; fix the value."_s.arg(name)
                     .arg(max)
                     .arg(text);
        return std::nullopt;
    }
    return value;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"sluice-sim"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"The Sluice simulator: a local HTTP server that answers OpenAI Responses API requests "
        "deterministically (also the OpenAI and Anthropic batch APIs). Prints its base URL (http://127.0.0.1:PORT/v1) as the first line."_s);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help and exit."_s);
    const QCommandLineOption version(u"version"_s, u"Show the version and exit."_s);
    parser.addOption(help);
    parser.addOption(version);
    parser.addOptions({
        {u"port"_s, u"Port to listen on; 0 picks a free one (default 0)."_s, u"N"_s},
        {u"host"_s, u"Address to listen on (default 127.0.0.1)."_s, u"ADDR"_s},
        {u"allow-remote"_s, u"Allow a --host that is not a loopback address."_s},
        {u"latency-ms"_s, u"Delay before each answer, in milliseconds (default 0)."_s, u"N"_s},
        {u"jitter-ms"_s, u"Deterministic +- jitter on the delay, in milliseconds."_s, u"N"_s},
        {u"rpm"_s, u"Requests per minute before 429 (default 0 = unlimited)."_s, u"N"_s},
        {u"tpm"_s, u"Tokens per minute before 429 (default 0 = unlimited)."_s, u"N"_s},
        {u"require-key-env"_s,
            u"Require 'Authorization: Bearer KEY', KEY read from environment variable VAR."_s,
            u"VAR"_s},
        {u"tokens-per-second"_s,
            u"Streaming pace after the first token (the latency); 0 = at once (default)."_s,
            u"N"_s},
        {u"seed"_s, u"Seed of the fault-by-rate draws (default 0)."_s, u"N"_s},
        {u"fault-rate"_s,
            u"Play fault NAME with probability P per model request (repeatable). Faults: "_s
                + sluice::sim::SimServer::faultNames().join(u", "_s) + u"."_s,
            u"NAME=P"_s},
        {u"quota-requests"_s, u"Requests before 429 insufficient_quota (0 = none)."_s, u"N"_s},
        {u"quota-tokens"_s, u"Tokens before 429 insufficient_quota (0 = none)."_s, u"N"_s},
        {u"batch-seconds-per-request"_s,
            u"Batch APIs: seconds to answer each line of a batch (default 0.05)."_s, u"S"_s},
        {u"batch-phase-seconds"_s,
            u"Batch APIs: seconds a batch spends validating and again finalizing (default 0.2)."_s,
            u"S"_s},
        {u"log"_s, u"Append one JSON line per request to FILE."_s, u"FILE"_s},
        {u"verbose"_s, u"Print one JSON line per request on stderr."_s},
    });

    if (!parser.parse(QCoreApplication::arguments()))
        return fail(2, parser.errorText() + u" Run 'sluice-sim --help' for the options."_s);
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (parser.isSet(version)) {
        std::printf("sluice-sim %s\n", SLUICE_VERSION);
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        return fail(2,
            u"unexpected argument '%1'; sluice-sim takes options only (see --help)."_s.arg(
                parser.positionalArguments().constFirst()));
    }

    QString error;
    const auto port = wholeNumber(parser, u"port"_s, 0, 65535, &error);
    const auto latency = wholeNumber(parser, u"latency-ms"_s, 0, 600'000, &error);
    const auto jitter = wholeNumber(parser, u"jitter-ms"_s, 0, 600'000, &error);
    const auto rpm = wholeNumber(parser, u"rpm"_s, 0, std::numeric_limits<int>::max(), &error);
    const auto tpm = wholeNumber(parser, u"tpm"_s, 0, std::numeric_limits<int>::max(), &error);
    const auto tps
        = wholeNumber(parser, u"tokens-per-second"_s, 0, std::numeric_limits<int>::max(), &error);
    const auto seed = wholeNumber(parser, u"seed"_s, 0, std::numeric_limits<qint64>::max(), &error);
    const auto quotaRequests
        = wholeNumber(parser, u"quota-requests"_s, 0, std::numeric_limits<qint64>::max(), &error);
    const auto quotaTokens
        = wholeNumber(parser, u"quota-tokens"_s, 0, std::numeric_limits<qint64>::max(), &error);
    if (!port || !latency || !jitter || !rpm || !tpm || !tps || !seed || !quotaRequests
        || !quotaTokens)
        return fail(2, error);
    sluice::sim::BatchSpeed batchSpeed;
    QHash<QString, double> faultRates;
    for (const QString &spec : parser.values(u"fault-rate"_s)) {
        const QString name = spec.section(u'=', 0, 0);
        bool ok = false;
        const double rate = spec.section(u'=', 1).toDouble(&ok);
        if (!sluice::sim::SimServer::faultNames().contains(name) || !ok || rate < 0 || rate > 1) {
            return fail(2,
                u"--fault-rate expects NAME=P with P from 0 to 1 and NAME one of %1; got '%2'."_s
                    .arg(sluice::sim::SimServer::faultNames().join(u", "_s), spec));
        }
        faultRates.insert(name, rate);
    }

    for (const QString &name : {u"batch-seconds-per-request"_s, u"batch-phase-seconds"_s}) {
        if (!parser.isSet(name))
            continue;
        bool ok = false;
        const double seconds = parser.value(name).toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 86'400) {
            return fail(2,
                u"--%1 expects seconds from 0 to 86400, got '%2'; fix the value."_s.arg(
                    name, parser.value(name)));
        }
        if (name == u"batch-phase-seconds") {
            batchSpeed.validatingSeconds = seconds;
            batchSpeed.finalizingSeconds = seconds;
        } else {
            batchSpeed.secondsPerRequest = seconds;
        }
    }

    const QString hostText = parser.isSet(u"host"_s) ? parser.value(u"host"_s) : u"127.0.0.1"_s;
    QHostAddress host(QHostAddress::LocalHost);
    if (hostText != u"localhost" && !host.setAddress(hostText)) {
        return fail(
            2, u"--host expects an IP address such as 127.0.0.1 or ::1, got '%1'."_s.arg(hostText));
    }
    if (!host.isLoopback() && !parser.isSet(u"allow-remote"_s)) {
        return fail(2,
            u"--host %1 is not a loopback address; add --allow-remote to serve other "
            "machines."_s.arg(hostText));
    }

    sluice::sim::SimConfig config;
    config.latency = std::chrono::milliseconds(*latency);
    config.latencyJitter = std::chrono::milliseconds(*jitter);
    config.requestsPerMinute = int(*rpm);
    config.tokensPerMinute = int(*tpm);
    config.tokensPerSecond = int(*tps);
    config.seed = quint64(*seed);
    config.faultRates = faultRates;
    config.quotaRequests = *quotaRequests;
    config.quotaTokens = *quotaTokens;
    config.batchSpeed = batchSpeed;
    if (parser.isSet(u"require-key-env"_s)) {
        const QString variable = parser.value(u"require-key-env"_s);
        config.requiredApiKey = qgetenv(qPrintable(variable));
        if (config.requiredApiKey.isEmpty()) {
            return fail(2,
                u"environment variable %1 (from --require-key-env) is empty or unset; "
                "export the key in it first."_s.arg(variable));
        }
    }
    if (parser.isSet(u"log"_s)) {
        config.logPath = parser.value(u"log"_s);
        QFile probe(config.logPath);
        if (!probe.open(QIODevice::WriteOnly | QIODevice::Append)) {
            return fail(1,
                u"cannot write the request log %1: %2; choose a writable --log path."_s.arg(
                    config.logPath, probe.errorString()));
        }
    }

    if (!installTerminationHandlers())
        return fail(1, u"cannot install the SIGINT/SIGTERM handlers."_s);
    QSocketNotifier terminationNotifier(g_signalSocket[0], QSocketNotifier::Read);
    QObject::connect(&terminationNotifier, &QSocketNotifier::activated, &app, [] {
        char byte = 0;
        [[maybe_unused]] const auto read = ::read(g_signalSocket[0], &byte, 1);
        QCoreApplication::quit();
    });

    sluice::sim::SimServer server(config);
    if (!server.listen(quint16(*port), host)) {
        return fail(
            1, server.errorString() + u"; choose another --port, or --port 0 for a free one."_s);
    }
    if (parser.isSet(u"verbose"_s)) {
        QObject::connect(
            &server, &sluice::sim::SimServer::requestServed, &app, [](const QJsonObject &entry) {
                std::fprintf(stderr, "%s\n",
                    QJsonDocument(entry).toJson(QJsonDocument::Compact).constData());
            });
    }

    std::printf("%s\n", qPrintable(server.baseUrl().toString()));
    std::fflush(stdout);
    return app.exec();
}
