// URI references (RFC 3986) and JSON pointers (RFC 6901), as "$id" and "$ref" use them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tshost::jsonschema::detail {

// Resolves `reference` against `base`. A relative base is allowed (a schema without "$id"):
// the result is then relative too, which is fine as a lookup key.
std::string resolve_uri(std::string_view base, std::string_view reference);

// Splits "uri#fragment" into ("uri", "fragment"); the fragment is empty when there is none.
std::pair<std::string, std::string> split_fragment(std::string_view uri);

std::string percent_decode(std::string_view text);

std::string escape_pointer_token(std::string_view token);

// Unescaped tokens of a JSON pointer, or nullopt if it is malformed.
std::optional<std::vector<std::string>> parse_pointer(std::string_view pointer);

// The value a pointer designates inside `document`, or nullptr.
const nlohmann::json* resolve_pointer(const nlohmann::json& document, std::string_view pointer);

}  // namespace tshost::jsonschema::detail
