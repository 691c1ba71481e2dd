#include "tshost/kubeplatform/pod_trouble.hpp"

#include <array>
#include <string_view>

#include "tshost/kubeplatform/status.hpp"

namespace tshost::kubeplatform {
namespace {

using nlohmann::json;

// Waiting reasons that do not go away on their own (kubelet's names).
constexpr std::array<std::string_view, 4> kStuckWaitingReasons = {
    "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError"};

bool is_stuck_reason(const std::string& reason) {
    for (const std::string_view r : kStuckWaitingReasons) {
        if (reason == r) {
            return true;
        }
    }
    return false;
}

std::string with_detail(std::string text, const std::string& detail) {
    return detail.empty() ? text : text + ": " + detail;
}

std::optional<PodTrouble> waiting_trouble(const std::string& pod, const json& statuses,
                                          const char* what) {
    for (const json& c : statuses) {
        const json waiting = c.value("state", json::object()).value("waiting", json::object());
        const std::string reason = waiting.value("reason", "");
        if (is_stuck_reason(reason)) {
            return PodTrouble{reason, with_detail("pod " + pod + ", " + what + " " +
                                                      c.value("name", "") + ": " + reason,
                                                  waiting.value("message", ""))};
        }
    }
    return std::nullopt;
}

std::optional<PodTrouble> unschedulable(const std::string& pod, const json& status) {
    for (const json& c : status.value("conditions", json::array())) {
        if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False" &&
            c.value("reason", "") == "Unschedulable") {
            return PodTrouble{"Unschedulable", with_detail("pod " + pod + " cannot be scheduled",
                                                           c.value("message", ""))};
        }
    }
    return std::nullopt;
}

std::optional<PodTrouble> init_stuck(const std::string& pod, const json& status, int64_t now_ms) {
    if (status.value("phase", "") != "Pending") {
        return std::nullopt;
    }
    for (const json& c : status.value("initContainerStatuses", json::array())) {
        const json running = c.value("state", json::object()).value("running", json::object());
        const auto since = parse_rfc3339_ms(running.value("startedAt", ""));
        if (since && now_ms - *since >= kInitStuckAfterMs) {
            return PodTrouble{"InitContainerStuck",
                              "pod " + pod + ", init container " + c.value("name", "") +
                                  " has been running since " + running.value("startedAt", "") +
                                  " and the pod's containers have not started"};
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<PodTrouble> pod_trouble(const json& pod, int64_t now_ms) {
    const std::string name = pod.value("metadata", json::object()).value("name", "");
    const json status = pod.value("status", json::object());
    if (auto t = unschedulable(name, status)) {
        return t;
    }
    if (auto t = waiting_trouble(name, status.value("initContainerStatuses", json::array()),
                                 "init container")) {
        return t;
    }
    if (auto t =
            waiting_trouble(name, status.value("containerStatuses", json::array()), "container")) {
        return t;
    }
    return init_stuck(name, status, now_ms);
}

}  // namespace tshost::kubeplatform
