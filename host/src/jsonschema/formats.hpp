// Checks for the "format" keyword, used only when format assertion is on (CompileOptions or
// the 2020-12 format-assertion vocabulary); otherwise "format" is an annotation.
#pragma once

#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "jsonschema/values.hpp"

namespace tshost::jsonschema::detail {

struct FormatChecker {
    bool (*check)(const nlohmann::json& value);
    Kind applies_to;
};

// The checker for a format name (JSON Schema and OpenAPI names), or nullptr if unknown.
const FormatChecker* find_format(std::string_view name);

}  // namespace tshost::jsonschema::detail
