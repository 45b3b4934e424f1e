#include "cli/keyscommand.h"

#include "cli/cli.h"
#include "cli/output.h"
#include "core/redaction.h"
#include "engine/secrets/filesecretstore.h"
#include "engine/secrets/keychainsecretstore.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>

#include <optional>

namespace sluice::cli {

namespace {

constexpr auto kDefaultBaseUrl = "https://api.openai.com/v1";

using Operation = std::function<void(SecretStore &, const SecretStore::Callback &)>;

SecretResult runBlocking(SecretStore &store, const Operation &operation)
{
    SecretResult result;
    QEventLoop loop;
    bool finished = false;
    operation(store, [&](const SecretResult &done) {
        result = done;
        finished = true;
        loop.quit();
    });
    if (!finished)
        loop.exec();
    return result;
}

// The key on stdin: the first line, without its line end or surrounding blanks.
QByteArray readKeyFromStdin()
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return {};
    return in.readLine().trimmed();
}

} // namespace

std::unique_ptr<SecretStore> openSecretStore(const QString &kind)
{
    if (kind == u"keychain")
        return std::make_unique<KeychainSecretStore>();
    if (kind != u"file")
        return nullptr;
    auto store = std::make_unique<FileSecretStore>();
    printError(QStringLiteral("warning: using %1 as you asked; the system keychain is safer")
                   .arg(store->location()));
    return store;
}

SecretResult readSecretBlocking(SecretStore &store, const SecretSlot &slot)
{
    return runBlocking(
        store, [&slot](SecretStore &s, const SecretStore::Callback &done) { s.read(slot, done); });
}

QString describeStoreFailure(
    const QString &what, const SecretStore &store, const SecretResult &result)
{
    QString line = QStringLiteral("%1 in %2 failed (%3): %4")
                       .arg(what, store.location(), secretErrorName(result.error),
                           redactSecrets(result.message));
    if (const QString advice = secretErrorAdvice(result.error); !advice.isEmpty())
        line += QStringLiteral("; ") + advice;
    return line;
}

int keysCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Save, check or remove the API key for one provider at one host.\n"
                       "  set         read the key from stdin and save it\n"
                       "  get-status  say whether a key is stored, and where (never the key)\n"
                       "  remove      forget the key"));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(
        {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOptions({
        help,
        {QStringLiteral("provider"), QStringLiteral("Provider id (default openai)."),
            QStringLiteral("P")},
        {QStringLiteral("base-url"),
            QStringLiteral("The endpoint the key is for; only its host counts (default %1).")
                .arg(QLatin1StringView(kDefaultBaseUrl)),
            QStringLiteral("URL")},
        {QStringLiteral("key-store"),
            QStringLiteral("keychain (default) or file: a 0600 file, not encrypted."),
            QStringLiteral("KIND")},
    });
    parser.addPositionalArgument(
        QStringLiteral("action"), QStringLiteral("set, get-status or remove"));

    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral(" See `sluice-cli keys --help`."));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    if (positional.size() != 1
        || (action != u"set" && action != u"get-status" && action != u"remove")) {
        printError(QStringLiteral("give one action: set, get-status or remove "
                                  "(the key itself is read from stdin by `set`, never from "
                                  "the command line)"));
        return ExitUsage;
    }

    const QUrl baseUrl(parser.isSet(QStringLiteral("base-url"))
            ? parser.value(QStringLiteral("base-url"))
            : QString::fromLatin1(kDefaultBaseUrl));
    const QString provider = parser.isSet(QStringLiteral("provider"))
        ? parser.value(QStringLiteral("provider")).trimmed()
        : QStringLiteral("openai");
    const SecretSlot slot = SecretSlot::forEndpoint(provider, baseUrl);
    if (!baseUrl.isValid() || (baseUrl.scheme() != u"http" && baseUrl.scheme() != u"https")
        || !slot.isValid()) {
        printError(QStringLiteral("--base-url '%1' and --provider '%2' must name an http(s) "
                                  "endpoint and a provider")
                       .arg(parser.value(QStringLiteral("base-url")), provider));
        return ExitUsage;
    }
    const QString kind = parser.isSet(QStringLiteral("key-store"))
        ? parser.value(QStringLiteral("key-store"))
        : QStringLiteral("keychain");
    if (kind != u"keychain" && kind != u"file") {
        printError(QStringLiteral("--key-store takes keychain or file, not '%1'").arg(kind));
        return ExitUsage;
    }

    QByteArray key;
    if (action == u"set") {
        key = readKeyFromStdin();
        if (key.isEmpty()) {
            printError(QStringLiteral("no key on stdin; e.g. `printenv OPENAI_API_KEY | "
                                      "sluice-cli keys set --base-url URL`"));
            return ExitUsage;
        }
        registerSecret(key);
    }

    const std::unique_ptr<SecretStore> store = openSecretStore(kind);
    const QString target = QStringLiteral("%1 at %2").arg(slot.provider, slot.host);
    if (action == u"set") {
        const SecretResult result = runBlocking(*store,
            [&](SecretStore &s, const SecretStore::Callback &done) { s.write(slot, key, done); });
        if (!result.ok()) {
            printError(describeStoreFailure(QStringLiteral("saving the key"), *store, result));
            return ExitFailed;
        }
        printOut(QStringLiteral("saved the key for %1 in %2\n").arg(target, store->location()));
        return ExitOk;
    }
    if (action == u"remove") {
        const SecretResult result = runBlocking(*store,
            [&](SecretStore &s, const SecretStore::Callback &done) { s.remove(slot, done); });
        if (!result.ok()) {
            printError(describeStoreFailure(QStringLiteral("removing the key"), *store, result));
            return ExitFailed;
        }
        printOut(QStringLiteral("no key for %1 in %2 any more\n").arg(target, store->location()));
        return ExitOk;
    }

    const SecretResult result = readSecretBlocking(*store, slot);
    if (result.error == SecretError::NotFound) {
        printOut(QStringLiteral("no key for %1 in %2\n").arg(target, store->location()));
        return ExitOk;
    }
    if (!result.ok()) {
        printError(describeStoreFailure(QStringLiteral("reading the key"), *store, result));
        return ExitFailed;
    }
    registerSecret(result.secret);
    printOut(QStringLiteral("a key for %1 is stored in %2\n").arg(target, store->location()));
    return ExitOk;
}

} // namespace sluice::cli
