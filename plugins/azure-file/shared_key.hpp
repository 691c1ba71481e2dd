// Shared Key authorization for the Azure Files REST API, as Azure documents it in
// "Authorize with Shared Key" (string-to-sign for the Blob, Queue and File
// services, version 2009-09-19 and later; Content-Length empty when zero for
// x-ms-version 2015-02-21 and later).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tshost::azure {

using NameValues = std::vector<std::pair<std::string, std::string>>;

/// What the signature covers. `path` is the URI path exactly as sent (percent-
/// encoded, starting with '/'); `query` holds decoded names and values; `headers`
/// are the request headers in any case and order.
struct SignedRequest {
    std::string_view method;
    std::string_view path;
    const NameValues& query;
    const NameValues& headers;
};

/// The canonicalized x-ms- headers: lowercase names, sorted, values with linear
/// whitespace folded to one space, each line ending in '\n'.
std::string canonicalized_headers(const NameValues& headers);
/// "/<account><path>" then "\n<name>:<v1,v2>" per lowercase query name, sorted,
/// values of a repeated name sorted.
std::string canonicalized_resource(std::string_view account, std::string_view path,
                                   const NameValues& query);
std::string string_to_sign(std::string_view account, const SignedRequest& request);
/// The value of the Authorization header: "SharedKey <account>:<base64 signature>".
/// `key` is the decoded account key.
std::string authorization(std::string_view account, std::string_view key,
                          const SignedRequest& request);

}  // namespace tshost::azure
