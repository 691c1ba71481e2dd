#include "admission.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <regex>
#include <set>

#include <yaml-cpp/yaml.h>

#ifdef KEMU_HAVE_JSONSCHEMA
#include "jsonschema/schema.hpp"
#endif

namespace kemu {
namespace {

using Causes = std::vector<FieldCause>;

json yaml_to_json(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: {
            json out = json::object();
            for (const auto& kv : node) {
                out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
            }
            return out;
        }
        case YAML::NodeType::Sequence: {
            json out = json::array();
            for (const auto& item : node) {
                out.push_back(yaml_to_json(item));
            }
            return out;
        }
        case YAML::NodeType::Scalar: {
            const std::string s = node.Scalar();
            if (node.Tag() == "!") {  // quoted: always a string
                return s;
            }
            if (s == "true" || s == "false") {
                return s == "true";
            }
            if (s == "null" || s == "~") {
                return nullptr;
            }
            static const std::regex kInt("^-?[0-9]+$");
            static const std::regex kFloat("^-?[0-9]+\\.[0-9]+([eE][-+]?[0-9]+)?$");
            if (std::regex_match(s, kInt)) {
                return std::stoll(s);
            }
            if (std::regex_match(s, kFloat)) {
                return std::stod(s);
            }
            return s;
        }
        default:
            return nullptr;
    }
}

std::string quoted(const json& v) {
    return v.is_string() ? "\"" + v.get<std::string>() + "\"" : v.dump();
}

void required(Causes& c, const std::string& field, const std::string& detail = {}) {
    c.push_back(
        {"FieldValueRequired", field, "Required value" + (detail.empty() ? "" : ": " + detail)});
}
void invalid_value(Causes& c, const std::string& field, const json& value,
                   const std::string& detail) {
    c.push_back({"FieldValueInvalid", field, "Invalid value: " + quoted(value) + ": " + detail});
}
void forbidden(Causes& c, const std::string& field, const std::string& detail) {
    c.push_back({"FieldValueForbidden", field, "Forbidden: " + detail});
}
void not_supported(Causes& c, const std::string& field, const json& value,
                   const std::vector<std::string>& supported) {
    std::string list;
    for (const auto& s : supported) {
        list += (list.empty() ? "\"" : ", \"") + s + "\"";
    }
    c.push_back({"FieldValueNotSupported", field,
                 "Unsupported value: " + quoted(value) + ": supported values: " + list});
}

bool is_dns1035_label(const std::string& s) {
    static const std::regex kRe("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    return s.size() <= 63 && std::regex_match(s, kRe);
}

bool is_dns1123_subdomain(const std::string& s) {
    static const std::regex kRe(
        "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    return !s.empty() && s.size() <= 253 && std::regex_match(s, kRe);
}

/// Integer field check that tolerates absent values; a non-integer is a type error.
std::optional<std::int64_t> int_field(Causes& c, const json& parent, const char* key,
                                      const std::string& path) {
    if (!parent.is_object() || !parent.contains(key) || parent[key].is_null()) {
        return std::nullopt;
    }
    if (!parent[key].is_number_integer()) {
        invalid_value(c, path, parent[key], "must be of type integer");
        return std::nullopt;
    }
    return parent[key].get<std::int64_t>();
}

// ---- Kubeflow training-operator (v1.9 webhooks) ---------------------------------------------

struct KubeflowKind {
    const char* specs_key;       // tfReplicaSpecs / pytorchReplicaSpecs
    const char* container_name;  // tensorflow / pytorch
    const char* default_restart;
    const char* port_name;
    int port;
    std::vector<std::string> replica_types;
};

const KubeflowKind kTf{
    "tfReplicaSpecs", "tensorflow", "Never",
    "tfjob-port",     2222,         {"PS", "Worker", "Chief", "Master", "Evaluator"}};
const KubeflowKind kPyTorch{"pytorchReplicaSpecs", "pytorch", "OnFailure",
                            "pytorchjob-port",     23456,     {"Master", "Worker"}};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return s;
}

/// The defaulting webhook: canonical replica type keys, replicas 1, restartPolicy, default port,
/// cleanPodPolicy None.
void default_kubeflow(const KubeflowKind& k, json& obj) {
    json& spec = obj["spec"];
    if (!spec.is_object()) {
        return;
    }
    json& run_policy = spec["runPolicy"];
    if (!run_policy.is_object()) {
        run_policy = json::object();
    }
    if (!run_policy.contains("cleanPodPolicy")) {
        run_policy["cleanPodPolicy"] = "None";
    }
    if (!spec.contains(k.specs_key) || !spec[k.specs_key].is_object()) {
        return;
    }
    json canonical = json::object();
    for (auto& [key, rspec] : spec[k.specs_key].items()) {
        std::string name = key;
        for (const auto& t : k.replica_types) {
            if (lower(t) == lower(key)) {
                name = t;
            }
        }
        json r = rspec;
        if (r.is_object()) {
            if (!r.contains("replicas")) {
                r["replicas"] = 1;
            }
            if (!r.contains("restartPolicy")) {
                r["restartPolicy"] = k.default_restart;
            }
            json* containers = nullptr;
            if (r.contains("template") && r["template"].is_object() &&
                r["template"].contains("spec") && r["template"]["spec"].is_object() &&
                r["template"]["spec"].contains("containers") &&
                r["template"]["spec"]["containers"].is_array()) {
                containers = &r["template"]["spec"]["containers"];
            }
            for (auto& c : containers ? *containers : json::array()) {
                if (!c.is_object() || c.value("name", json()) != k.container_name) {
                    continue;
                }
                json& ports = c["ports"];
                if (!ports.is_array()) {
                    ports = json::array();
                }
                const bool has = std::any_of(ports.begin(), ports.end(), [&](const json& p) {
                    return p.is_object() && p.value("name", json()) == k.port_name;
                });
                if (!has) {
                    ports.push_back({{"name", k.port_name}, {"containerPort", k.port}});
                }
            }
        }
        canonical[name] = std::move(r);
    }
    spec[k.specs_key] = std::move(canonical);
}

void validate_kubeflow(const KubeflowKind& k, bool is_tf, const json& obj, Causes& c) {
    const std::string name = get_string(obj, {"metadata", "name"});
    if (!is_dns1035_label(name)) {
        invalid_value(
            c, "metadata.name", name,
            "should match: a lowercase RFC 1123 label must consist of lower case "
            "alphanumeric characters or '-', start with an alphabetic character, and end "
            "with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
            "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
    }
    const std::string specs_path = std::string("spec.") + k.specs_key;
    const json* specs = nullptr;
    if (obj.contains("spec") && obj["spec"].is_object() && obj["spec"].contains(k.specs_key)) {
        specs = &obj["spec"][k.specs_key];
    }
    if (specs == nullptr || !specs->is_object() || specs->empty()) {
        required(c, specs_path, "must be specified");
        return;
    }
    int chief_or_master = 0;
    for (const auto& [type, rspec] : specs->items()) {
        const std::string role_path = specs_path + "[" + type + "]";
        const std::string containers_path = role_path + ".template.spec.containers";
        if (is_tf && (type == "Chief" || type == "Master")) {
            ++chief_or_master;
        }
        if (!is_tf) {
            if (type == "Master") {
                if (!rspec.is_object() || rspec.value("replicas", json(1)) != json(1)) {
                    forbidden(c, role_path + ".replicas", "must be 1");
                }
            } else if (type != "Worker") {
                not_supported(c, role_path, type, k.replica_types);
            }
        } else if (std::find(k.replica_types.begin(), k.replica_types.end(), type) ==
                   k.replica_types.end()) {
            not_supported(c, role_path, type, k.replica_types);
        }
        const json* containers = nullptr;
        if (rspec.is_object() && rspec.contains("template") && rspec["template"].is_object() &&
            rspec["template"].contains("spec") && rspec["template"]["spec"].is_object() &&
            rspec["template"]["spec"].contains("containers")) {
            containers = &rspec["template"]["spec"]["containers"];
        }
        if (containers == nullptr || !containers->is_array() || containers->empty()) {
            required(c, containers_path, "must be specified");
            continue;
        }
        bool has_default = false;
        for (std::size_t i = 0; i < containers->size(); ++i) {
            const json& ct = (*containers)[i];
            const std::string cpath = containers_path + "[" + std::to_string(i) + "]";
            if (!ct.is_object() || !ct.contains("image") || !ct["image"].is_string() ||
                ct["image"].get<std::string>().empty()) {
                required(c, cpath + ".image", "must be required");
            }
            if (ct.is_object() && ct.value("name", json()) == k.container_name) {
                has_default = true;
            }
        }
        if (!has_default) {
            required(c, containers_path,
                     std::string("must have at least one container with name ") + k.container_name);
        }
    }
    if (chief_or_master > 1) {
        forbidden(c, specs_path, "must not have more than 1 Chief or Master role");
    }
}

// ---- FrameworkController ------------------------------------------------------------------------

bool fc_name_ok(const json& v) {
    static const std::regex kRe("^[a-z0-9]{1,63}$");
    return v.is_string() && std::regex_match(v.get<std::string>(), kRe);
}

void fc_pattern(Causes& c, const std::string& field, const json& value) {
    invalid_value(c, field, value, field + " in body should match '^[a-z0-9]{1,63}$'");
}

void fc_minimum(Causes& c, const json& parent, const char* key, const std::string& path,
                std::int64_t min, std::optional<std::int64_t> max = std::nullopt) {
    const auto v = int_field(c, parent, key, path);
    if (v && *v < min) {
        invalid_value(c, path, *v,
                      path + " in body should be greater than or equal to " + std::to_string(min));
    }
    if (v && max && *v > *max) {
        invalid_value(c, path, *v,
                      path + " in body should be less than or equal to " + std::to_string(*max));
    }
}

void validate_framework(const json& obj, const json* old, Causes& c) {
    const json name = obj["metadata"].value("name", json(""));
    if (!fc_name_ok(name)) {
        fc_pattern(c, "metadata.name", name);
    }
    if (!obj.contains("spec") || !obj["spec"].is_object()) {
        required(c, "spec");
        return;
    }
    const json& spec = obj["spec"];
    const json exec = spec.value("executionType", json("Start"));
    static const std::vector<std::string> kExec = {"Create", "Start", "Stop"};
    if (!exec.is_string() ||
        std::find(kExec.begin(), kExec.end(), exec.get<std::string>()) == kExec.end()) {
        not_supported(c, "spec.executionType", exec, kExec);
    } else if (old != nullptr && (*old).contains("spec")) {
        const std::string before = (*old)["spec"].value("executionType", "Start");
        const std::string after = exec.get<std::string>();
        const bool allowed = before == after || (before == "Create" && after != "Create") ||
                             (before == "Start" && after == "Stop");
        if (!allowed) {
            forbidden(c, "spec.executionType",
                      "cannot change from " + before + " to " + after +
                          " (allowed: Create->Start, Create->Stop, Start->Stop)");
        }
    }
    if (spec.contains("retryPolicy")) {
        fc_minimum(c, spec["retryPolicy"], "maxRetryCount", "spec.retryPolicy.maxRetryCount", -2);
    }
    if (!spec.contains("taskRoles") || !spec["taskRoles"].is_array()) {
        required(c, "spec.taskRoles");
        return;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < spec["taskRoles"].size(); ++i) {
        const json& role = spec["taskRoles"][i];
        const std::string path = "spec.taskRoles[" + std::to_string(i) + "]";
        if (!role.is_object()) {
            invalid_value(c, path, role, "must be of type object");
            continue;
        }
        const json rname = role.value("name", json(""));
        if (!fc_name_ok(rname)) {
            fc_pattern(c, path + ".name", rname);
        } else if (!seen.insert(rname.get<std::string>()).second) {
            c.push_back(
                {"FieldValueDuplicate", path + ".name", "Duplicate value: " + quoted(rname)});
        }
        fc_minimum(c, role, "taskNumber", path + ".taskNumber", 0, 10000);
        if (role.contains("frameworkAttemptCompletionPolicy")) {
            const json& p = role["frameworkAttemptCompletionPolicy"];
            const std::string pp = path + ".frameworkAttemptCompletionPolicy";
            fc_minimum(c, p, "minFailedTaskCount", pp + ".minFailedTaskCount", -1);
            fc_minimum(c, p, "minSucceededTaskCount", pp + ".minSucceededTaskCount", -1);
        }
        const json task = role.value("task", json());
        if (!task.is_object() || !task.contains("pod") || !task["pod"].is_object()) {
            required(c, path + ".task.pod", "a Kubernetes PodTemplateSpec is required");
            continue;
        }
        if (task.contains("retryPolicy")) {
            fc_minimum(c, task["retryPolicy"], "maxRetryCount",
                       path + ".task.retryPolicy.maxRetryCount", -2);
        }
    }
}

// ---- Core -------------------------------------------------------------------------------------

void validate_pod_spec(const json& spec, const std::string& path, Causes& c) {
    if (!spec.is_object() || !spec.contains("containers") || !spec["containers"].is_array() ||
        spec["containers"].empty()) {
        required(c, path + ".containers");
        return;
    }
    for (const char* list : {"initContainers", "containers"}) {
        if (!spec.contains(list) || !spec[list].is_array()) {
            continue;
        }
        for (std::size_t i = 0; i < spec[list].size(); ++i) {
            const json& ct = spec[list][i];
            const std::string cp = path + "." + list + "[" + std::to_string(i) + "]";
            if (!ct.is_object() || !ct.contains("name") || !ct["name"].is_string()) {
                required(c, cp + ".name");
            }
            if (!ct.is_object() || !ct.contains("image") || !ct["image"].is_string() ||
                ct["image"].get<std::string>().empty()) {
                required(c, cp + ".image");
            }
        }
    }
}

}  // namespace

json yaml_file_to_json(const std::string& path) {
    return yaml_to_json(YAML::LoadFile(path));
}

#ifdef KEMU_HAVE_JSONSCHEMA
struct Admission::Compiled {
    tshost::jsonschema::Schema schema;
};
#else
struct Admission::Compiled {};
#endif

Admission::Admission(const std::string& crd_dir) {
    std::error_code ec;
    if (crd_dir.empty() || !std::filesystem::is_directory(crd_dir, ec)) {
        std::cerr << "kube-emulator: CRD directory '" << crd_dir
                  << "' not found; validating webhook rules only\n";
        return;
    }
    for (const auto& entry : std::filesystem::directory_iterator(crd_dir, ec)) {
        if (entry.path().extension() != ".yaml" && entry.path().extension() != ".yml") {
            continue;
        }
        try {
            const json crd = yaml_file_to_json(entry.path().string());
            const std::string kind = get_string(crd, {"spec", "names", "kind"});
            for (const auto& v : crd["spec"].value("versions", json::array())) {
                if (v.value("name", "") != "v1" || !v.contains("schema")) {
                    continue;
                }
                schemas_[kind] = v["schema"]["openAPIV3Schema"];
            }
        } catch (const std::exception& e) {
            std::cerr << "kube-emulator: cannot read CRD " << entry.path() << ": " << e.what()
                      << "\n";
        }
    }
#ifdef KEMU_HAVE_JSONSCHEMA
    tshost::jsonschema::CompileOptions options;
    options.openapi_v3 = true;
    for (const auto& [kind, schema] : schemas_) {
        try {
            compiled_[kind] = std::make_unique<Compiled>(
                Compiled{tshost::jsonschema::Schema::compile(schema, options)});
        } catch (const std::exception& e) {
            std::cerr << "kube-emulator: cannot compile the " << kind << " schema: " << e.what()
                      << "\n";
        }
    }
#endif
}

Admission::~Admission() = default;

bool Admission::schema_validation() const {
    return !compiled_.empty();
}

std::optional<ApiError> Admission::admit(const ResourceType& rt, json& obj, const json* old) const {
    Causes causes;
    std::string prefix;
    if (rt.plural == "tfjobs" || rt.plural == "pytorchjobs") {
        const bool tf = rt.plural == "tfjobs";
        default_kubeflow(tf ? kTf : kPyTorch, obj);
        validate_kubeflow(tf ? kTf : kPyTorch, tf, obj, causes);
        if (!causes.empty()) {
            prefix = std::string("admission webhook \"validator.") + (tf ? "tfjob" : "pytorchjob") +
                     ".training-operator.kubeflow.org\" denied the request: ";
        }
    } else if (rt.plural == "frameworks") {
        validate_framework(obj, old, causes);
    } else if (rt.plural == "pods") {
        validate_pod_spec(obj.value("spec", json()), "spec", causes);
    }
#ifdef KEMU_HAVE_JSONSCHEMA
    if (causes.empty()) {
        if (const auto it = compiled_.find(rt.kind); it != compiled_.end()) {
            // Status is written through the status subresource by the operators; only what a
            // client submits is checked here.
            json submitted = obj;
            submitted.erase("status");
            for (const auto& err : it->second->schema.validate(submitted)) {
                causes.push_back({"FieldValueInvalid", err.key_path, err.message});
            }
        }
    }
#endif
    if (causes.empty()) {
        return std::nullopt;
    }
    return invalid(rt, get_string(obj, {"metadata", "name"}), causes, prefix);
}

bool valid_object_name(const std::string& name) {
    return is_dns1123_subdomain(name);
}

}  // namespace kemu
