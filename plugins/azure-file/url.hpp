// Percent-encoding of share paths and query strings (RFC 3986 unreserved
// characters stay as they are), so the signed path is exactly the one sent.
#pragma once

#include <string>
#include <string_view>

#include "shared_key.hpp"

namespace tshost::azure {

std::string percent_encode(std::string_view text);
/// Encodes each '/'-separated segment of a relative path.
std::string encode_path(std::string_view path);
/// "?a=1&b=2" from decoded pairs, or "" when there are none.
std::string encode_query(const NameValues& query);

}  // namespace tshost::azure
