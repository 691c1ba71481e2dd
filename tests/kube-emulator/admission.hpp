// Admission for created/updated objects: the training-operator's defaulting and validating
// webhooks, FrameworkController's rules, minimal Pod validation, and (when the project's JSON
// Schema library is available) the CRDs' openAPIV3Schema.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "api_error.hpp"
#include "common.hpp"
#include "resources.hpp"

namespace kemu {

class Admission {
  public:
    /// Loads every CRD YAML in `crd_dir` (missing dir: webhook rules only).
    explicit Admission(const std::string& crd_dir);
    ~Admission();

    /// Applies defaulting to `obj` in place, then validates; `old` is the stored object on updates.
    std::optional<ApiError> admit(const ResourceType& rt, json& obj, const json* old) const;

    /// kind → openAPIV3Schema, for the OpenAPI documents.
    const std::map<std::string, json>& schemas() const { return schemas_; }
    bool schema_validation() const;

  private:
    struct Compiled;
    std::map<std::string, json> schemas_;
    std::map<std::string, std::unique_ptr<Compiled>> compiled_;
};

/// metadata.name rule shared by every stored kind (DNS-1123 subdomain).
bool valid_object_name(const std::string& name);

/// yaml-cpp node tree → JSON (plain scalars become numbers/booleans/null where they parse).
json yaml_file_to_json(const std::string& path);

}  // namespace kemu
