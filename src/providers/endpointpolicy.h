#pragma once

#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

namespace sluice {

/// Transport security policy for an endpoint URL. Certificate errors are
/// never ignored (HttpTransport); plain HTTP is fine to this machine or a
/// private network, and anywhere else sent with a warning.
enum class EndpointSecurity {
    Tls,         ///< https
    PlainLocal,  ///< http to loopback, a private (RFC 1918 / ULA) or link-local address
    PlainRemote, ///< http to anywhere else: the key and prompts travel in clear
};

[[nodiscard]] EndpointSecurity endpointSecurity(const QUrl &url);

/// True for "localhost" and for loopback, private and link-local IP
/// literals. Names other than localhost are not resolved: they count as remote.
[[nodiscard]] bool isLocalHost(const QString &host);

/// The one-line warning for a PlainRemote endpoint (empty otherwise).
[[nodiscard]] QString plainHttpWarning(const QUrl &url);

/// The certificates of a PEM CA bundle (a corporate proxy's root, a
/// self-signed test server). `error` is set when the file is unreadable or
/// holds no certificate.
struct CaBundle
{
    QList<QSslCertificate> certificates;
    QString error;
};
[[nodiscard]] CaBundle loadCaBundle(const QString &path);

/// Trusts `certificates` in addition to the system's CAs for every TLS
/// connection this process opens afterwards (QSslConfiguration's default,
/// which each QNetworkRequest starts from). Qt does not read SSL_CERT_FILE.
void trustAdditionalCaCertificates(const QList<QSslCertificate> &certificates);

} // namespace sluice
