#include "tshost/kubeplatform/trial_input.hpp"

#include <stdexcept>

namespace tshost::kubeplatform {

using nlohmann::json;

namespace {

// Paths in the ABI are relative and clean; one that is not would escape the trial's directory.
void require_relative(const char* key, const std::string& path) {
    const bool bad = path.empty() || path.front() == '/' || path.find("..") != std::string::npos;
    if (bad) {
        throw std::invalid_argument(std::string("the trial's spec has an unusable ") + key);
    }
}

// NNI wrote `readonly`, which the API server drops (§11.14): keep the meaning, spell it right.
void spell_read_only(json& obj) {
    if (obj.is_object() && obj.contains("readonly")) {
        obj["readOnly"] = obj["readonly"];
        obj.erase("readonly");
    }
}

}  // namespace

TrialSpec parse_trial_spec(std::string_view spec_json) {
    const json spec =
        json::parse(spec_json.empty() ? std::string_view("{}") : spec_json, nullptr, false);
    if (!spec.is_object()) {
        throw std::invalid_argument("the trial's spec is not a JSON object");
    }
    TrialSpec t;
    std::string missing;
    auto take = [&](const char* key, std::string& out) {
        const auto it = spec.find(key);
        if (it != spec.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
            out = it->get<std::string>();
            require_relative(key, out);
        } else {
            missing += (missing.empty() ? "" : ", ") + std::string(key);
        }
    };
    take("trialDir", t.trial_dir);
    take("kitDir", t.kit_dir);
    take("codeManifest", t.code_manifest);
    take("casDir", t.cas_dir);
    if (!missing.empty()) {
        throw std::invalid_argument("the trial's spec has no " + missing +
                                    ": the host sends them when the experiment has a storage "
                                    "section, which the Kubernetes platforms need");
    }
    if (const auto it = spec.find("attempt"); it != spec.end()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0) {
            throw std::invalid_argument("the trial's attempt is not an integer >= 0");
        }
        t.attempt = it->get<int64_t>();
    }
    if (const auto m = spec.find("metrics"); m != spec.end() && m->is_object()) {
        if (const auto url = m->find("url"); url != m->end() && url->is_string()) {
            t.metrics_url = url->get<std::string>();
        }
        if (const auto token = m->find("token"); token != m->end() && token->is_string()) {
            t.metrics_token = token->get<std::string>();
        }
    }
    return t;
}

PodVolume parse_pod_volume(std::string_view pod_volume_json) {
    const json v = json::parse(pod_volume_json, nullptr, false);
    if (!v.is_object() || !v.contains("volume") || !v["volume"].is_object() ||
        !v.contains("volumeMount") || !v["volumeMount"].is_object()) {
        throw std::invalid_argument(
            "the storage plugin's pod_volume is not {\"volume\", \"volumeMount\", \"secret\"}");
    }
    PodVolume p;
    p.volume = v["volume"];
    const std::string name = p.volume.value("name", std::string());
    p.mount_path = v["volumeMount"].value("mountPath", std::string());
    if (name.empty() || p.mount_path.empty() || p.mount_path.front() != '/') {
        throw std::invalid_argument(
            "the storage plugin's pod_volume lacks volume.name or an absolute mountPath");
    }
    while (p.mount_path.size() > 1 && p.mount_path.back() == '/') {
        p.mount_path.pop_back();
    }
    p.volume_mount = v["volumeMount"];
    p.volume_mount["name"] = name;
    p.volume_mount["mountPath"] = p.mount_path;
    spell_read_only(p.volume_mount);
    for (auto& [key, source] : p.volume.items()) {
        spell_read_only(source);
    }
    p.secret = v.value("secret", json());
    return p;
}

}  // namespace tshost::kubeplatform
