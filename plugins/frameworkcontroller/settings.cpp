#include "settings.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "framework_template.hpp"

namespace fc_platform {

using nlohmann::json;
namespace kp = tshost::kubeplatform;

namespace {

Role parse_fc_role(const json& r) {
    Role role;
    static_cast<kp::Role&>(role) = kp::parse_role(r, r.at("name").get<std::string>());
    role.task_number = r.at("taskNumber").get<int64_t>();
    const json& policy = r.at("frameworkAttemptCompletionPolicy");
    role.min_failed = policy.at("minFailedTaskCount").get<int64_t>();
    // NNI v2's spelling; FrameworkController's own is minSucceededTaskCount.
    role.min_succeeded = policy.at("minSucceedTaskCount").get<int64_t>();
    return role;
}

// Template mode: the roles, barrier image and namespace come from the user's Framework, where
// the config does not say otherwise.
void use_template(Settings& s, const json& config, const json& framework) {
    if (config.contains("taskRoles")) {
        throw std::invalid_argument(
            "taskRoles and frameworkTemplate (configPath) are both set; in template mode the "
            "template's spec.taskRoles define the roles: remove one");
    }
    s.framework_template = framework;
    s.template_path = config.value("configPath", std::string("frameworkTemplate"));
    s.roles = template_roles(framework, s.template_path, s.service_account.has_value());
    if (const std::string image = template_barrier_image(framework);
        !image.empty() && !config.contains("barrierImage")) {
        s.barrier_image = image;
    }
    const std::string ns = template_namespace(framework);
    if (s.namespace_name.empty()) {
        s.namespace_name = ns;
    } else if (!ns.empty() && ns != s.namespace_name) {
        throw std::invalid_argument(s.template_path + ": metadata.namespace: '" + ns +
                                    "' differs from the config's namespace '" + s.namespace_name +
                                    "'; remove one (the Frameworks go where the config says)");
    }
}

}  // namespace

Settings parse_settings(std::string_view config_json, std::string_view experiment_json) {
    const json config = kp::parse_object(config_json, "the frameworkcontroller section");
    Settings s;
    static_cast<kp::CommonSettings&>(s) =
        kp::parse_common_settings(config, kp::parse_object(experiment_json, "the experiment"));
    s.barrier_image = config.value("barrierImage", s.barrier_image);
    std::string roles_at = "taskRoles";
    if (const auto it = config.find("frameworkTemplate"); it != config.end() && !it->is_null()) {
        use_template(s, config, *it);
        roles_at = s.template_path + ": spec.taskRoles";
    } else {
        for (const json& role : config.at("taskRoles")) {
            s.roles.push_back(parse_fc_role(role));
        }
    }
    std::set<std::string> names;
    for (size_t i = 0; i < s.roles.size(); ++i) {
        if (!names.insert(s.roles[i].name).second) {
            throw std::invalid_argument(roles_at + "[" + std::to_string(i) + "].name: '" +
                                        s.roles[i].name +
                                        "' is used by an earlier role; role names must be unique");
        }
    }
    return s;
}

}  // namespace fc_platform
