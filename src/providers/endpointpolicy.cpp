#include "providers/endpointpolicy.h"

#include <QFile>
#include <QHostAddress>
#include <QSslConfiguration>

namespace sluice {

bool isLocalHost(const QString &host)
{
    if (host.compare(u"localhost", Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    if (address.isNull())
        return false;
    if (address.isLoopback() || address.isLinkLocal() || address.isUniqueLocalUnicast())
        return true;
    static const QPair<QHostAddress, int> privateRanges[] = {
        QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8")),
        QHostAddress::parseSubnet(QStringLiteral("172.16.0.0/12")),
        QHostAddress::parseSubnet(QStringLiteral("192.168.0.0/16")),
    };
    bool isV4 = false;
    const QHostAddress v4(address.toIPv4Address(&isV4));
    const QHostAddress &candidate = isV4 ? v4 : address;
    for (const auto &[network, prefix] : privateRanges) {
        if (candidate.isInSubnet(network, prefix))
            return true;
    }
    return false;
}

EndpointSecurity endpointSecurity(const QUrl &url)
{
    if (url.scheme().compare(u"https", Qt::CaseInsensitive) == 0)
        return EndpointSecurity::Tls;
    return isLocalHost(url.host()) ? EndpointSecurity::PlainLocal : EndpointSecurity::PlainRemote;
}

QString plainHttpWarning(const QUrl &url)
{
    if (endpointSecurity(url) != EndpointSecurity::PlainRemote)
        return {};
    return QStringLiteral("warning: %1 is plain HTTP to a host that is not local; the key and "
                          "the prompt travel unencrypted (use https)")
        .arg(url.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery).toString());
}

CaBundle loadCaBundle(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {{}, QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    CaBundle bundle {QSslCertificate::fromData(file.readAll(), QSsl::Pem), {}};
    if (bundle.certificates.isEmpty())
        bundle.error = QStringLiteral("%1 holds no PEM certificate").arg(path);
    return bundle;
}

void trustAdditionalCaCertificates(const QList<QSslCertificate> &certificates)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.addCaCertificates(certificates);
    QSslConfiguration::setDefaultConfiguration(configuration);
}

} // namespace sluice
