// Wording shared by every keyword's error messages. Messages are read by someone editing a
// YAML or JSON file, so values are shown the way they would write them, and long values are cut.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tshost::jsonschema::detail {

// 'name', for keys and property names.
std::string quote_key(std::string_view key);

// A value as the user would write it: "tf", 0, 1.5, true, null; containers are summarised.
std::string value_text(const nlohmann::json& value);

// A value with its kind, for type mismatches: string "8", integer 0, boolean true, null, object.
std::string typed_value_text(const nlohmann::json& value);

// The schema type name of a value: null, boolean, integer, number, string, array, object.
std::string_view type_name(const nlohmann::json& value);

// "a", "a or b", "a, b or c".
std::string join_alternatives(const std::vector<std::string>& items,
                              std::string_view last_sep = " or ");

// "1 item", "2 items".
std::string count_of(std::size_t n, std::string_view noun);

// The candidate a user most likely meant when typing `word`, if one is close enough.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// " — did you mean 'x'?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// `must be one of "a", "b" (got "c")`, or `must be "a" (got "c")` for a single value, with a
// suggestion when the instance is a near miss of one of the strings.
std::string must_be_one_of(const std::vector<const nlohmann::json*>& allowed,
                           const nlohmann::json& instance);

// A schema value written out in full (for enum/const), cut when long.
std::string literal_text(const nlohmann::json& value);

}  // namespace tshost::jsonschema::detail
