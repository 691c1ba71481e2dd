// The C functions of tsh_host_api. Every one is noexcept in effect: an exception
// must never unwind into plugin code, so each body catches everything.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"
#include "plugin/host_context.hpp"
#include "plugin/schema_cache.hpp"

namespace tshost::plugin {
namespace {

std::string_view view(tsh_str s) noexcept {
    return s.data != nullptr ? std::string_view(s.data, s.size) : std::string_view();
}

spdlog::level::level_enum to_spdlog(tsh_log_level level) noexcept {
    switch (level) {
        case TSH_LOG_TRACE:
            return spdlog::level::trace;
        case TSH_LOG_DEBUG:
            return spdlog::level::debug;
        case TSH_LOG_INFO:
            return spdlog::level::info;
        case TSH_LOG_WARN:
            return spdlog::level::warn;
        default:
            return spdlog::level::err;
    }
}

// Logs a rejected call once per instance and reason, so a plugin stuck in a loop
// of bad emits cannot flood the log.
void warn_once(tsh_host_ctx* ctx, const std::string& reason) {
    std::lock_guard lock(ctx->warned_mutex);
    if (ctx->warned.insert(reason).second) {
        spdlog::warn("[{}] {}", ctx->instance_name, reason);
    }
}

void host_log(tsh_host_ctx* ctx, tsh_log_level level, tsh_str message) {
    try {
        spdlog::log(to_spdlog(level), "[{}] {}", ctx != nullptr ? ctx->instance_name : "plugin",
                    view(message));
    } catch (...) {
        // Logging must never fail the plugin's call.
    }
}

bool known_event_type(std::string_view type) {
    static constexpr std::array<std::string_view, 3> kTypes{
        TSH_EVENT_TRIAL_STATUS, TSH_EVENT_TRIAL_METRIC, TSH_EVENT_TRIAL_LOG};
    return std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
}

tsh_status host_emit(tsh_host_ctx* ctx, const tsh_event* event) {
    try {
        if (ctx == nullptr || event == nullptr || !TSH_HAS(tsh_event, event, time_ms)) {
            return TSH_ERR_INVALID_ARGUMENT;
        }
        const auto type = view(event->type);
        if (!known_event_type(type)) {
            warn_once(ctx, "dropped an event of unknown type '" + std::string(type) + "'");
            return TSH_ERR_INVALID_ARGUMENT;
        }
        if (event->trial_id.size == 0) {
            warn_once(ctx, "dropped a '" + std::string(type) + "' event without a trial id");
            return TSH_ERR_INVALID_ARGUMENT;
        }
        const auto payload = view(event->payload_json);
        if (!nlohmann::json::accept(payload) || !nlohmann::json::parse(payload).is_object()) {
            warn_once(ctx, "dropped a '" + std::string(type) +
                               "' event whose payload is not a JSON object");
            return TSH_ERR_INVALID_ARGUMENT;
        }
        if (ctx->events == nullptr) {
            return TSH_OK;
        }
        const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        ctx->events->push(HostEvent{ctx->instance_name, std::string(type),
                                    std::string(view(event->trial_id)), std::string(payload),
                                    event->time_ms != 0 ? event->time_ms : now_ms});
        return TSH_OK;
    } catch (const std::bad_alloc&) {
        return TSH_ERR_NO_MEMORY;
    } catch (...) {
        return TSH_ERR_INTERNAL;
    }
}

int32_t host_is_stopping(tsh_host_ctx* ctx) {
    return ctx != nullptr && ctx->stopping.load() ? 1 : 0;
}

tsh_status host_validate_json(tsh_host_ctx* ctx, tsh_str schema, tsh_str document,
                              tsh_errbuf* err) {
    (void)ctx;
    try {
        const auto compiled = cached_schema(view(schema));
        const auto instance = nlohmann::json::parse(view(document));
        const auto errors = compiled->validate(instance);
        if (errors.empty()) {
            return TSH_OK;
        }
        std::string text;
        for (const auto& e : errors) {
            text += (text.empty() ? "" : "; ") + e.key_path + ": " + e.message;
        }
        return tsh_errbuf_set(err, TSH_ERR_INVALID_ARGUMENT, "%s", text.c_str());
    } catch (const std::exception& e) {
        return tsh_errbuf_set(err, TSH_ERR_INVALID_ARGUMENT, "cannot validate: %s", e.what());
    } catch (...) {
        return tsh_errbuf_set(err, TSH_ERR_INTERNAL, "cannot validate");
    }
}

const tsh_storage_access* host_storage(tsh_host_ctx* ctx) {
    return ctx != nullptr ? ctx->storage : nullptr;
}

}  // namespace

const tsh_host_api* host_api() noexcept {
    static const tsh_host_api api{
        sizeof(tsh_host_api), 0, &host_log, &host_emit, &host_is_stopping, &host_validate_json,
        &host_storage};
    return &api;
}

}  // namespace tshost::plugin
