// JSON value semantics the specification asks for and nlohmann::json does not give directly:
// numbers compared by mathematical value across integer and floating representations, and
// deep comparison that cannot exhaust the stack on adversarial instances.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tshost::jsonschema::detail {

using json = nlohmann::json;

// Instance kinds keywords are dispatched on; JSON has one number kind.
enum class Kind : std::uint8_t { Null, Boolean, Number, String, Array, Object };
inline constexpr std::size_t kKindCount = 6;

Kind kind_of(const json& value) noexcept;

// An integer, or a float with no fractional part (1.0 is an integer since draft 6).
bool is_integral(const json& number) noexcept;

// -1, 0, 1 as a is less than, equal to or greater than b, exact for every int64, uint64 and
// double pairing; kUnordered when either is NaN (which YAML's .nan can produce). Both must be
// numbers.
inline constexpr int kUnordered = 2;
int compare_numbers(const json& a, const json& b) noexcept;

// Whether value / divisor is an integer, computed on the shortest decimal form of each number
// so that 0.3 is a multiple of 0.1 and 1e308 is not a multiple of 0.123456789.
bool is_multiple_of(const json& value, const json& divisor) noexcept;

// Structural equality with numbers compared by value; iterative, so any depth is safe.
bool json_equal(const json& a, const json& b);

// A hash consistent with json_equal.
std::size_t json_hash(const json& value);

// Whether any value nests more than `limit` arrays/objects deep; iterative.
bool deeper_than(const json& value, std::size_t limit);

// Length in Unicode code points, as the specification counts string length.
std::size_t utf8_length(std::string_view text) noexcept;

}  // namespace tshost::jsonschema::detail
