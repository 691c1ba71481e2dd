#include "trial_end_watch.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "tshost/kube/client.hpp"
#include "tshost/kube/informer.hpp"

namespace tk = tshost::kube;
using json = nlohmann::json;

namespace {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string trial_of(const json& object) {
    return object.value("metadata", json::object())
        .value("labels", json::object())
        .value("trialId", std::string());
}

// Notes `now` in `field` of the trial's entry the first time `done` holds for the object.
tk::Informer::Handlers noting(std::mutex& mutex, std::map<std::string, TrialEndSeen>& seen,
                              int64_t TrialEndSeen::*field, bool (*done)(const json&)) {
    auto note = [&mutex, &seen, field, done](const json& object) {
        if (!done(object)) {
            return;
        }
        const int64_t now = now_ms();
        std::lock_guard lock(mutex);
        int64_t& at = seen[trial_of(object)].*field;
        if (at == 0) {
            at = now;
        }
    };
    tk::Informer::Handlers handlers;
    handlers.on_add = note;
    handlers.on_update = [note](const json&, const json& object) { note(object); };
    return handlers;
}

bool pod_finished(const json& pod) {
    const std::string phase = pod.value("status", json::object()).value("phase", std::string());
    return phase == "Succeeded" || phase == "Failed";
}

bool framework_completed(const json& fw) {
    return fw.value("status", json::object()).value("state", std::string()) == "Completed";
}

}  // namespace

TrialEndWatch::TrialEndWatch(const std::string& kubeconfig, const std::string& namespace_name,
                             const std::string& label_selector) {
    tk::LoadOptions load;
    load.kubeconfig = kubeconfig;
    load.namespace_name = namespace_name;
    tk::ClientOptions options;
    options.config = tk::loadConfig(load);
    options.qps = 0;  // two list+watch streams only: nothing to limit
    client_ = std::make_unique<tk::Client>(std::move(options));
    pods_ = std::make_unique<tk::Informer>(
        *client_, tk::ResourceRef{"", "v1", "pods", namespace_name}, label_selector,
        noting(mutex_, seen_, &TrialEndSeen::pod_finished_ms, pod_finished));
    jobs_ = std::make_unique<tk::Informer>(
        *client_,
        tk::ResourceRef{"frameworkcontroller.microsoft.com", "v1", "frameworks", namespace_name},
        label_selector,
        noting(mutex_, seen_, &TrialEndSeen::job_completed_ms, framework_completed));
    pods_->start();
    jobs_->start();
}

TrialEndWatch::~TrialEndWatch() {
    jobs_.reset();
    pods_.reset();
}

std::map<std::string, TrialEndSeen> TrialEndWatch::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}
