// Compiled JSON Schemas keyed by their text, for the validate_json host service:
// platforms validate every manifest against the same large CRD schema, which
// should be compiled once, not per trial.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace tshost::jsonschema {
class Schema;
}

namespace tshost::plugin {

/// The compiled schema for `schema_text`; throws std::exception when the text is
/// not JSON or not a valid schema. Thread-safe.
std::shared_ptr<const jsonschema::Schema> cached_schema(std::string_view schema_text);

}  // namespace tshost::plugin
