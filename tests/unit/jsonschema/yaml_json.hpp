// YAML to JSON for test inputs (the Kubeflow CRDs are YAML), with YAML 1.2 core-schema typing
// of plain scalars.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace tshost::jsonschema::testing {

nlohmann::json load_yaml_as_json(const std::filesystem::path& path);

}  // namespace tshost::jsonschema::testing
