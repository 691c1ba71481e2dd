// Standard base64 (RFC 4648, with padding): Secret `data` values.
#pragma once

#include <string>
#include <string_view>

namespace fc_platform {

std::string base64_encode(std::string_view bytes);

}  // namespace fc_platform
