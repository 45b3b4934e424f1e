#pragma once

#include <QObject>
#include <QQmlEngine>
#include <QUrl>

#include <memory>

namespace sluice {

class LlmService;
namespace sim {
class SimServer;
}

/// The Compose page's controller: one prompt to one model, the answer and
/// what it cost in time and tokens. With no API key configured it starts the
/// embedded simulator in-process and says so (`usingSimulator`).
class Workbench : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    Q_PROPERTY(QString model READ model WRITE setModel NOTIFY modelChanged)
    Q_PROPERTY(bool usingSimulator READ usingSimulator CONSTANT)
    Q_PROPERTY(QString endpoint READ endpointText CONSTANT)
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

    /// Sends `prompt` to the current model; ignored while a run is going.
    Q_INVOKABLE void run(const QString &prompt);

Q_SIGNALS:
    void modelChanged();
    void runningChanged();
    void resultChanged();

private:
    void setRunning(bool running);

    sim::SimServer *m_simulator = nullptr;
    LlmService *m_service = nullptr;
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
