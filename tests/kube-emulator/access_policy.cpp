#include "access_policy.hpp"

namespace kemu {

std::optional<std::string> AccessPolicy::deny(const std::string& rule) {
    const auto colon = rule.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rule.size()) {
        return "--deny " + rule + ": use VERB:RESOURCE, e.g. create:frameworks";
    }
    Rule r;
    r.verb = rule.substr(0, colon);
    const std::string resource = rule.substr(colon + 1);
    const auto dot = resource.find('.');
    r.plural = resource.substr(0, dot);
    if (dot != std::string::npos) {
        r.group = resource.substr(dot + 1);
        r.group_given = true;
    }
    denied_.push_back(std::move(r));
    return std::nullopt;
}

json AccessPolicy::review(const json& spec) const {
    const json attrs = spec.is_object() ? spec.value("resourceAttributes", json::object()) : json();
    if (!attrs.is_object()) {
        return {{"allowed", true}, {"reason", "kube-emulator allows every non-resource request"}};
    }
    const std::string verb = attrs.value("verb", "");
    const std::string plural = attrs.value("resource", "");
    const std::string group = attrs.value("group", "");
    for (const Rule& r : denied_) {
        if ((r.verb == "*" || r.verb == verb) && (r.plural == "*" || r.plural == plural) &&
            (!r.group_given || r.group == group)) {
            return {{"allowed", false},
                    {"denied", true},
                    {"reason", "kube-emulator --deny " + r.verb + ":" + r.plural +
                                   (r.group_given ? "." + r.group : "")}};
        }
    }
    return {{"allowed", true}, {"reason", "kube-emulator allows every request"}};
}

}  // namespace kemu
