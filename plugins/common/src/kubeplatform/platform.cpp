#include "tshost/kubeplatform/platform.hpp"

#include <tshost/kube/client.hpp>
#include <tshost/kube/config.hpp>
#include <tshost/kube/informer.hpp>
#include <tshost/kube/preflight.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include "tshost/kubeplatform/kube_errors.hpp"
#include "tshost/kubeplatform/pod_parts.hpp"
#include "tshost/kubeplatform/pod_trouble.hpp"

namespace tshost::kubeplatform {
namespace {

using nlohmann::json;
namespace kube = tshost::kube;

constexpr auto kSyncTimeout = std::chrono::seconds(30);
constexpr auto kTickPeriod = std::chrono::seconds(1);
// Pods are re-read this often (in ticks) for trouble that only time reveals (an init container
// that does not finish): such a pod sends no new event.
constexpr int64_t kPodRecheckTicks = 10;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string read_local_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                            "privateRegistryAuthPath: cannot read " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

KubePlatform::KubePlatform(const tshost::CreateArgs& args, CommonSettings settings, JobKind kind)
    : host_(args.host),
      common_(std::move(settings)),
      kind_(std::move(kind)),
      tracker_([this](const std::string& id, const json& payload) { emit_status(id, payload); },
               now_ms, kind_.status_map, kind_.names.kind) {
    if (common_.reuse_mode_requested) {
        host_.info(std::string("reuseMode: tshost runs one ") + kind_.names.kind +
                   " per trial (NNI's reuse mode is not used)");
    }
}

KubePlatform::~KubePlatform() {
    // First: their threads call into the tracker, the client and the host.
    ticker_.reset();
    pod_informer_.reset();
    informer_.reset();
}

kube::ResourceRef KubePlatform::jobs() const {
    return {kind_.group, kind_.version, kind_.plural, namespace_};
}

std::string KubePlatform::job_name(std::string_view trial_id, int64_t attempt) const {
    return checked([&] {
        return kubeplatform::job_name(kind_.names, common_.experiment_id, trial_id, attempt);
    });
}

void KubePlatform::check_rules(const json&) const {}

void KubePlatform::stop_job(kube::Client&, const std::string&) {}

kube::LoadOptions KubePlatform::load_options() const {
    kube::LoadOptions load;
    load.kubeconfig = common_.kubeconfig;
    load.context = common_.context;
    load.namespace_name = common_.namespace_name;
    return load;
}

kube::LogFn KubePlatform::kube_log() const {
    return [host = host_](kube::LogLevel level, std::string_view message) {
        host.log(level == kube::LogLevel::kError  ? tshost::LogLevel::error
                 : level == kube::LogLevel::kWarn ? tshost::LogLevel::warn
                 : level == kube::LogLevel::kInfo ? tshost::LogLevel::info
                                                  : tshost::LogLevel::debug,
                 message);
    };
}

// `tshost check`: what the experiment will do in the cluster, checked before it runs: every
// verb the platform uses on its jobs, Secrets and pods (create/delete pods only for the
// metrics-port probe the options may ask for, ABI 1.1). Called without start().
tshost::Preflight KubePlatform::preflight(std::string_view options_json) {
    kube::PreflightRequest request;
    request.load = load_options();
    request.log = kube_log();
    request.probe = checked([&] {
        return kube::probeFromOptions(options_json, experiment_labels(common_.experiment_id));
    });
    std::vector<std::string> pod_verbs = {"get", "list", "watch"};
    if (request.probe) {
        pod_verbs.insert(pod_verbs.end(), {"create", "delete"});
    }
    request.access = {{kind_.group,
                       kind_.version,
                       kind_.plural,
                       {"create", "get", "list", "watch", "patch", "delete", "deletecollection"}},
                      {"", "v1", "secrets", {"create", "delete", "deletecollection"}},
                      {"", "v1", "pods", pod_verbs}};
    const auto checks = kube::runPreflight(request);
    return tshost::Preflight{kube::preflightJson(checks).dump(), kube::allPassed(checks)};
}

// Connects, creates the experiment's Secrets, and starts the one informer of the experiment
// (list + watch, label selector app + expId) that all status comes from.
void KubePlatform::start() {
    if (client_) {
        return;
    }
    kube::ClientOptions options;
    try {
        options.config = kube::loadConfig(load_options());
    } catch (const kube::KubeError& e) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, e.what());
    }
    options.qps = common_.qps;
    options.burst = common_.burst;
    options.log = kube_log();
    client_ = std::make_unique<kube::Client>(std::move(options));
    namespace_ = client_->defaultNamespace();
    create_experiment_secrets();

    kube::Informer::Handlers handlers;
    handlers.on_add = [this](const json& job) { tracker_.observe(job); };
    handlers.on_update = [this](const json&, const json& job) { tracker_.observe(job); };
    handlers.on_delete = [this](const json& job) { tracker_.vanished(job); };
    handlers.on_error = [this](const kube::KubeError& e) {
        host_.warn(std::string("watching ") + kind_.names.kind + "s: " + e.what() +
                   " (re-listing)");
    };
    const std::string selector = kube::labelSelector(experiment_labels(common_.experiment_id));
    informer_ = std::make_unique<kube::Informer>(*client_, jobs(), selector, std::move(handlers));
    informer_->start();
    start_pod_informer(selector);
    ticker_ = std::make_unique<Ticker>(kTickPeriod, [this] { tick(); });
}

// The trial's pods carry the job's labels (the pod templates say so), so one more informer by
// the same selector sees every pod of the experiment, under any operator.
void KubePlatform::start_pod_informer(const std::string& selector) {
    kube::Informer::Handlers handlers;
    handlers.on_add = [this](const json& pod) { pod_seen(pod, false); };
    handlers.on_update = [this](const json&, const json& pod) { pod_seen(pod, false); };
    handlers.on_delete = [this](const json& pod) { pod_seen(pod, true); };
    handlers.on_error = [this](const kube::KubeError& e) {
        host_.warn(std::string("watching the experiment's pods: ") + e.what() + " (re-listing)");
    };
    pod_informer_ = std::make_unique<kube::Informer>(
        *client_, kube::ResourceRef{"", "v1", "pods", namespace_}, selector, std::move(handlers));
    pod_informer_->start();
}

void KubePlatform::pod_seen(const json& pod, bool gone) {
    const json meta = pod.value("metadata", json::object());
    const json labels = meta.value("labels", json::object());
    const std::string trial_id = labels.value("trialId", std::string());
    const int64_t attempt = attempt_of_labels(labels.value(kAttemptLabel, std::string()));
    if (trial_id.empty() || attempt < 0) {
        return;
    }
    std::string name;
    try {
        name = kubeplatform::job_name(kind_.names, common_.experiment_id, trial_id, attempt);
    } catch (const std::invalid_argument&) {
        return;  // not a trial id of ours
    }
    tracker_.pod_changed(trial_id, name, meta.value("name", std::string()),
                         gone ? std::nullopt : pod_trouble(pod, now_ms()));
}

void KubePlatform::tick() {
    try {
        if (++ticks_ % kPodRecheckTicks == 0) {
            for (const json& pod : pod_informer_->objects()) {
                pod_seen(pod, false);
            }
        }
        if (common_.pod_pending_timeout_ms > 0) {
            delete_jobs(tracker_.expire_troubles(common_.pod_pending_timeout_ms));
        }
        if (common_.delete_finished_after_ms) {
            delete_jobs(tracker_.finished_jobs_due(*common_.delete_finished_after_ms));
        }
    } catch (const std::exception& e) {
        // The next tick tries again; the housekeeping thread must not end the host.
        host_.warn(std::string("housekeeping of the experiment's jobs: ") + e.what());
    }
}

// Background propagation (the client's default): the job goes at once, its pods after it.
void KubePlatform::delete_jobs(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        try {
            remove_job(name);
        } catch (const tshost::Error& e) {
            host_.warn(e.what());
        }
    }
}

std::string KubePlatform::submit(const tshost::Trial& trial) {
    start();
    const TrialInput input = trial_input(trial);
    const PodVolume storage = pod_volume();
    const json job = checked([&] { return build_job(input, storage); });
    validate(job);
    const auto scripts = checked([&] { return build_scripts(input, storage); });
    const tshost::Storage store = *host_.storage();
    for (const auto& [path, text] : scripts) {
        store.write_file(path, text);
    }
    const std::string name = job["metadata"]["name"];
    // Followed before it exists, so no event of it can be missed.
    tracker_.follow(input.trial_id, name);
    try {
        client_->create(jobs(), job);
    } catch (const kube::KubeError& e) {
        if (e.code() != 409 || !is_ours(name, input)) {
            throw to_plugin_error(e, std::string("creating ") + kind_.names.kind + " " + name);
        }
        // A retried submit whose first create went through: the same trial, the same attempt.
    }
    // The job as created, for the trial's page: secret-free (it names its Secrets, it does
    // not hold them) once the metrics token is redacted.
    json out{{"jobName", name}, {"namespace", namespace_}, {"manifest", redacted(job)}};
    // Where the user finds the trial's outputs (tshost prints it for the best trial).
    if (const auto url = store.browse_url(input.spec.trial_dir)) {
        out["url"] = *url;
    }
    return out.dump();
}

// The platform's graceful stop first, then delete. The trial's end status follows from `reason`.
void KubePlatform::cancel(std::string_view trial_id, tshost::CancelReason reason) {
    const std::string id(trial_id);
    const std::optional<std::string> name = tracker_.job_of(id);
    if (!name) {
        throw tshost::Error(TSH_ERR_NOT_FOUND, "trial " + id + " is not known to this platform");
    }
    if (tracker_.ended(id)) {
        return;
    }
    start();
    tracker_.stopping(id, reason);
    stop_job(*client_, *name);
    remove_job(*name);
    tracker_.cancelled(id, reason);
}

std::string KubePlatform::list_trials() {
    start();
    wait_for_sync();
    json out = json::array();
    for (const json& job : informer_->objects()) {
        const json labels = job["metadata"].value("labels", json::object());
        const std::optional<StatusUpdate> u = kind_.status_map(job);
        json row = {{"trialId", labels.value("trialId", "")},
                    {"jobName", job["metadata"].value("name", "")},
                    {"status", u ? u->status : "RUNNING"}};
        if (const int64_t attempt = attempt_of_labels(labels.value(kAttemptLabel, std::string()));
            attempt >= 0) {
            row["attempt"] = attempt;
        }
        out.push_back(std::move(row));
    }
    return out.dump();
}

// After a host restart: the job is found by name in the informer's cache (filled by label),
// followed again, and its current status emitted.
void KubePlatform::adopt(const tshost::Trial& trial) {
    start();
    wait_for_sync();
    const std::string id(trial.id);
    const json spec = json::parse(trial.spec_json.empty() ? "{}" : trial.spec_json, nullptr, false);
    const int64_t attempt = spec.is_object() ? spec.value("attempt", int64_t{0}) : 0;
    const std::string name = job_name(id, attempt);
    const std::optional<json> job = informer_->get(name);
    if (!job) {
        throw tshost::Error(TSH_ERR_NOT_FOUND, std::string(kind_.names.kind) + " " + name +
                                                   " of trial " + id + " no longer exists");
    }
    tracker_.follow(id, name);
    tracker_.observe(*job);
}

// Every job and Secret of the experiment, by label: also those of trials a previous host
// process submitted.
void KubePlatform::end_experiment() {
    start();
    tracker_.end_all();
    const std::string selector = kube::labelSelector(experiment_labels(common_.experiment_id));
    try {
        client_->removeCollection(jobs(), selector);
        client_->removeCollection({"", "v1", "secrets", namespace_}, selector);
    } catch (const kube::KubeError& e) {
        throw to_plugin_error(
            e, std::string("deleting the experiment's ") + kind_.names.kind + "s and Secrets");
    }
}

// Offline: what submit would create, validated the same way; Secret data and the metrics token
// redacted.
std::string KubePlatform::render(const tshost::Trial& trial) {
    TrialInput input = trial_input(trial);
    if (input.namespace_name.empty()) {
        input.namespace_name = "default";
    }
    const PodVolume storage = pod_volume();
    const json job = checked([&] { return build_job(input, storage); });
    validate(job);
    json objects = json::array();
    if (storage.secret.is_object()) {
        objects.push_back(
            redacted(storage_secret(common_.experiment_id, storage, input.namespace_name)));
    }
    for (const auto& [path, name] :
         registry_secrets(common_.experiment_id, registry_auth_paths())) {
        objects.push_back(redacted(
            registry_secret(common_.experiment_id, input.namespace_name, name, "<redacted>")));
    }
    objects.push_back(redacted(job));
    json files = json::object();
    for (const auto& [path, text] : checked([&] { return build_scripts(input, storage); })) {
        files[path] = text;
    }
    return json{{"objects", objects}, {"files", files}}.dump();
}

TrialInput KubePlatform::trial_input(const tshost::Trial& trial) const {
    TrialInput in;
    in.experiment_id = common_.experiment_id;
    in.namespace_name = namespace_.empty() ? common_.namespace_name : namespace_;
    in.trial_id = std::string(trial.id);
    in.sequence_id = trial.sequence_id;
    in.spec = checked([&] { return parse_trial_spec(trial.spec_json); });
    return in;
}

PodVolume KubePlatform::pod_volume() const {
    const std::optional<tshost::Storage> store = host_.storage();
    if (!store) {
        throw tshost::Error(
            TSH_ERR_INVALID_ARGUMENT,
            std::string(kind_.platform) +
                " needs a storage section (nfs or azureStorage) that its pods mount");
    }
    // Holds credentials for some storages: parsed, never logged.
    return checked([&] { return parse_pod_volume(store->pod_volume()); });
}

void KubePlatform::validate(const json& job) const {
    const std::string prefix =
        std::string("the generated ") + kind_.names.kind + " breaks " + kind_.rules + ": ";
    try {
        host_.validate_json(kind_.schema, job.dump());
    } catch (const tshost::Error& e) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, prefix + e.what());
    }
    try {
        check_rules(job);
    } catch (const std::invalid_argument& e) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, prefix + e.what());
    }
}

void KubePlatform::wait_for_sync() const {
    if (!informer_->waitForSync(kSyncTimeout)) {
        throw tshost::Error(TSH_ERR_TRANSIENT, std::string("the ") + kind_.names.kind +
                                                   " list of the experiment has not arrived "
                                                   "from the API server yet");
    }
}

bool KubePlatform::is_ours(const std::string& name, const TrialInput& input) {
    try {
        const json job = client_->get(jobs(), name);
        const json labels = job["metadata"].value("labels", json::object());
        return labels.value("expId", "") == input.experiment_id &&
               labels.value("trialId", "") == input.trial_id &&
               labels.value(kAttemptLabel, "") == std::to_string(input.spec.attempt);
    } catch (const kube::KubeError&) {
        return false;
    }
}

void KubePlatform::remove_job(const std::string& name) {
    try {
        client_->remove(jobs(), name);
    } catch (const kube::KubeError& e) {
        if (e.code() != 404) {
            throw to_plugin_error(e, std::string("deleting ") + kind_.names.kind + " " + name);
        }
    }
}

// Once per experiment, before the first job: the storage's Secret (Azure Files) and one
// registry Secret per distinct privateRegistryAuthPath, all labelled with the experiment so
// end_experiment finds them. An existing one (resume) is kept.
void KubePlatform::create_experiment_secrets() {
    std::vector<json> wanted;
    if (host_.storage()) {
        const PodVolume storage = pod_volume();
        if (storage.secret.is_object()) {
            wanted.push_back(storage_secret(common_.experiment_id, storage, namespace_));
        }
    }
    for (const auto& [path, name] :
         registry_secrets(common_.experiment_id, registry_auth_paths())) {
        wanted.push_back(
            registry_secret(common_.experiment_id, namespace_, name, read_local_file(path)));
    }
    for (const json& secret : wanted) {
        const std::string name = secret["metadata"].value("name", "");
        try {
            client_->create({"", "v1", "secrets", namespace_}, secret);
        } catch (const kube::KubeError& e) {
            if (e.code() != 409) {
                throw to_plugin_error(e, "creating Secret " + name);
            }
        }
    }
}

void KubePlatform::emit_status(const std::string& trial_id, const json& payload) const {
    try {
        host_.emit(TSH_EVENT_TRIAL_STATUS, trial_id, payload.dump());
    } catch (const tshost::Error& e) {
        host_.warn("trial " + trial_id + ": " + e.what());
    }
}

}  // namespace tshost::kubeplatform
