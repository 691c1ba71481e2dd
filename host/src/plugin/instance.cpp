#include "plugin/instance.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"
#include "plugin/host_context.hpp"

namespace tshost::plugin {
namespace {

constexpr size_t kErrorCapacity = 4096;
// Plugin output is copied into host memory; a runaway plugin must not exhaust it.
constexpr size_t kMaxOutputBytes = size_t{256} << 20;

tsh_str to_tsh(std::string_view s) noexcept {
    return tsh_str{s.data(), s.size()};
}

tsh_status append_output(void* ctx, const void* data, size_t size) noexcept {
    auto* out = static_cast<std::string*>(ctx);
    if (out->size() + size > kMaxOutputBytes) {
        return TSH_ERR_NO_MEMORY;
    }
    try {
        out->append(static_cast<const char*>(data), size);
        return TSH_OK;
    } catch (...) {
        return TSH_ERR_NO_MEMORY;
    }
}

tsh_trial to_c(const TrialSpec& t) noexcept {
    tsh_trial c{};
    c.struct_size = sizeof c;
    c.trial_id = to_tsh(t.id);
    c.sequence_id = t.sequence_id;
    c.parameters_json = to_tsh(t.parameters_json);
    c.spec_json = to_tsh(t.spec_json);
    return c;
}

// The storage ABI promises plugins clean relative paths; checking here means no
// plugin has to defend against "../" escaping its root.
void check_store_path(std::string_view path) {
    bool bad = path.empty() || path.front() == '/' || path.back() == '/';
    size_t start = 0;
    while (!bad && start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        const auto segment = path.substr(start, end - start);
        bad = segment.empty() || segment == "." || segment == "..";
        start = end + 1;
    }
    if (bad) {
        throw PluginError(TSH_ERR_INVALID_ARGUMENT,
                          "invalid storage path '" + std::string(path) +
                              "': use a relative path without '.', '..' or empty segments");
    }
}

std::string config_error_text(const std::string& plugin,
                              const std::vector<ConfigError::Problem>& problems) {
    std::string text = "invalid config for plugin '" + plugin + "':";
    for (const auto& p : problems) {
        text += "\n  " + p.key_path + ": " + p.message;
    }
    return text;
}

}  // namespace

ConfigError::ConfigError(const std::string& plugin, std::vector<Problem> problems)
    : std::runtime_error(config_error_text(plugin, problems)), problems_(std::move(problems)) {}

void validate_config(const Plugin& plugin, std::string_view config_json) {
    nlohmann::json config;
    try {
        config = nlohmann::json::parse(config_json);
    } catch (const std::exception& e) {
        throw ConfigError(plugin.descriptor.name,
                          {{"(root)", std::string("not JSON: ") + e.what()}});
    }
    if (!config.is_object()) {
        throw ConfigError(
            plugin.descriptor.name,
            {{"(root)", "must be an object of settings, got " + std::string(config.type_name())}});
    }
    if (!plugin.config_schema) {
        return;
    }
    std::vector<ConfigError::Problem> problems;
    for (const auto& e : plugin.config_schema->validate(config)) {
        problems.push_back({e.key_path, e.message});
    }
    if (!problems.empty()) {
        throw ConfigError(plugin.descriptor.name, std::move(problems));
    }
}

Instance::Instance(const Plugin& plugin, std::string_view config_json, InstanceOptions options)
    : plugin_(plugin), ctx_(std::make_unique<tsh_host_ctx>()) {
    validate_config(plugin_, config_json);
    ctx_->instance_name =
        options.instance_name.empty() ? plugin_.descriptor.name : options.instance_name;
    ctx_->events = options.events;
    ctx_->storage = options.storage;

    tsh_create_args args{};
    args.struct_size = sizeof args;
    args.ctx = ctx_.get();
    args.api = host_api();
    args.instance_name = to_tsh(ctx_->instance_name);
    args.config_json = to_tsh(config_json);
    args.experiment_json = to_tsh(options.experiment_json);
    tsh_instance* created = nullptr;
    call("create", [&](tsh_errbuf* err) {
        return plugin_.descriptor.lifecycle.create(&args, &created, err);
    });
    if (created == nullptr) {
        throw PluginError(TSH_ERR_INTERNAL, "plugin '" + plugin_.descriptor.name +
                                                "': create returned success but no instance");
    }
    self_ = created;
}

Instance::~Instance() {
    ctx_->stopping = true;
    plugin_.descriptor.lifecycle.destroy(self_);
}

const std::string& Instance::name() const noexcept {
    return ctx_->instance_name;
}

void Instance::request_stop() noexcept {
    ctx_->stopping = true;
}

template <class Fn>
void Instance::call(const char* verb, Fn&& fn) const {
    std::string message(kErrorCapacity, '\0');
    tsh_errbuf err{message.data(), message.size()};
    const tsh_status st = fn(&err);
    if (st != TSH_OK) {
        message.resize(message.find('\0'));
        if (message.empty()) {
            message = "failed with status " + std::to_string(st) + " and no message";
        }
        throw PluginError(st, "plugin '" + plugin_.descriptor.name + "': " + verb + ": " + message);
    }
}

template <class Fn>
std::string Instance::call_with_output(const char* verb, Fn&& fn) const {
    std::string out;
    tsh_sink sink{&out, &append_output};
    call(verb, [&](tsh_errbuf* err) { return fn(&sink, err); });
    return out;
}

PlatformInstance::PlatformInstance(const Plugin& plugin, std::string_view config_json,
                                   InstanceOptions options)
    : Instance(plugin, config_json, std::move(options)) {}

std::string PlatformInstance::submit(const TrialSpec& trial) {
    std::lock_guard lock(mutex_);
    const tsh_trial c = to_c(trial);
    return call_with_output("submit", [&](tsh_sink* out, tsh_errbuf* err) {
        return descriptor().platform.submit(self(), &c, out, err);
    });
}

void PlatformInstance::cancel(std::string_view trial_id, tsh_cancel_reason reason) {
    std::lock_guard lock(mutex_);
    call("cancel", [&](tsh_errbuf* err) {
        return descriptor().platform.cancel(self(), to_tsh(trial_id), reason, err);
    });
}

std::string PlatformInstance::list_trials() {
    std::lock_guard lock(mutex_);
    return call_with_output("list_trials", [&](tsh_sink* out, tsh_errbuf* err) {
        return descriptor().platform.list_trials(self(), out, err);
    });
}

void PlatformInstance::adopt(const TrialSpec& trial) {
    std::lock_guard lock(mutex_);
    const tsh_trial c = to_c(trial);
    call("adopt", [&](tsh_errbuf* err) { return descriptor().platform.adopt(self(), &c, err); });
}

bool PlatformInstance::start() {
    std::lock_guard lock(mutex_);
    if (descriptor().platform.start == nullptr) {
        return false;
    }
    call("start", [&](tsh_errbuf* err) { return descriptor().platform.start(self(), err); });
    return true;
}

bool PlatformInstance::end_experiment() {
    std::lock_guard lock(mutex_);
    if (descriptor().platform.end_experiment == nullptr) {
        return false;
    }
    call("end_experiment",
         [&](tsh_errbuf* err) { return descriptor().platform.end_experiment(self(), err); });
    return true;
}

std::string PlatformInstance::render(const TrialSpec& trial) {
    std::lock_guard lock(mutex_);
    if (descriptor().platform.render == nullptr) {
        throw PluginError(TSH_ERR_UNSUPPORTED,
                          "plugin '" + descriptor().name + "' cannot render its jobs offline");
    }
    const tsh_trial c = to_c(trial);
    return call_with_output("render", [&](tsh_sink* out, tsh_errbuf* err) {
        return descriptor().platform.render(self(), &c, out, err);
    });
}

PreflightResult PlatformInstance::preflight(std::string_view options_json) {
    std::lock_guard lock(mutex_);
    const tsh_platform_vtable& p = descriptor().platform;
    if (p.preflight_with == nullptr && p.preflight == nullptr) {
        throw PluginError(TSH_ERR_UNSUPPORTED,
                          "plugin '" + descriptor().name + "' has no preflight checks");
    }
    PreflightResult result;
    result.options_passed = p.preflight_with != nullptr;
    tsh_sink sink{&result.checks_json, &append_output};
    std::string message(kErrorCapacity, '\0');
    tsh_errbuf err{message.data(), message.size()};
    result.status = result.options_passed
                        ? p.preflight_with(self(), to_tsh(options_json), &sink, &err)
                        : p.preflight(self(), &sink, &err);
    if (result.status != TSH_OK) {
        message.resize(message.find('\0'));
        result.message =
            "plugin '" + descriptor().name + "': preflight: " +
            (message.empty() ? "failed with status " + std::to_string(result.status) : message);
    }
    return result;
}

StorageInstance::StorageInstance(const Plugin& plugin, std::string_view config_json,
                                 InstanceOptions options)
    : Instance(plugin, config_json, std::move(options)),
      access_(std::make_unique<tsh_storage_access>()) {
    access_->struct_size = sizeof(tsh_storage_access);
    access_->instance = self();
    access_->vtable = &descriptor().storage;
    access_->plugin_name = descriptor().name.c_str();
}

StorageInstance::~StorageInstance() = default;

void StorageInstance::make_dir(std::string_view path) {
    check_store_path(path);
    call("make_dir",
         [&](tsh_errbuf* err) { return descriptor().storage.make_dir(self(), to_tsh(path), err); });
}

void StorageInstance::write_file(std::string_view path, std::string_view data, uint32_t flags) {
    check_store_path(path);
    call("write_file", [&](tsh_errbuf* err) {
        return descriptor().storage.write_file(self(), to_tsh(path), data.data(), data.size(),
                                               flags, err);
    });
}

void StorageInstance::upload_file(std::string_view local_path, std::string_view path,
                                  uint32_t flags) {
    check_store_path(path);
    call("upload_file", [&](tsh_errbuf* err) {
        return descriptor().storage.upload_file(self(), to_tsh(local_path), to_tsh(path), flags,
                                                err);
    });
}

std::optional<tsh_file_info> StorageInstance::stat(std::string_view path) {
    check_store_path(path);
    tsh_file_info info{};
    info.struct_size = sizeof info;
    try {
        call("stat", [&](tsh_errbuf* err) {
            return descriptor().storage.stat(self(), to_tsh(path), &info, err);
        });
    } catch (const PluginError& e) {
        if (e.status() == TSH_ERR_NOT_FOUND) {
            return std::nullopt;
        }
        throw;
    }
    return info;
}

std::string StorageInstance::read_file(std::string_view path, uint64_t offset, uint64_t length) {
    check_store_path(path);
    return call_with_output("read_file", [&](tsh_sink* out, tsh_errbuf* err) {
        return descriptor().storage.read_file(self(), to_tsh(path), offset, length, out, err);
    });
}

std::string StorageInstance::list_dir(std::string_view path) {
    check_store_path(path);
    return call_with_output("list_dir", [&](tsh_sink* out, tsh_errbuf* err) {
        return descriptor().storage.list_dir(self(), to_tsh(path), out, err);
    });
}

void StorageInstance::remove(std::string_view path, uint32_t flags) {
    check_store_path(path);
    call("remove", [&](tsh_errbuf* err) {
        return descriptor().storage.remove(self(), to_tsh(path), flags, err);
    });
}

std::string StorageInstance::pod_volume() {
    return call_with_output("pod_volume", [&](tsh_sink* out, tsh_errbuf* err) {
        return descriptor().storage.pod_volume(self(), out, err);
    });
}

}  // namespace tshost::plugin
