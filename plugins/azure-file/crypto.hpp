// Small OpenSSL wrappers the signer and the plugin need: HMAC-SHA256, SHA-256 and
// base64. Kept apart so the signer can be tested without any network code.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tshost::azure {

/// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
std::string base64_encode(std::string_view bytes);
/// std::nullopt when `text` is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tshost::azure
