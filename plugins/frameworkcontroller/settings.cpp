#include "settings.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

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

}  // namespace

Settings parse_settings(std::string_view config_json, std::string_view experiment_json) {
    const json config = kp::parse_object(config_json, "the frameworkcontroller section");
    Settings s;
    static_cast<kp::CommonSettings&>(s) =
        kp::parse_common_settings(config, kp::parse_object(experiment_json, "the experiment"));
    std::set<std::string> names;
    const json& roles = config.at("taskRoles");
    for (size_t i = 0; i < roles.size(); ++i) {
        Role role = parse_fc_role(roles[i]);
        if (!names.insert(role.name).second) {
            throw std::invalid_argument("taskRoles[" + std::to_string(i) + "].name: '" + role.name +
                                        "' is used by an earlier role; role names must be unique");
        }
        s.roles.push_back(std::move(role));
    }
    s.barrier_image = config.value("barrierImage", s.barrier_image);
    return s;
}

}  // namespace fc_platform
