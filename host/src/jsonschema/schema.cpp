#include "jsonschema/schema.hpp"

#include <set>

#include "jsonschema/compiler.hpp"
#include "jsonschema/model.hpp"

namespace tshost::jsonschema {

SchemaError::SchemaError(std::string schema_pointer, const std::string& message)
    : std::runtime_error("invalid schema at " +
                         (schema_pointer.empty() ? std::string("(root)") : schema_pointer) + ": " +
                         message),
      pointer_(std::move(schema_pointer)) {}

std::string to_string(const ValidationError& error) {
    return error.key_path + ": " + error.message;
}

Schema::Schema(std::shared_ptr<const detail::CompiledSchema> compiled)
    : compiled_(std::move(compiled)) {}

Schema Schema::compile(const nlohmann::json& schema, const CompileOptions& options) {
    auto compiled = std::make_shared<detail::CompiledSchema>();
    detail::Compiler compiler(options, *compiled);
    compiled->root = compiler.compile(schema);
    return Schema(std::move(compiled));
}

std::vector<ValidationError> Schema::validate(const nlohmann::json& instance,
                                              std::size_t max_errors) const {
    std::vector<detail::ErrorRecord> records;
    detail::Evaluator evaluator(&records, max_errors);
    evaluator.validate(*compiled_->root, instance, nullptr);
    // Different keywords can reach the same conclusion (a merged anyOf type error and the
    // type error of a sibling); say it once.
    std::set<std::pair<std::string, std::string>> seen;
    std::erase_if(records, [&](const detail::ErrorRecord& record) {
        return !seen.emplace(record.error.instance_pointer, record.error.message).second;
    });
    if (max_errors != 0 && records.size() > max_errors) {
        records.erase(records.begin() + static_cast<std::ptrdiff_t>(max_errors), records.end());
    }
    return detail::to_public(std::move(records));
}

bool Schema::is_valid(const nlohmann::json& instance) const {
    detail::Evaluator evaluator(nullptr, 0);
    return evaluator.validate(*compiled_->root, instance, nullptr);
}

}  // namespace tshost::jsonschema
