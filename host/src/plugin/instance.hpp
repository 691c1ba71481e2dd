// Host-side handles on plugin instances. They validate the config against the
// plugin's schema before create(), serialise platform calls, turn status codes
// into exceptions that name the plugin and the call, and destroy the instance
// before the library can unload.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/descriptor.hpp"
#include "plugin/event_queue.hpp"

struct tsh_host_ctx;

namespace tshost::plugin {

/// A call into a plugin failed. what() reads "plugin 'nfs': make_dir: <message>".
class PluginError : public std::runtime_error {
  public:
    PluginError(tsh_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    tsh_status status() const noexcept { return status_; }
    bool transient() const noexcept { return status_ == TSH_ERR_TRANSIENT; }

  private:
    tsh_status status_;
};

/// The user's config for a plugin does not satisfy the plugin's schema.
class ConfigError : public std::runtime_error {
  public:
    struct Problem {
        std::string key_path;
        std::string message;
    };
    ConfigError(const std::string& plugin, std::vector<Problem> problems);
    const std::vector<Problem>& problems() const noexcept { return problems_; }

  private:
    std::vector<Problem> problems_;
};

/// Everything an instance needs from its surroundings.
struct InstanceOptions {
    std::string instance_name;                    // defaults to the plugin's name
    std::string experiment_json = "{}";           // see tsh_create_args
    EventQueue* events = nullptr;                 // where emitted events go
    const tsh_storage_access* storage = nullptr;  // platforms only
};

/// Validates `config_json` against the plugin's schema; throws ConfigError.
void validate_config(const Plugin& plugin, std::string_view config_json);

class Instance {
  public:
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;
    virtual ~Instance();

    const Descriptor& descriptor() const noexcept { return plugin_.descriptor; }
    const std::string& name() const noexcept;
    /// Tells the plugin (through is_stopping) to wind down long operations.
    void request_stop() noexcept;

  protected:
    Instance(const Plugin& plugin, std::string_view config_json, InstanceOptions options);

    /// Runs a C call with a fresh error buffer; throws PluginError on failure.
    template <class Fn>
    void call(const char* verb, Fn&& fn) const;
    /// Same, for calls that write to a sink: returns what was written.
    template <class Fn>
    std::string call_with_output(const char* verb, Fn&& fn) const;

    tsh_instance* self() const noexcept { return self_; }

  private:
    Plugin plugin_;  // first: holds the library, so it outlives destroy()
    std::unique_ptr<tsh_host_ctx> ctx_;
    tsh_instance* self_ = nullptr;
};

/// A host-side description of a trial to run.
struct TrialSpec {
    std::string id;
    int64_t sequence_id = 0;
    std::string parameters_json;
    std::string spec_json = "{}";
};

/// What a platform's preflight answered. A failed check is not an exception: the
/// plugin returns an error status and still writes its checks.
struct PreflightResult {
    std::string checks_json;  // a JSON array of {"check","ok","detail","fix"}, maybe empty
    tsh_status status = TSH_OK;
    std::string message;          // "plugin '<name>': preflight: ..." when status != TSH_OK
    bool options_passed = false;  // false: a 1.0 plugin ran its plain preflight
};

class PlatformInstance : public Instance {
  public:
    PlatformInstance(const Plugin& plugin, std::string_view config_json, InstanceOptions options);

    std::string submit(const TrialSpec& trial);
    void cancel(std::string_view trial_id, tsh_cancel_reason reason);
    std::string list_trials();
    void adopt(const TrialSpec& trial);
    /// Optional functions: false when the plugin does not have them.
    bool start();
    bool end_experiment();
    bool has_render() const noexcept { return descriptor().platform.render != nullptr; }
    std::string render(const TrialSpec& trial);
    bool has_preflight() const noexcept {
        return descriptor().platform.preflight != nullptr ||
               descriptor().platform.preflight_with != nullptr;
    }
    /// preflight_with(options_json) when the plugin has it (ABI 1.1), else the plain
    /// preflight. Throws PluginError(UNSUPPORTED) when it has neither.
    PreflightResult preflight(std::string_view options_json);

  private:
    std::mutex mutex_;  // the ABI promises one call at a time per platform instance
};

class StorageInstance : public Instance {
  public:
    StorageInstance(const Plugin& plugin, std::string_view config_json, InstanceOptions options);
    ~StorageInstance() override;

    /// What a platform receives from host_api.storage(). Valid while this lives.
    const tsh_storage_access* access() const noexcept { return access_.get(); }

    void make_dir(std::string_view path);
    void write_file(std::string_view path, std::string_view data, uint32_t flags = 0);
    /// Streams the local file `local_path` to `path` (created atomically).
    void upload_file(std::string_view local_path, std::string_view path, uint32_t flags = 0);
    /// std::nullopt when `path` does not exist (the plugin said TSH_ERR_NOT_FOUND).
    std::optional<tsh_file_info> stat(std::string_view path);
    std::string read_file(std::string_view path, uint64_t offset = 0, uint64_t length = UINT64_MAX);
    std::string list_dir(std::string_view path);
    void remove(std::string_view path, uint32_t flags = 0);
    std::string pod_volume();

  private:
    std::unique_ptr<tsh_storage_access> access_;
};

}  // namespace tshost::plugin
