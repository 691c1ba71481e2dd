// JSON Schema validation for experiment configs, plugin configs and Kubernetes manifests.
//
// Compile a schema once, then validate many instances with it. A compiled Schema is immutable:
// one instance may be shared by any number of threads.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tshost::jsonschema {

// Which specification a schema follows when it does not say so itself with "$schema".
enum class Draft { Draft4, Draft6, Draft7, Draft2019_09, Draft2020_12 };

// Returns the document at an absolute URI (no fragment), or nullopt if it is unknown.
// Called only while compiling, for "$ref" targets that are not part of the schema itself.
using Resolver = std::function<std::optional<nlohmann::json>(const std::string& uri)>;

struct CompileOptions {
    Draft default_draft = Draft::Draft2020_12;
    Resolver resolver;
    // Kubernetes CRD "openAPIV3Schema": draft-04 keywords plus "nullable"; "x-kubernetes-*"
    // extensions are ignored except "x-kubernetes-preserve-unknown-fields: true". An object
    // schema that declares "properties" rejects undeclared keys unless it says otherwise,
    // because the API server would silently drop them.
    bool openapi_v3 = false;
    // By default "format" is an annotation, as the specification says; set this to check it.
    bool format_assertion = false;
    // Base URI of the root schema when it has no "$id" (relative "$ref"s resolve against it).
    std::string base_uri;
};

struct ValidationError {
    std::string instance_pointer;  // RFC 6901; "" is the whole document
    std::string key_path;          // e.g. trainingService.worker[0].replicas, or "(root)"
    std::string schema_pointer;    // "/properties/x/minimum"; "<uri>#/..." in another document
    std::string message;           // what is wrong and how to fix it
};

// "key_path: message", the form to show a user.
std::string to_string(const ValidationError& error);

// The schema itself is invalid: a keyword with a value of the wrong kind, a bad regular
// expression, an unresolvable "$ref", or nesting beyond what the validator accepts.
class SchemaError : public std::runtime_error {
  public:
    SchemaError(std::string schema_pointer, const std::string& message);
    const std::string& schema_pointer() const noexcept { return pointer_; }

  private:
    std::string pointer_;
};

namespace detail {
struct CompiledSchema;
}

class Schema {
  public:
    static Schema compile(const nlohmann::json& schema, const CompileOptions& options = {});

    // All errors, up to max_errors (0 means no limit); empty when the instance is valid.
    std::vector<ValidationError> validate(const nlohmann::json& instance,
                                          std::size_t max_errors = 50) const;
    // Stops at the first failure and builds no messages.
    bool is_valid(const nlohmann::json& instance) const;

  private:
    explicit Schema(std::shared_ptr<const detail::CompiledSchema> compiled);
    std::shared_ptr<const detail::CompiledSchema> compiled_;
};

}  // namespace tshost::jsonschema
