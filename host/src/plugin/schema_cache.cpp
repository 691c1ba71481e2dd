#include "plugin/schema_cache.hpp"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "jsonschema/schema.hpp"

namespace tshost::plugin {
namespace {

using nlohmann::json;

// What validate_json accepts as a Kubernetes schema (OpenAPI v3 rules: nullable,
// undeclared keys rejected as the API server would drop them): a whole
// CustomResourceDefinition (its storage version's schema is used), or
// {"openAPIV3Schema": {...}} as a CRD version carries it. Anything else is a JSON
// Schema, draft 2020-12 unless it says "$schema".
jsonschema::Schema compile(const json& document) {
    const json* openapi = nullptr;
    if (document.is_object() && document.value("kind", "") == "CustomResourceDefinition") {
        const json& versions = document.at("spec").at("versions");
        for (const auto& version : versions) {
            if (version.value("storage", false) || openapi == nullptr) {
                openapi = &version.at("schema").at("openAPIV3Schema");
            }
        }
        if (openapi == nullptr) {
            throw std::invalid_argument("the CustomResourceDefinition has no versions");
        }
    } else if (document.is_object() && document.size() == 1 &&
               document.contains("openAPIV3Schema")) {
        openapi = &document.at("openAPIV3Schema");
    }
    if (openapi == nullptr) {
        return jsonschema::Schema::compile(document);
    }
    jsonschema::CompileOptions options;
    options.openapi_v3 = true;
    return jsonschema::Schema::compile(*openapi, options);
}

}  // namespace

std::shared_ptr<const jsonschema::Schema> cached_schema(std::string_view schema_text) {
    // A handful of distinct schemas per experiment: past this bound something is
    // generating schemas, and keeping them all would only grow memory.
    constexpr size_t kMaxEntries = 64;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const jsonschema::Schema>, std::less<>> cache;

    {
        std::lock_guard lock(mutex);
        if (const auto it = cache.find(schema_text); it != cache.end()) {
            return it->second;
        }
    }
    auto schema =
        std::make_shared<const jsonschema::Schema>(compile(nlohmann::json::parse(schema_text)));
    std::lock_guard lock(mutex);
    if (cache.size() >= kMaxEntries) {
        cache.clear();
    }
    cache.emplace(std::string(schema_text), schema);
    return schema;
}

}  // namespace tshost::plugin
