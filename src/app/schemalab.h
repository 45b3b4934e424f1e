#pragma once

#include "core/schemavalidator.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QQmlEngine>
#include <QString>
#include <QVariantList>

#include <cstdint>
#include <optional>

namespace sluice {

/// The Schema page's controller (`Workbench.schema`): a JSON Schema being
/// edited, checked as it is typed; Compose sends it when asked to.
/// - `error` with `errorLine`/`errorColumn`: the text is not JSON, or not a
///   usable schema (then the line is that of the offending keyword's path);
/// - `lintFindings`: why OpenAI strict mode would refuse it, for a provider
///   that enforces schemas (`lintApplies`);
/// - `sample`: an instance generated from the schema (the simulator's
///   generator), another one with newSample();
/// - `answer` (the Workbench sets the last answer): its JSON validated against the
///   schema, with `answerLines` (the answer pretty-printed, one entry per
///   line: {text, failing, path}) so that the failing paths can be shown in
///   place, and `answerErrors` ({path, message}).
class SchemaLab : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Workbench.schema is the one schema")

    Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
    Q_PROPERTY(QString providerId READ providerId WRITE setProviderId NOTIFY lintChanged)
    Q_PROPERTY(QString answer READ answer WRITE setAnswer NOTIFY answerChanged)
    Q_PROPERTY(bool valid READ valid NOTIFY textChanged)
    Q_PROPERTY(QString error READ error NOTIFY textChanged)
    Q_PROPERTY(int errorLine READ errorLine NOTIFY textChanged)
    Q_PROPERTY(int errorColumn READ errorColumn NOTIFY textChanged)
    Q_PROPERTY(bool lintApplies READ lintApplies NOTIFY lintChanged)
    Q_PROPERTY(QVariantList lintFindings READ lintFindings NOTIFY lintChanged)
    Q_PROPERTY(QString sample READ sample NOTIFY sampleChanged)
    Q_PROPERTY(int answerState READ answerState NOTIFY answerChanged)
    Q_PROPERTY(QString answerMessage READ answerMessage NOTIFY answerChanged)
    Q_PROPERTY(QVariantList answerErrors READ answerErrors NOTIFY answerChanged)
    Q_PROPERTY(QVariantList answerLines READ answerLines NOTIFY answerChanged)
    Q_PROPERTY(QVariantList examples READ examples CONSTANT)

public:
    /// What became of the last answer.
    enum AnswerState {
        NoAnswer,      ///< nothing to check (no answer, or no usable schema)
        NotJson,       ///< no JSON found in the answer
        AnswerValid,   ///< valid against the schema
        AnswerInvalid, ///< answerErrors says where and why
    };
    Q_ENUM(AnswerState)

    explicit SchemaLab(QObject *parent = nullptr);

    [[nodiscard]] QString text() const { return m_text; }
    void setText(const QString &text);
    [[nodiscard]] QString providerId() const { return m_providerId; }
    void setProviderId(const QString &providerId);
    [[nodiscard]] QString answer() const { return m_answer; }
    void setAnswer(const QString &answer);

    [[nodiscard]] bool valid() const { return m_valid; }
    [[nodiscard]] QString error() const { return m_error; }
    [[nodiscard]] int errorLine() const { return m_errorLine; }
    [[nodiscard]] int errorColumn() const { return m_errorColumn; }
    [[nodiscard]] bool lintApplies() const { return m_lintApplies; }
    [[nodiscard]] QVariantList lintFindings() const { return m_lintFindings; }
    [[nodiscard]] QString sample() const { return m_sample; }
    [[nodiscard]] int answerState() const { return m_answerState; }
    [[nodiscard]] QString answerMessage() const { return m_answerMessage; }
    [[nodiscard]] QVariantList answerErrors() const { return m_answerErrors; }
    [[nodiscard]] QVariantList answerLines() const { return m_answerLines; }
    /// The schema when `valid`.
    [[nodiscard]] QJsonObject schema() const { return m_schema.toObject(); }
    /// [{name, description}], in the order of loadExample's index.
    [[nodiscard]] QVariantList examples() const;

    /// Replaces the text with example `index`.
    Q_INVOKABLE void loadExample(int index);
    /// Generates another sample instance (the next seed).
    Q_INVOKABLE void newSample();

Q_SIGNALS:
    void textChanged();
    void lintChanged();
    void sampleChanged();
    void answerChanged();

private:
    void parse();
    void lint();
    void generateSample();
    void check();

    QString m_text;
    QString m_providerId;
    QString m_answer;
    QJsonValue m_schema; ///< the parsed schema (undefined when the text is not JSON)
    std::optional<SchemaValidator> m_validator; ///< when the schema compiles
    bool m_valid = false;
    QString m_error;
    int m_errorLine = 0;
    int m_errorColumn = 0;
    bool m_lintApplies = false;
    QVariantList m_lintFindings;
    std::uint64_t m_seed = 1;
    QString m_sample;
    int m_answerState = NoAnswer;
    QString m_answerMessage;
    QVariantList m_answerErrors;
    QVariantList m_answerLines;
};

} // namespace sluice
