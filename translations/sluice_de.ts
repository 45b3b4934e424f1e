<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>ApiKeyDialog</name>
    <message>
        <location filename="../qml/ApiKeyDialog.qml" line="11"/>
        <source>OpenAI API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ApiKeyDialog.qml" line="28"/>
        <source>The key is saved in the system keychain for api.openai.com and sent only there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ApiKeyDialog.qml" line="36"/>
        <source>sk-...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ComposePage</name>
    <message>
        <location filename="../qml/ComposePage.qml" line="59"/>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="73"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="90"/>
        <source>Instructions</source>
        <translation>Anweisungen</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="102"/>
        <source>Optional system prompt, e.g. You answer in one short paragraph.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="108"/>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="124"/>
        <source>Write a prompt; {{name}} marks a variable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="138"/>
        <source>Variables</source>
        <translation>Variablen</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="138"/>
        <source>Variables: none (write {{name}} in the prompt to add one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="172"/>
        <source>value of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="186"/>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="202"/>
        <location filename="../qml/ComposePage.qml" line="218"/>
        <location filename="../qml/ComposePage.qml" line="219"/>
        <source>default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="209"/>
        <source>Max output tokens</source>
        <translation>Max. Ausgabe-Tokens</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="229"/>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="236"/>
        <source>Answer with the schema</source>
        <translation>Mit dem Schema antworten</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="241"/>
        <source>Sends the Schema page&apos;s schema (Ctrl+2) as structured output.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="245"/>
        <source>Stream</source>
        <translation>Streamen</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="257"/>
        <source>Ctrl+Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="274"/>
        <source>Answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="280"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="307"/>
        <source>The answer appears here. Ctrl+Enter runs the prompt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="320"/>
        <source>TTFT %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="321"/>
        <source>Latency %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="322"/>
        <source>Tokens %1 in / %2 out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="323"/>
        <source>Cost %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="324"/>
        <source>Request %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/ComposePage.qml" line="324"/>
        <source>(no id)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../qml/Main.qml" line="17"/>
        <source>Compose</source>
        <translation>Verfassen</translation>
    </message>
    <message>
        <location filename="../qml/Main.qml" line="18"/>
        <source>Schema</source>
        <translation>Schema</translation>
    </message>
    <message>
        <location filename="../qml/Main.qml" line="20"/>
        <source>Batch</source>
        <translation>Stapel</translation>
    </message>
    <message>
        <location filename="../qml/Main.qml" line="21"/>
        <source>Monitor</source>
        <translation>Monitor</translation>
    </message>
    <message>
        <location filename="../qml/Main.qml" line="22"/>
        <source>Traces</source>
        <translation>Traces</translation>
    </message>
    <message>
        <location filename="../qml/Main.qml" line="23"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../qml/Main.qml" line="44"/>
        <source>Sluice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/Main.qml" line="129"/>
        <source>Ctrl+%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sluice::PriceTable</name>
    <message>
        <location filename="../src/app/pricetable.cpp" line="33"/>
        <source>The saved price table %1 could not be read, so the built-in one is used: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/pricetable.cpp" line="79"/>
        <source>%1 was not imported; fix these and import it again:
%2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sluice::SchemaLab</name>
    <message>
        <location filename="../src/app/schemalab.cpp" line="227"/>
        <source>Write a JSON Schema, or start from an example.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="238"/>
        <source>Line %1, column %2: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="242"/>
        <source>A schema for structured output is a JSON object: wrap it in { }.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="249"/>
        <source>The schema cannot be used at %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="299"/>
        <source>No answer yet: run a prompt on the Compose page (Ctrl+1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="301"/>
        <source>Fix the schema to check the answer against it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="304"/>
        <source>The answer holds no JSON: ask for JSON in the prompt, for example by describing the fields the schema wants.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="333"/>
        <source>The answer is valid against the schema.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../src/app/schemalab.cpp" line="334"/>
        <source>%n problem(s) in the answer; the failing values are marked.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SchemaPage</name>
    <message>
        <location filename="../qml/SchemaPage.qml" line="29"/>
        <source>JSON Schema</source>
        <translation>JSON-Schema</translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="34"/>
        <source>Start from</source>
        <translation>Beginnen mit</translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="42"/>
        <source>an example…</source>
        <translation>einem Beispiel…</translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="62"/>
        <source>{ &quot;type&quot;: &quot;object&quot;, ... }</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="97"/>
        <source>Valid JSON Schema (draft 7).</source>
        <translation>Gültiges JSON-Schema (Draft 7).</translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="110"/>
        <source>Strict mode</source>
        <translation>Strikter Modus</translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="120"/>
        <source>This provider does not enforce schemas: Sluice validates the answer itself and repairs what it can.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="121"/>
        <source>Fix the schema to lint it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="122"/>
        <source>Ready for strict mode: the server will enforce it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/SchemaPage.qml" line="123"/>
        <source>%n reason(s) strict mode would refuse it; Sluice then sends it non-strict and validates the answer itself.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="147"/>
        <source>Sample instance</source>
        <translation>Beispielinstanz</translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="153"/>
        <source>Another</source>
        <translation>Noch eins</translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="170"/>
        <source>A valid schema gets a generated example here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SchemaPage.qml" line="175"/>
        <source>Last answer, validated</source>
        <translation>Letzte Antwort, geprüft</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../qml/SettingsPage.qml" line="16"/>
        <source>Import a price table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="17"/>
        <source>Price tables (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="17"/>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="40"/>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="49"/>
        <source>Dialect</source>
        <translation>Dialekt</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="62"/>
        <source>Base URL</source>
        <translation>Basis-URL</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="71"/>
        <source>empty: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="82"/>
        <source>Use this endpoint</source>
        <translation>Diesen Endpunkt verwenden</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="89"/>
        <source>Now: the built-in simulator (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="90"/>
        <source>Now: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="97"/>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="107"/>
        <source>Kept in the system keychain for this provider and host, never in Sluice&apos;s files. OPENAI_API_KEY or ANTHROPIC_API_KEY in the environment take precedence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="116"/>
        <source>Paste the key</source>
        <translation>Schlüssel einfügen</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="121"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="130"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="145"/>
        <source>Gates</source>
        <translation>Gates</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="154"/>
        <source>Requests per window</source>
        <translation>Anfragen pro Fenster</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="167"/>
        <location filename="../qml/SettingsPage.qml" line="184"/>
        <source>0 = no local limit</source>
        <translation>0 = kein lokales Limit</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="171"/>
        <source>Tokens per window</source>
        <translation>Tokens pro Fenster</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="188"/>
        <source>Window (seconds)</source>
        <translation>Fenster (Sekunden)</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="203"/>
        <source>Requests in flight</source>
        <translation>Gleichzeitige Anfragen</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="219"/>
        <source>Apply limits</source>
        <translation>Limits anwenden</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="227"/>
        <source>The server&apos;s own limits (rate-limit headers) apply as well.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="233"/>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="242"/>
        <source>Theme</source>
        <translation>Farbschema</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="247"/>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="248"/>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="249"/>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="263"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="268"/>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="279"/>
        <source>Price table</source>
        <translation>Preistabelle</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="295"/>
        <source>Built-in table, version %1. Prices per million tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="296"/>
        <source>%1, version %2. Prices per million tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="301"/>
        <source>Import…</source>
        <translation>Importieren…</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="305"/>
        <source>Use the built-in table</source>
        <translation>Eingebaute Tabelle verwenden</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="330"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="331"/>
        <source>Input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="332"/>
        <source>Cached</source>
        <translation>Zwischengespeichert</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="333"/>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <location filename="../qml/SettingsPage.qml" line="334"/>
        <source>Batch</source>
        <translation>Stapel</translation>
    </message>
</context>
<context>
    <name>SimulatorBanner</name>
    <message>
        <location filename="../qml/SimulatorBanner.qml" line="24"/>
        <source>SIMULATOR</source>
        <translation>SIMULATOR</translation>
    </message>
    <message>
        <location filename="../qml/SimulatorBanner.qml" line="33"/>
        <source>Answers come from the built-in simulator (sluice-sim at %1), not from a real model. No key is needed. To use a real provider, add its API key (kept in the system keychain) or set OPENAI_API_KEY / ANTHROPIC_API_KEY.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../qml/SimulatorBanner.qml" line="37"/>
        <source>Add API key…</source>
        <translation>API-Schlüssel hinzufügen…</translation>
    </message>
</context>
<context>
    <name>sluice::Workbench</name>
    <message>
        <location filename="../src/app/workbench.cpp" line="59"/>
        <source>The key was refused: %1. Check the key in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="61"/>
        <source>Not found: %1. Check the model name and the base URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="64"/>
        <source>Could not reach the endpoint: %1. Check the base URL in Settings and your connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="68"/>
        <source>No answer in time: %1. Try again, or a smaller prompt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="72"/>
        <source>The provider is busy: %1. Wait a moment and run again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="74"/>
        <source>The account is out of quota: %1. Check billing with the provider.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="77"/>
        <source>The provider rejected the request: %1. Check the parameters (some models take no temperature).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="81"/>
        <source>The request failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="218"/>
        <source>Unknown provider &apos;%1&apos;: pick one from the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="223"/>
        <source>&apos;%1&apos; is not an http(s) URL: enter one such as http://localhost:11434/v1, or leave it empty for the vendor&apos;s endpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="248"/>
        <source>Using the key in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="266"/>
        <source>Using the key saved in the system keychain for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="270"/>
        <source>The system keychain could not be read (%1): %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="283"/>
        <source>The built-in simulator could not start (%1): close other copies of Sluice or free a local port, then restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="371"/>
        <source>Paste a key first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="381"/>
        <source>The key was not saved (%1): %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="385"/>
        <source>Key saved in the system keychain for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="399"/>
        <source>The key was not removed (%1): %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="403"/>
        <source>No key saved for %1 any more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="534"/>
        <source>Enter a model name, then run.</source>
        <translation>Geben Sie einen Modellnamen ein und führen Sie dann aus.</translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="536"/>
        <source>Write a prompt, then run.</source>
        <translation>Schreiben Sie einen Prompt und führen Sie ihn dann aus.</translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="538"/>
        <source>Fix the template first: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="540"/>
        <source>The schema has a problem (%1): fix it on the Schema page (Ctrl+2), or turn off Answer with the schema.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="598"/>
        <source>cost unknown (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="605"/>
        <source>The answer does not match the schema: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="609"/>
        <source>The model refused to answer; rephrase the prompt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="613"/>
        <source>The answer stopped at the output token limit: raise Max output tokens and run again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="615"/>
        <source>The answer stopped early (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="618"/>
        <source>Not sent: the estimate does not fit under the budget.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/workbench.cpp" line="621"/>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sluice::SchemaLab</name>
    <message>
        <location filename="../src/app/schemalab.cpp" line="28"/>
        <source>Review summary</source>
        <translation>Rezensionsübersicht</translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="29"/>
        <source>A summary, a rating and a sentiment (strict-ready).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="42"/>
        <source>Contact card</source>
        <translation>Kontaktkarte</translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="43"/>
        <source>A name, an email and an optional phone (null).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="55"/>
        <source>Invoice lines</source>
        <translation>Rechnungspositionen</translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="56"/>
        <source>Nested objects in an array, with $defs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="80"/>
        <source>Loose (lint demo)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/schemalab.cpp" line="81"/>
        <source>Valid JSON Schema that strict mode refuses.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
