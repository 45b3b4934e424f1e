#pragma once

#include "sim/simserver.h"

#include <QList>
#include <QNetworkRequest>
#include <QtGlobal>

#include <memory>
#include <utility>

namespace sluice::sim::test {

/// An in-process simulator on a free loopback port; aborts the test run if it
/// cannot listen (nothing else in the test could be trusted then).
inline std::unique_ptr<SimServer> startSim(SimConfig config = {})
{
    auto server = std::make_unique<SimServer>(std::move(config));
    if (!server->listen())
        qFatal("cannot listen: %s", qPrintable(server->errorString()));
    return server;
}

/// A JSON request to `path` on `server`, with extra raw headers.
inline QNetworkRequest simRequest(const SimServer &server, const QString &path,
    const QList<std::pair<QByteArray, QByteArray>> &headers = {})
{
    QUrl url = server.baseUrl();
    url.setPath(path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    return request;
}

} // namespace sluice::sim::test
