// frameworkcontroller: runs each trial as one FrameworkController Framework, the way NNI's
// frameworkcontroller training service does (same names, labels, run-script layout), without
// its bugs (reference §11). The pieces:
//   config_schema.hpp, settings.*   the config section
//   names.*, manifest.*             what a trial creates (pure; `render` shows exactly that)
//   framework_schema.hpp            the Framework rules every object is checked against first
//   status_map.*, tracker.*         Framework status → trial events, from ONE informer
//   this file                       the ABI calls: submit, cancel, list/adopt, end, render,
//                                   preflight (tshost/kube/preflight.hpp does the checking)
#include <tshost/kube/client.hpp>
#include <tshost/kube/config.hpp>
#include <tshost/kube/informer.hpp>
#include <tshost/kube/preflight.hpp>
#include <tshost/plugin.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "config_schema.hpp"
#include "framework_schema.hpp"
#include "kube_errors.hpp"
#include "manifest.hpp"
#include "names.hpp"
#include "settings.hpp"
#include "status_map.hpp"
#include "tracker.hpp"

namespace fc_platform {
namespace {

using nlohmann::json;
namespace kube = tshost::kube;

constexpr auto kSyncTimeout = std::chrono::seconds(30);

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Turns std::invalid_argument from the pure parts into the ABI's INVALID_ARGUMENT.
template <class F>
auto checked(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const std::invalid_argument& e) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, e.what());
    }
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

class FrameworkControllerPlatform {
  public:
    static constexpr tshost::Meta meta{
        .name = "frameworkcontroller",
        .version = "0.1.0",
        .description = "Runs each trial as a FrameworkController Framework on Kubernetes",
        .config_schema = kConfigSchema,
    };

    explicit FrameworkControllerPlatform(const tshost::CreateArgs& args)
        : host_(args.host),
          settings_(
              checked([&] { return parse_settings(args.config_json, args.experiment_json); })),
          tracker_([this](const std::string& id, const json& payload) { emit_status(id, payload); },
                   now_ms) {
        if (settings_.reuse_mode_requested) {
            host_.info(
                "reuseMode: tshost runs one Framework per trial (NNI's reuse mode is not "
                "used)");
        }
        if (!settings_.api_version.empty() && settings_.api_version != "v1" &&
            settings_.api_version != "frameworkcontroller.microsoft.com/v1") {
            host_.info("apiVersion '" + settings_.api_version +
                       "' is accepted for NNI compatibility; Frameworks are created as "
                       "frameworkcontroller.microsoft.com/v1");
        }
    }

    ~FrameworkControllerPlatform() {
        // First: its thread calls into the tracker and the host.
        informer_.reset();
    }

    // Connects, creates the experiment's Secrets, and starts the one informer of the
    // experiment (list + watch, label selector app + expId) that all status comes from.
    void start() {
        if (client_) {
            return;
        }
        kube::ClientOptions options;
        try {
            options.config = kube::loadConfig(load_options());
        } catch (const kube::KubeError& e) {
            throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, e.what());
        }
        options.qps = settings_.qps;
        options.burst = settings_.burst;
        options.log = kube_log();
        client_ = std::make_unique<kube::Client>(std::move(options));
        namespace_ = client_->defaultNamespace();
        create_experiment_secrets();

        kube::Informer::Handlers handlers;
        handlers.on_add = [this](const json& fw) { tracker_.observe(fw); };
        handlers.on_update = [this](const json&, const json& fw) { tracker_.observe(fw); };
        handlers.on_delete = [this](const json& fw) { tracker_.vanished(fw); };
        handlers.on_error = [this](const kube::KubeError& e) {
            host_.warn(std::string("watching Frameworks: ") + e.what() + " (re-listing)");
        };
        informer_ = std::make_unique<kube::Informer>(
            *client_, frameworks(), kube::labelSelector(experiment_labels(settings_.experiment_id)),
            std::move(handlers));
        informer_->start();
    }

    std::string submit(const tshost::Trial& trial) {
        start();
        const TrialInput input = trial_input(trial);
        const PodVolume storage = pod_volume();
        const json framework = checked([&] { return build_framework(settings_, input, storage); });
        validate(framework);
        const auto scripts = checked([&] { return run_scripts(settings_, input, storage); });
        const tshost::Storage store = *host_.storage();
        for (const auto& [path, text] : scripts) {
            store.write_file(path, text);
        }
        const std::string name = framework["metadata"]["name"];
        // Followed before it exists, so no event of it can be missed.
        tracker_.follow(input.trial_id, name);
        try {
            client_->create(frameworks(), framework);
        } catch (const kube::KubeError& e) {
            if (e.code() != 409 || !is_ours(name, input)) {
                throw to_plugin_error(e, "creating Framework " + name);
            }
            // A retried submit whose first create went through: the same trial, the same attempt.
        }
        json out{{"jobName", name}, {"namespace", namespace_}};
        // Where the user finds the trial's outputs (tshost prints it for the best trial).
        if (const auto url = store.browse_url(input.spec.trial_dir)) {
            out["url"] = *url;
        }
        return out.dump();
    }

    // executionType Stop first (FrameworkController stops the pods gracefully and completes the
    // attempt), then delete. The trial's end status follows from `reason`.
    void cancel(std::string_view trial_id, tshost::CancelReason reason) {
        const std::string id(trial_id);
        const std::optional<std::string> name = tracker_.framework_of(id);
        if (!name) {
            throw tshost::Error(TSH_ERR_NOT_FOUND,
                                "trial " + id + " is not known to this platform");
        }
        if (tracker_.ended(id)) {
            return;
        }
        start();
        tracker_.stopping(id, reason);
        try {
            client_->patch(frameworks(), *name, json{{"spec", {{"executionType", "Stop"}}}});
        } catch (const kube::KubeError& e) {
            if (e.code() != 404) {
                throw to_plugin_error(e, "stopping Framework " + *name);
            }
        }
        remove_framework(*name);
        tracker_.cancelled(id, reason);
    }

    std::string list_trials() {
        start();
        wait_for_sync();
        json out = json::array();
        for (const json& fw : informer_->objects()) {
            const json labels = fw["metadata"].value("labels", json::object());
            const std::optional<StatusUpdate> u = map_framework_status(fw);
            json row = {{"trialId", labels.value("trialId", "")},
                        {"jobName", fw["metadata"].value("name", "")},
                        {"status", u ? u->status : "RUNNING"}};
            const std::string attempt = labels.value(kAttemptLabel, std::string());
            if (!attempt.empty() && attempt.find_first_not_of("0123456789") == std::string::npos &&
                attempt.size() < 10) {
                row["attempt"] = std::stoll(attempt);
            }
            out.push_back(std::move(row));
        }
        return out.dump();
    }

    // After a host restart: the Framework is found by name in the informer's cache (filled by
    // label), followed again, and its current status emitted.
    void adopt(const tshost::Trial& trial) {
        start();
        wait_for_sync();
        const std::string id(trial.id);
        const json spec =
            json::parse(trial.spec_json.empty() ? "{}" : trial.spec_json, nullptr, false);
        const int64_t attempt = spec.is_object() ? spec.value("attempt", int64_t{0}) : 0;
        const std::string name =
            checked([&] { return framework_name(settings_.experiment_id, id, attempt); });
        const std::optional<json> fw = informer_->get(name);
        if (!fw) {
            throw tshost::Error(TSH_ERR_NOT_FOUND,
                                "Framework " + name + " of trial " + id + " no longer exists");
        }
        tracker_.follow(id, name);
        tracker_.observe(*fw);
    }

    // Every Framework and Secret of the experiment, by label: also those of trials a previous
    // host process submitted.
    void end_experiment() {
        start();
        tracker_.end_all();
        const std::string selector =
            kube::labelSelector(experiment_labels(settings_.experiment_id));
        try {
            client_->removeCollection(frameworks(), selector);
            client_->removeCollection(secrets(), selector);
        } catch (const kube::KubeError& e) {
            throw to_plugin_error(e, "deleting the experiment's Frameworks and Secrets");
        }
    }

    // Offline: what submit would create, validated the same way; Secret data and the metrics
    // token redacted.
    std::string render(const tshost::Trial& trial) {
        TrialInput input = trial_input(trial);
        if (input.namespace_name.empty()) {
            input.namespace_name = "default";
        }
        const PodVolume storage = pod_volume();
        const json framework = checked([&] { return build_framework(settings_, input, storage); });
        validate(framework);
        json objects = json::array();
        if (storage.secret.is_object()) {
            objects.push_back(redacted(labelled_storage_secret(storage, input.namespace_name)));
        }
        for (const auto& [path, name] : registry_secrets(settings_)) {
            objects.push_back(
                redacted(registry_secret(settings_, input.namespace_name, name, "<redacted>")));
        }
        objects.push_back(redacted(framework));
        json files = json::object();
        for (const auto& [path, text] :
             checked([&] { return run_scripts(settings_, input, storage); })) {
            files[path] = text;
        }
        return json{{"objects", objects}, {"files", files}}.dump();
    }

    // `tshost check`: what the experiment will do in the cluster, checked before it runs.
    // Called without start(); options may ask for the metrics-port probe (ABI 1.1).
    tshost::Preflight preflight(std::string_view options_json) {
        kube::PreflightRequest request;
        request.load = load_options();
        request.log = kube_log();
        request.probe = checked([&] {
            return kube::probeFromOptions(options_json, experiment_labels(settings_.experiment_id));
        });
        std::vector<std::string> pod_verbs = {"get", "list", "watch"};
        if (request.probe) {
            pod_verbs.insert(pod_verbs.end(), {"create", "delete"});
        }
        request.access = {
            {kGroup,
             kVersion,
             kPlural,
             {"create", "get", "list", "watch", "patch", "delete", "deletecollection"}},
            {"", "v1", "secrets", {"create", "delete", "deletecollection"}},
            {"", "v1", "pods", pod_verbs}};
        const auto checks = kube::runPreflight(request);
        return tshost::Preflight{kube::preflightJson(checks).dump(), kube::allPassed(checks)};
    }

  private:
    kube::LoadOptions load_options() const {
        kube::LoadOptions load;
        load.kubeconfig = settings_.kubeconfig;
        load.context = settings_.context;
        load.namespace_name = settings_.namespace_name;
        return load;
    }

    kube::LogFn kube_log() const {
        return [host = host_](kube::LogLevel level, std::string_view message) {
            host.log(level == kube::LogLevel::kError  ? tshost::LogLevel::error
                     : level == kube::LogLevel::kWarn ? tshost::LogLevel::warn
                     : level == kube::LogLevel::kInfo ? tshost::LogLevel::info
                                                      : tshost::LogLevel::debug,
                     message);
        };
    }

    kube::ResourceRef frameworks() const { return {kGroup, kVersion, kPlural, namespace_}; }
    kube::ResourceRef secrets() const { return {"", "v1", "secrets", namespace_}; }

    TrialInput trial_input(const tshost::Trial& trial) const {
        TrialInput in;
        in.experiment_id = settings_.experiment_id;
        in.namespace_name = namespace_.empty() ? settings_.namespace_name : namespace_;
        in.trial_id = std::string(trial.id);
        in.sequence_id = trial.sequence_id;
        in.spec = checked([&] { return parse_trial_spec(trial.spec_json); });
        return in;
    }

    PodVolume pod_volume() const {
        const std::optional<tshost::Storage> store = host_.storage();
        if (!store) {
            throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                                "frameworkcontroller needs a storage section (nfs or azureStorage) "
                                "that its pods mount");
        }
        // Holds credentials for some storages: parsed, never logged.
        return checked([&] { return parse_pod_volume(store->pod_volume()); });
    }

    void validate(const json& framework) const {
        try {
            host_.validate_json(kFrameworkSchema, framework.dump());
        } catch (const tshost::Error& e) {
            throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                                "the generated Framework breaks FrameworkController's rules: " +
                                    std::string(e.what()));
        }
    }

    void wait_for_sync() const {
        if (!informer_->waitForSync(kSyncTimeout)) {
            throw tshost::Error(TSH_ERR_TRANSIENT,
                                "the Framework list of the experiment has not "
                                "arrived from the API server yet");
        }
    }

    bool is_ours(const std::string& name, const TrialInput& input) {
        try {
            const json fw = client_->get(frameworks(), name);
            const json labels = fw["metadata"].value("labels", json::object());
            return labels.value("expId", "") == input.experiment_id &&
                   labels.value("trialId", "") == input.trial_id &&
                   labels.value(kAttemptLabel, "") == std::to_string(input.spec.attempt);
        } catch (const kube::KubeError&) {
            return false;
        }
    }

    void remove_framework(const std::string& name) {
        try {
            client_->remove(frameworks(), name);
        } catch (const kube::KubeError& e) {
            if (e.code() != 404) {
                throw to_plugin_error(e, "deleting Framework " + name);
            }
        }
    }

    json labelled_storage_secret(const PodVolume& storage, const std::string& ns) const {
        json secret = storage.secret;
        secret["metadata"]["namespace"] = ns;
        for (const auto& [k, v] : experiment_labels(settings_.experiment_id)) {
            secret["metadata"]["labels"][k] = v;
        }
        return secret;
    }

    // Once per experiment, before the first Framework: the storage's Secret (Azure Files) and
    // one registry Secret per distinct privateRegistryAuthPath, all labelled with the
    // experiment so end_experiment finds them. An existing one (resume) is kept.
    void create_experiment_secrets() {
        std::vector<json> wanted;
        const std::optional<tshost::Storage> store = host_.storage();
        if (store) {
            const PodVolume storage = pod_volume();
            if (storage.secret.is_object()) {
                wanted.push_back(labelled_storage_secret(storage, namespace_));
            }
        }
        for (const auto& [path, name] : registry_secrets(settings_)) {
            wanted.push_back(registry_secret(settings_, namespace_, name, read_local_file(path)));
        }
        for (const json& secret : wanted) {
            const std::string name = secret["metadata"].value("name", "");
            try {
                client_->create(secrets(), secret);
            } catch (const kube::KubeError& e) {
                if (e.code() != 409) {
                    throw to_plugin_error(e, "creating Secret " + name);
                }
            }
        }
    }

    void emit_status(const std::string& trial_id, const json& payload) const {
        try {
            host_.emit(TSH_EVENT_TRIAL_STATUS, trial_id, payload.dump());
        } catch (const tshost::Error& e) {
            host_.warn("trial " + trial_id + ": " + e.what());
        }
    }

    tshost::Host host_;
    Settings settings_;
    Tracker tracker_;
    std::string namespace_;  // resolved by start()
    std::unique_ptr<kube::Client> client_;
    std::unique_ptr<kube::Informer> informer_;  // last: stopped first
};

}  // namespace fc_platform

TSHOST_PLATFORM_PLUGIN(fc_platform::FrameworkControllerPlatform)
