// Small helpers shared by every part of the emulator. Kept free of Boost/Beast so that
// every translation unit can include it cheaply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kemu {

using json = nlohmann::json;

/// RFC 3339 UTC timestamp with second precision, as metav1.Time serialises.
std::string now_rfc3339();

/// Random RFC 4122 version-4 UUID (metadata.uid).
std::string new_uid();

/// `n` random lower-case hex characters (event name suffixes, pod directory names).
std::string random_hex(std::size_t n);

std::string base64_encode(std::string_view in);
std::optional<std::string> base64_decode(std::string_view in);

/// Percent-decoding of one query component ('+' is a space, as in forms).
std::string url_decode(std::string_view in);

/// obj[a][b]... as a string if every step exists and the leaf is a string, else "".
std::string get_string(const json& obj, std::initializer_list<const char*> path);

/// The object's labels (an empty object when absent), never throws.
const json& labels_of(const json& obj);

}  // namespace kemu
