#pragma once

#include "core/errorclass.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace sluice {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

/// The bytes a provider wants sent: built by Provider::encode (a POST) or a
/// Batch API (batchcall.h: a POST or a GET), sent by HttpTransport. Headers
/// may carry the key: never log or persist them.
struct HttpRequest
{
    /// A GET sends no body. Last, so `{url, headers, body}` still builds a POST.
    enum class Method {
        Post,
        Get,
    };
    QUrl url;
    HttpHeaders headers;
    QByteArray body;
    Method method = Method::Post;
};

/// What came back for one attempt. `status` is 0 when no HTTP answer
/// arrived; then `transportError` says why (network, timeout, tls).
struct HttpResponse
{
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    ErrorClass transportError = ErrorClass::None;
    QString transportMessage;

    /// The first header with this name, compared case-insensitively; empty if absent.
    [[nodiscard]] QByteArray header(QByteArrayView name) const;
};

} // namespace sluice
