#include "jsonschema/schema.hpp"

#include "config/experiment_config.hpp"

namespace tshost::config {

std::vector<Diagnostic> validate_section(const ExperimentConfig& config,
                                         const PluginSection& section,
                                         const jsonschema::Schema& schema) {
    std::vector<Diagnostic> out;
    const std::string base = pointer_from_key_path(section.key_path);
    try {
        for (const jsonschema::ValidationError& error : schema.validate(section.config)) {
            out.push_back(config.diagnostic_at(base + error.instance_pointer, error.message));
        }
    } catch (const std::exception& e) {
        out.push_back(config.diagnostic_at(base, std::string("cannot validate: ") + e.what()));
    }
    return out;
}

}  // namespace tshost::config
