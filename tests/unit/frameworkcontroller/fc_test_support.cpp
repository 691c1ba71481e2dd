#include "fc_test_support.hpp"

#include <map>

#include "config_schema.hpp"
#include "framework_schema.hpp"
#include "jsonschema/schema.hpp"

namespace fc_test {

std::string nfs_pod_volume(const std::string& server, const std::string& path) {
    return json{{"volume", {{"name", "nni-vol"}, {"nfs", {{"server", server}, {"path", path}}}}},
                {"volumeMount", {{"mountPath", "/tmp/mount"}}},
                {"secret", nullptr}}
        .dump();
}

std::string spec_json(const std::string& exp, const std::string& trial, int64_t attempt,
                      const std::string& token) {
    const std::string dir =
        "nni/" + exp + "/" + trial + (attempt > 0 ? ".attempt-" + std::to_string(attempt) : "");
    return json{{"attempt", attempt},
                {"trialDir", dir},
                {"kitDir", "nni/" + exp + "/.tshost/kit"},
                {"codeManifest", "nni/" + exp + "/code.manifest"},
                {"casDir", "nni/.cas"},
                {"metrics", {{"url", "http://10.10.10.10:8081"}, {"token", token}}}}
        .dump();
}

fc_platform::TrialInput trial_input(const std::string& exp, const std::string& trial,
                                    int64_t attempt) {
    fc_platform::TrialInput in;
    in.experiment_id = exp;
    in.namespace_name = "nni";
    in.trial_id = trial;
    in.sequence_id = 3;
    in.spec = fc_platform::parse_trial_spec(spec_json(exp, trial, attempt));
    return in;
}

json one_role_section() {
    return json::parse(R"({
      "reuseMode": false, "namespace": "nni", "serviceAccountName": "frameworkbarrier",
      "taskRoles": [{"name": "worker", "dockerImage": "msranni/nni:latest", "taskNumber": 1,
                     "command": "python3 mnist.py", "gpuNumber": 0, "cpuNumber": 1,
                     "memorySize": 8192,
                     "frameworkAttemptCompletionPolicy": {"minFailedTaskCount": 1,
                                                          "minSucceedTaskCount": 1}}]})");
}

json two_role_section() {
    return json::parse(R"({
      "namespace": "nni", "serviceAccountName": null,
      "taskRoles": [
        {"name": "ps", "taskNumber": 2, "command": "python3 ps.py", "gpuNumber": 0,
         "cpuNumber": 0.5, "memorySize": "2Gi",
         "frameworkAttemptCompletionPolicy": {"minFailedTaskCount": 1, "minSucceedTaskCount": -1}},
        {"name": "worker", "taskNumber": 3, "command": "python3 worker.py", "gpuNumber": 2,
         "cpuNumber": 4, "memorySize": 16384,
         "frameworkAttemptCompletionPolicy": {"minFailedTaskCount": 1, "minSucceedTaskCount": 3}}]})");
}

fc_platform::Settings settings_of(const json& section, const std::string& exp) {
    return fc_platform::parse_settings(section.dump(), json{{"experimentId", exp}}.dump());
}

namespace {
std::string problems(const char* schema_text, const json& doc) {
    // As the host compiles what plugins pass to validate_json and their config schemas.
    static std::map<const char*, tshost::jsonschema::Schema> cache;
    auto it = cache.find(schema_text);
    if (it == cache.end()) {
        it =
            cache
                .emplace(schema_text, tshost::jsonschema::Schema::compile(json::parse(schema_text)))
                .first;
    }
    std::string out;
    for (const auto& e : it->second.validate(doc)) {
        out += e.key_path + ": " + e.message + "\n";
    }
    return out;
}
}  // namespace

std::string framework_problems(const json& doc) {
    return problems(fc_platform::kFrameworkSchema, doc);
}

std::string config_problems(const json& section) {
    return problems(fc_platform::kConfigSchema, section);
}

}  // namespace fc_test
