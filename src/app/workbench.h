#pragma once

#include <QObject>
#include <QQmlEngine>
#include <QUrl>

#include <memory>

namespace sluice {

class LlmService;
class SecretStore;
namespace sim {
class SimServer;
}

/// The Compose page's controller: one prompt to one model, the answer and
/// what it cost in time and tokens. With no API key configured it starts the
/// embedded simulator in-process and says so (`usingSimulator`). The key
/// comes from OPENAI_API_KEY or else the system keychain (for the endpoint's
/// host); a key found there, or saved with saveApiKey, switches to OpenAI.
class Workbench : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    Q_PROPERTY(QString model READ model WRITE setModel NOTIFY modelChanged)
    Q_PROPERTY(bool usingSimulator READ usingSimulator NOTIFY endpointChanged)
    Q_PROPERTY(QString endpoint READ endpointText NOTIFY endpointChanged)
    Q_PROPERTY(QString keyStatus READ keyStatus NOTIFY keyStatusChanged)
    Q_PROPERTY(QString setupError READ setupError CONSTANT)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(QString answer READ answer NOTIFY resultChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY resultChanged)
    Q_PROPERTY(double latencyMs READ latencyMs NOTIFY resultChanged)
    Q_PROPERTY(int inputTokens READ inputTokens NOTIFY resultChanged)
    Q_PROPERTY(int outputTokens READ outputTokens NOTIFY resultChanged)
    Q_PROPERTY(QString requestId READ requestId NOTIFY resultChanged)
    Q_PROPERTY(bool hasResult READ hasResult NOTIFY resultChanged)

public:
    explicit Workbench(QObject *parent = nullptr);
    ~Workbench() override;

    [[nodiscard]] QString model() const { return m_model; }
    void setModel(const QString &model);
    [[nodiscard]] bool usingSimulator() const { return m_simulator != nullptr; }
    [[nodiscard]] QUrl endpoint() const { return m_endpoint; }
    [[nodiscard]] QString endpointText() const { return m_endpoint.toString(); }
    [[nodiscard]] QString setupError() const { return m_setupError; }
    [[nodiscard]] bool running() const { return m_running; }
    [[nodiscard]] QString answer() const { return m_answer; }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }
    [[nodiscard]] double latencyMs() const { return m_latencyMs; }
    /// Tokens of the last answer (one request stays far below 2^31).
    [[nodiscard]] int inputTokens() const { return int(m_inputTokens); }
    [[nodiscard]] int outputTokens() const { return int(m_outputTokens); }
    [[nodiscard]] QString requestId() const { return m_requestId; }
    [[nodiscard]] bool hasResult() const { return m_hasResult; }
    /// Where the key came from, or why the keychain could not be used and
    /// what to do (empty while nothing is known yet). Never the key.
    [[nodiscard]] QString keyStatus() const { return m_keyStatus; }

    /// Saves `key` for OpenAI (api.openai.com) in the system keychain and,
    /// once saved, sends the next runs there. keyStatus reports the outcome.
    Q_INVOKABLE void saveApiKey(const QString &key);

    /// Sends `prompt` to the current model; ignored while a run is going.
    Q_INVOKABLE void run(const QString &prompt);

Q_SIGNALS:
    void modelChanged();
    void endpointChanged();
    void keyStatusChanged();
    void runningChanged();
    void resultChanged();

private:
    void setRunning(bool running);
    void useEndpoint(const QUrl &endpoint, const QByteArray &apiKey);
    void setKeyStatus(const QString &status);

    sim::SimServer *m_simulator = nullptr;
    LlmService *m_service = nullptr;
    SecretStore *m_secrets = nullptr;
    QString m_keyStatus;
    QUrl m_pendingEndpoint; ///< switch to it when the running request ends
    QByteArray m_pendingKey;
    QUrl m_endpoint;
    QString m_setupError;
    QString m_model;
    bool m_running = false;
    bool m_hasResult = false;
    QString m_answer;
    QString m_errorMessage;
    double m_latencyMs = 0.0;
    qint64 m_inputTokens = 0;
    qint64 m_outputTokens = 0;
    QString m_requestId;
};

} // namespace sluice
