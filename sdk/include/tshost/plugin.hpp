// tshost C++ plugin helper: header-only, C++20, no dependencies beyond the standard
// library. A C++ plugin is a class plus one macro:
//
//     class Echo {
//     public:
//         static constexpr tshost::Meta meta{.name = "echo", .version = "1.0.0",
//                                            .description = "runs nothing"};
//         explicit Echo(const tshost::CreateArgs& args);
//         std::string submit(const tshost::Trial& trial);
//         void cancel(std::string_view trial_id, tshost::CancelReason reason);
//         std::string list_trials();
//         void adopt(const tshost::Trial& trial);
//         // optional: start, end_experiment, update, query, render, preflight;
//         // Preflight preflight(std::string_view options_json) (ABI 1.1) also serves
//         // a 1.0 host's plain preflight, with options "{}"
//     };
//     TSHOST_PLATFORM_PLUGIN(Echo)
//
// Every generated entry point is noexcept: a tshost::Error becomes its status, any
// other exception TSH_ERR_INTERNAL with what(); exceptions never cross the ABI.
// Optional member functions are detected at compile time and leave their table
// slots NULL when absent.
#ifndef TSHOST_PLUGIN_HPP
#define TSHOST_PLUGIN_HPP

#include <tshost/plugin.h>

#include <concepts>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tshost {

inline constexpr tsh_str to_tsh(std::string_view s) noexcept {
    return tsh_str{s.data(), s.size()};
}
inline std::string_view from_tsh(tsh_str s) noexcept {
    return s.size != 0 ? std::string_view(s.data, s.size) : std::string_view();
}

/// Throw from plugin code to return a specific status with a message.
class Error : public std::runtime_error {
  public:
    Error(tsh_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    tsh_status status() const noexcept { return status_; }

  private:
    tsh_status status_;
};

enum class LogLevel : tsh_log_level {
    trace = TSH_LOG_TRACE,
    debug = TSH_LOG_DEBUG,
    info = TSH_LOG_INFO,
    warn = TSH_LOG_WARN,
    error = TSH_LOG_ERROR,
};

enum class CancelReason : tsh_cancel_reason {
    user = TSH_CANCEL_USER,
    early_stop = TSH_CANCEL_EARLY_STOP,
    system = TSH_CANCEL_SYSTEM,
};

/// The trial.status a cancelled trial ends with (ABI.md, cancel): USER_CANCELED,
/// EARLY_STOPPED or SYS_CANCELED.
constexpr const char* cancel_status(CancelReason reason) noexcept {
    switch (reason) {
        case CancelReason::user:
            return "USER_CANCELED";
        case CancelReason::early_stop:
            return "EARLY_STOPPED";
        case CancelReason::system:
            break;
    }
    return "SYS_CANCELED";
}

/// What a plugin says about itself. Strings must be literals (static storage).
struct Meta {
    const char* name = nullptr;
    const char* version = nullptr;
    const char* description = "";
    const char* config_schema = nullptr;  // JSON Schema text; nullptr accepts any object
    uint16_t min_host_minor = 0;
    uint32_t flags = 0;
};

/// A host-owned output channel (see tsh_sink).
class Sink {
  public:
    explicit Sink(tsh_sink* sink) noexcept : sink_(sink) {}
    void write(std::string_view bytes) const {
        const tsh_status st = tsh_sink_write(sink_, bytes.data(), bytes.size());
        if (st != TSH_OK) {
            throw Error(st, "the host refused more output");
        }
    }

  private:
    tsh_sink* sink_;
};

namespace detail {
inline tsh_status append_to_string(void* ctx, const void* data, size_t size) noexcept {
    try {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
        return TSH_OK;
    } catch (...) {
        return TSH_ERR_NO_MEMORY;
    }
}

/// Calls a C function that takes (..., tsh_errbuf*) and throws Error on failure.
template <class Fn>
void check_call(Fn&& fn) {
    char message[1024] = {0};
    tsh_errbuf err{message, sizeof message};
    const tsh_status st = fn(&err);
    if (st != TSH_OK) {
        throw Error(st, message[0] != '\0' ? message : "failed without a message");
    }
}
}  // namespace detail

struct FileInfo {
    tsh_file_type type = 0;
    uint64_t size = 0;
    int64_t mtime_ms = 0;
};

/// A platform's handle to the storage the user configured (tsh_host_api.storage).
class Storage {
  public:
    explicit Storage(const tsh_storage_access* access) noexcept : a_(access) {}

    std::string_view plugin_name() const noexcept {
        return a_->plugin_name != nullptr ? a_->plugin_name : "";
    }
    void make_dir(std::string_view path) const {
        detail::check_call(
            [&](tsh_errbuf* e) { return a_->vtable->make_dir(a_->instance, to_tsh(path), e); });
    }
    void write_file(std::string_view path, std::string_view data, uint32_t flags = 0) const {
        detail::check_call([&](tsh_errbuf* e) {
            return a_->vtable->write_file(a_->instance, to_tsh(path), data.data(), data.size(),
                                          flags, e);
        });
    }
    void upload_file(std::string_view local_path, std::string_view path, uint32_t flags = 0) const {
        detail::check_call([&](tsh_errbuf* e) {
            return a_->vtable->upload_file(a_->instance, to_tsh(local_path), to_tsh(path), flags,
                                           e);
        });
    }
    std::string read_file(std::string_view path, uint64_t offset = 0,
                          uint64_t length = UINT64_MAX) const {
        std::string out;
        tsh_sink sink{&out, &detail::append_to_string};
        detail::check_call([&](tsh_errbuf* e) {
            return a_->vtable->read_file(a_->instance, to_tsh(path), offset, length, &sink, e);
        });
        return out;
    }
    /// std::nullopt when `path` does not exist.
    std::optional<FileInfo> stat(std::string_view path) const {
        tsh_file_info info{};
        info.struct_size = sizeof info;
        char message[1024] = {0};
        tsh_errbuf err{message, sizeof message};
        const tsh_status st = a_->vtable->stat(a_->instance, to_tsh(path), &info, &err);
        if (st == TSH_ERR_NOT_FOUND) {
            return std::nullopt;
        }
        if (st != TSH_OK) {
            throw Error(st, message);
        }
        return FileInfo{info.type, info.size, info.mtime_ms};
    }
    std::string list_dir(std::string_view path) const {
        return collect(a_->vtable->list_dir, path);
    }
    void remove(std::string_view path, uint32_t flags = 0) const {
        detail::check_call([&](tsh_errbuf* e) {
            return a_->vtable->remove(a_->instance, to_tsh(path), flags, e);
        });
    }
    /// JSON {"volume", "volumeMount", "secret"}. Holds credentials: never log it.
    std::string pod_volume() const {
        std::string out;
        tsh_sink sink{&out, &detail::append_to_string};
        detail::check_call(
            [&](tsh_errbuf* e) { return a_->vtable->pod_volume(a_->instance, &sink, e); });
        return out;
    }
    /// std::nullopt when the storage plugin offers no browsable URL.
    std::optional<std::string> browse_url(std::string_view path) const {
        if (!TSH_HAS(tsh_storage_vtable, a_->vtable, browse_url) ||
            a_->vtable->browse_url == nullptr) {
            return std::nullopt;
        }
        return collect(a_->vtable->browse_url, path);
    }

  private:
    template <class Fn>
    std::string collect(Fn fn, std::string_view path) const {
        std::string out;
        tsh_sink sink{&out, &detail::append_to_string};
        detail::check_call([&](tsh_errbuf* e) { return fn(a_->instance, to_tsh(path), &sink, e); });
        return out;
    }

    const tsh_storage_access* a_;
};

/// The host's services for one instance (tsh_host_api). Copyable; valid until the
/// instance is destroyed.
class Host {
  public:
    Host(tsh_host_ctx* ctx, const tsh_host_api* api) noexcept : ctx_(ctx), api_(api) {}

    void log(LogLevel level, std::string_view message) const noexcept {
        api_->log(ctx_, static_cast<tsh_log_level>(level), to_tsh(message));
    }
    void info(std::string_view message) const noexcept { log(LogLevel::info, message); }
    void warn(std::string_view message) const noexcept { log(LogLevel::warn, message); }
    void error(std::string_view message) const noexcept { log(LogLevel::error, message); }

    /// Queue an event (TSH_EVENT_*); throws Error when the host rejects it.
    void emit(std::string_view type, std::string_view trial_id, std::string_view payload_json,
              int64_t time_ms = 0) const {
        tsh_event ev{};
        ev.struct_size = sizeof ev;
        ev.type = to_tsh(type);
        ev.trial_id = to_tsh(trial_id);
        ev.payload_json = to_tsh(payload_json);
        ev.time_ms = time_ms;
        const tsh_status st = api_->emit(ctx_, &ev);
        if (st != TSH_OK) {
            throw Error(st, "the host rejected event '" + std::string(type) + "'");
        }
    }

    bool stopping() const noexcept { return api_->is_stopping(ctx_) != 0; }

    /// Throws Error(TSH_ERR_INVALID_ARGUMENT, every problem with its key path).
    void validate_json(std::string_view schema, std::string_view document) const {
        detail::check_call([&](tsh_errbuf* e) {
            return api_->validate_json(ctx_, to_tsh(schema), to_tsh(document), e);
        });
    }

    /// The configured storage, or std::nullopt when there is none.
    std::optional<Storage> storage() const noexcept {
        const tsh_storage_access* access = api_->storage(ctx_);
        if (access == nullptr) {
            return std::nullopt;
        }
        return Storage(access);
    }

    tsh_host_ctx* raw_ctx() const noexcept { return ctx_; }
    const tsh_host_api* raw_api() const noexcept { return api_; }

  private:
    tsh_host_ctx* ctx_;
    const tsh_host_api* api_;
};

/// Arguments of the plugin's constructor. The views are valid only during it.
struct CreateArgs {
    Host host;
    std::string_view instance_name;
    std::string_view config_json;      // validated against Meta::config_schema
    std::string_view experiment_json;  // see tsh_create_args
};

/// A trial handed to a platform. The views are valid only during the call.
struct Trial {
    std::string_view id;
    int64_t sequence_id = 0;
    std::string_view parameters_json;
    std::string_view spec_json;  // holds a per-trial secret: never log it
};

/// What preflight() returns: a JSON array of checks and whether all passed.
struct Preflight {
    std::string checks_json;
    bool ok = false;
};

namespace detail {

template <class F>
tsh_status guard(tsh_errbuf* err, F&& body) noexcept {
    try {
        body();
        return TSH_OK;
    } catch (const Error& e) {
        return tsh_errbuf_set(err, e.status(), "%s", e.what());
    } catch (const std::bad_alloc&) {
        return tsh_errbuf_set(err, TSH_ERR_NO_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return tsh_errbuf_set(err, TSH_ERR_INTERNAL, "unexpected exception: %s", e.what());
    } catch (...) {
        return tsh_errbuf_set(err, TSH_ERR_INTERNAL, "unexpected exception of unknown type");
    }
}

inline Trial to_trial(const tsh_trial* t) noexcept {
    return Trial{from_tsh(t->trial_id), t->sequence_id, from_tsh(t->parameters_json),
                 from_tsh(t->spec_json)};
}

inline void write_all(tsh_sink* out, const std::string& text) {
    Sink(out).write(text);
}

template <class T>
T& self(tsh_instance* instance) noexcept {
    return *reinterpret_cast<T*>(instance);
}

template <class T>
struct Lifecycle {
    static_assert(std::is_constructible_v<T, const CreateArgs&>,
                  "a tshost plugin class needs a constructor T(const tshost::CreateArgs&)");

    static tsh_status create(const tsh_create_args* a, tsh_instance** out,
                             tsh_errbuf* err) noexcept {
        return guard(err, [&] {
            const CreateArgs args{Host(a->ctx, a->api), from_tsh(a->instance_name),
                                  from_tsh(a->config_json), from_tsh(a->experiment_json)};
            *out = reinterpret_cast<tsh_instance*>(new T(args));
        });
    }
    static void destroy(tsh_instance* instance) noexcept { delete &self<T>(instance); }

    static constexpr tsh_plugin_vtable vtable{sizeof(tsh_plugin_vtable), 0, &create, &destroy};
};

template <class T>
struct PlatformAdapter {
    static_assert(
        requires(T & t, const Trial& tr) {
            { t.submit(tr) } -> std::convertible_to<std::string>;
        },
        "a platform plugin needs: std::string submit(const tshost::Trial&)");
    static_assert(
        requires(T & t, std::string_view id, CancelReason r) { t.cancel(id, r); },
        "a platform plugin needs: void cancel(std::string_view, tshost::CancelReason)");
    static_assert(
        requires(T & t) {
            { t.list_trials() } -> std::convertible_to<std::string>;
        },
        "a platform plugin needs: std::string list_trials()");
    static_assert(
        requires(T & t, const Trial& tr) { t.adopt(tr); },
        "a platform plugin needs: void adopt(const tshost::Trial&)");

    static tsh_status submit(tsh_instance* i, const tsh_trial* t, tsh_sink* out,
                             tsh_errbuf* err) noexcept {
        return guard(err, [&] { write_all(out, self<T>(i).submit(to_trial(t))); });
    }
    static tsh_status cancel(tsh_instance* i, tsh_str id, tsh_cancel_reason reason,
                             tsh_errbuf* err) noexcept {
        return guard(err,
                     [&] { self<T>(i).cancel(from_tsh(id), static_cast<CancelReason>(reason)); });
    }
    static tsh_status list_trials(tsh_instance* i, tsh_sink* out, tsh_errbuf* err) noexcept {
        return guard(err, [&] { write_all(out, self<T>(i).list_trials()); });
    }
    static tsh_status adopt(tsh_instance* i, const tsh_trial* t, tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).adopt(to_trial(t)); });
    }
    static tsh_status start(tsh_instance* i, tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).start(); });
    }
    static tsh_status end_experiment(tsh_instance* i, tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).end_experiment(); });
    }
    static tsh_status update(tsh_instance* i, const tsh_trial* t, tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).update(to_trial(t)); });
    }
    static tsh_status query(tsh_instance* i, tsh_str id, tsh_sink* out, tsh_errbuf* err) noexcept {
        return guard(err, [&] { write_all(out, self<T>(i).query(from_tsh(id))); });
    }
    static tsh_status render(tsh_instance* i, const tsh_trial* t, tsh_sink* out,
                             tsh_errbuf* err) noexcept {
        return guard(err, [&] { write_all(out, self<T>(i).render(to_trial(t))); });
    }
    static constexpr bool kPreflightWithOptions = requires(T & t, std::string_view options) {
        { t.preflight(options) } -> std::convertible_to<Preflight>;
    };
    static constexpr bool kPlainPreflight = requires(T & t) {
        { t.preflight() } -> std::convertible_to<Preflight>;
    };

    // Writes the checks; a failed check is TSH_ERR_GENERIC with the checks still written.
    template <class Run>
    static tsh_status report_preflight(tsh_sink* out, tsh_errbuf* err, Run&& run) noexcept {
        bool ok = false;
        const tsh_status st = guard(err, [&] {
            Preflight result = run();
            write_all(out, result.checks_json);
            ok = result.ok;
        });
        if (st == TSH_OK && !ok) {
            return tsh_errbuf_set(err, TSH_ERR_GENERIC, "some preflight checks failed");
        }
        return st;
    }
    static tsh_status preflight(tsh_instance* i, tsh_sink* out, tsh_errbuf* err) noexcept {
        return report_preflight(out, err, [&] {
            if constexpr (kPlainPreflight) {
                return Preflight(self<T>(i).preflight());
            } else {
                return Preflight(self<T>(i).preflight(std::string_view("{}")));
            }
        });
    }
    static tsh_status preflight_with(tsh_instance* i, tsh_str options, tsh_sink* out,
                                     tsh_errbuf* err) noexcept {
        return report_preflight(out, err, [&] {
            if constexpr (kPreflightWithOptions) {
                return Preflight(self<T>(i).preflight(from_tsh(options)));
            } else {
                return Preflight{};
            }
        });
    }

    static constexpr tsh_platform_vtable make() noexcept {
        tsh_platform_vtable v{};
        v.struct_size = sizeof v;
        v.submit = &submit;
        v.cancel = &cancel;
        v.list_trials = &list_trials;
        v.adopt = &adopt;
        if constexpr (requires(T & t) { t.start(); })
            v.start = &start;
        if constexpr (requires(T & t) { t.end_experiment(); })
            v.end_experiment = &end_experiment;
        if constexpr (requires(T & t, const Trial& tr) { t.update(tr); })
            v.update = &update;
        if constexpr (requires(T & t, std::string_view id) {
                          { t.query(id) } -> std::convertible_to<std::string>;
                      })
            v.query = &query;
        if constexpr (requires(T & t, const Trial& tr) {
                          { t.render(tr) } -> std::convertible_to<std::string>;
                      })
            v.render = &render;
        if constexpr (kPlainPreflight || kPreflightWithOptions)
            v.preflight = &preflight;
        if constexpr (kPreflightWithOptions)
            v.preflight_with = &preflight_with;
        return v;
    }
    static constexpr tsh_platform_vtable vtable = make();
};

template <class T>
struct StorageAdapter {
    static_assert(
        requires(T & t, std::string_view p, uint32_t f, uint64_t n, Sink& s) {
            t.make_dir(p);
            t.write_file(p, p, f);
            t.upload_file(p, p, f);
            t.read_file(p, n, n, s);
            { t.stat(p) } -> std::convertible_to<FileInfo>;
            { t.list_dir(p) } -> std::convertible_to<std::string>;
            t.remove(p, f);
            { t.pod_volume() } -> std::convertible_to<std::string>;
        },
        "a storage plugin needs: make_dir(path), write_file(path, data, flags), "
        "upload_file(local_path, path, flags), read_file(path, offset, length, tshost::Sink&), "
        "tshost::FileInfo stat(path) (throw Error(TSH_ERR_NOT_FOUND) when absent), "
        "std::string list_dir(path), remove(path, flags), std::string pod_volume()");

    static tsh_status make_dir(tsh_instance* i, tsh_str p, tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).make_dir(from_tsh(p)); });
    }
    static tsh_status write_file(tsh_instance* i, tsh_str p, const void* data, size_t size,
                                 uint32_t flags, tsh_errbuf* err) noexcept {
        return guard(err, [&] {
            self<T>(i).write_file(from_tsh(p),
                                  std::string_view(static_cast<const char*>(data), size), flags);
        });
    }
    static tsh_status upload_file(tsh_instance* i, tsh_str local, tsh_str p, uint32_t flags,
                                  tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).upload_file(from_tsh(local), from_tsh(p), flags); });
    }
    static tsh_status read_file(tsh_instance* i, tsh_str p, uint64_t offset, uint64_t length,
                                tsh_sink* out, tsh_errbuf* err) noexcept {
        return guard(err, [&] {
            Sink sink(out);
            self<T>(i).read_file(from_tsh(p), offset, length, sink);
        });
    }
    static tsh_status stat(tsh_instance* i, tsh_str p, tsh_file_info* info,
                           tsh_errbuf* err) noexcept {
        return guard(err, [&] {
            const FileInfo fi = self<T>(i).stat(from_tsh(p));
            if (TSH_HAS(tsh_file_info, info, mtime_ms)) {
                info->type = fi.type;
                info->size = fi.size;
                info->mtime_ms = fi.mtime_ms;
            }
        });
    }
    static tsh_status list_dir(tsh_instance* i, tsh_str p, tsh_sink* out,
                               tsh_errbuf* err) noexcept {
        return guard(err, [&] { write_all(out, self<T>(i).list_dir(from_tsh(p))); });
    }
    static tsh_status remove(tsh_instance* i, tsh_str p, uint32_t flags, tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).remove(from_tsh(p), flags); });
    }
    static tsh_status pod_volume(tsh_instance* i, tsh_sink* out, tsh_errbuf* err) noexcept {
        return guard(err, [&] { write_all(out, self<T>(i).pod_volume()); });
    }
    static tsh_status browse_url(tsh_instance* i, tsh_str p, tsh_sink* out,
                                 tsh_errbuf* err) noexcept {
        return guard(err, [&] { write_all(out, self<T>(i).browse_url(from_tsh(p))); });
    }
    static tsh_status rename(tsh_instance* i, tsh_str from, tsh_str to, tsh_errbuf* err) noexcept {
        return guard(err, [&] { self<T>(i).rename(from_tsh(from), from_tsh(to)); });
    }

    static constexpr tsh_storage_vtable make() noexcept {
        tsh_storage_vtable v{};
        v.struct_size = sizeof v;
        v.make_dir = &make_dir;
        v.write_file = &write_file;
        v.upload_file = &upload_file;
        v.read_file = &read_file;
        v.stat = &stat;
        v.list_dir = &list_dir;
        v.remove = &remove;
        v.pod_volume = &pod_volume;
        if constexpr (requires(T & t, std::string_view p) {
                          { t.browse_url(p) } -> std::convertible_to<std::string>;
                      })
            v.browse_url = &browse_url;
        if constexpr (requires(T & t, std::string_view p) { t.rename(p, p); })
            v.rename = &rename;
        return v;
    }
    static constexpr tsh_storage_vtable vtable = make();
};

template <class T, tsh_kind Kind>
struct Entry {
    static_assert(
        requires {
            T::meta.name;
            T::meta.version;
        },
        "a tshost plugin class needs: static constexpr tshost::Meta meta{...}");

    static constexpr tsh_plugin_info make() noexcept {
        tsh_plugin_info info{};
        info.struct_size = sizeof info;
        info.abi_major = TSH_ABI_MAJOR;
        info.abi_minor = TSH_ABI_MINOR;
        info.min_host_minor = T::meta.min_host_minor;
        info.kind = Kind;
        info.flags = T::meta.flags;
        info.name = T::meta.name;
        info.version = T::meta.version;
        info.description = T::meta.description;
        info.config_schema_json = T::meta.config_schema;
        info.plugin = &Lifecycle<T>::vtable;
        if constexpr (Kind == TSH_KIND_PLATFORM)
            info.platform = &PlatformAdapter<T>::vtable;
        if constexpr (Kind == TSH_KIND_STORAGE)
            info.storage = &StorageAdapter<T>::vtable;
        return info;
    }
    static constexpr tsh_plugin_info info = make();

    static const tsh_plugin_info* entry(const tsh_host_info* host, tsh_errbuf* err) noexcept {
        if (host == nullptr || host->abi_major != TSH_ABI_MAJOR) {
            tsh_errbuf_set(err, TSH_ERR_INCOMPATIBLE, "%s: built for tshost ABI %d", T::meta.name,
                           TSH_ABI_MAJOR);
            return nullptr;
        }
        return &info;
    }
};

}  // namespace detail
}  // namespace tshost

/// Declares the entry point of a platform plugin implemented by class T.
#define TSHOST_PLATFORM_PLUGIN(T)                                               \
    extern "C" TSH_EXPORT_ATTR const tsh_plugin_info* tsh_plugin_entry_v1(      \
        const tsh_host_info* host, tsh_errbuf* err) {                           \
        return ::tshost::detail::Entry<T, TSH_KIND_PLATFORM>::entry(host, err); \
    }

/// Declares the entry point of a storage plugin implemented by class T.
#define TSHOST_STORAGE_PLUGIN(T)                                               \
    extern "C" TSH_EXPORT_ATTR const tsh_plugin_info* tsh_plugin_entry_v1(     \
        const tsh_host_info* host, tsh_errbuf* err) {                          \
        return ::tshost::detail::Entry<T, TSH_KIND_STORAGE>::entry(host, err); \
    }

#endif  // TSHOST_PLUGIN_HPP
