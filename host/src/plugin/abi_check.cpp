#include "plugin/abi_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <regex>

namespace tshost::plugin {
namespace {

template <class T>
T normalised_copy(const T* source) {
    // OBS's approach: zero-fill, then copy only the bytes both sides know about.
    T copy{};
    if (source != nullptr) {
        std::memcpy(&copy, source, std::min<size_t>(source->struct_size, sizeof(T)));
        copy.struct_size = static_cast<uint32_t>(std::min<size_t>(source->struct_size, sizeof(T)));
    }
    return copy;
}

void require(std::vector<std::string>& missing, bool present, const char* name) {
    if (!present) {
        missing.emplace_back(name);
    }
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out;
}

std::string version_string(unsigned major, unsigned minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

}  // namespace

const char* kind_name(Kind kind) noexcept {
    return kind == Kind::platform ? "platform" : "storage";
}

size_t v1_0_size_of_plugin_info() noexcept {
    return offsetof(tsh_plugin_info, storage) + sizeof(tsh_plugin_info::storage);
}

AbiCheck check_plugin_info(const tsh_plugin_info* info) {
    AbiCheck result;
    auto& problems = result.problems;
    if (info == nullptr) {
        problems.emplace_back("its entry point returned no plugin description");
        return result;
    }
    if (info->struct_size < v1_0_size_of_plugin_info()) {
        problems.push_back("its description is " + std::to_string(info->struct_size) +
                           " bytes, smaller than ABI 1.0's " +
                           std::to_string(v1_0_size_of_plugin_info()) + ": not a tshost plugin");
        return result;  // nothing else in it can be trusted
    }
    if (info->abi_major != TSH_ABI_MAJOR) {
        problems.push_back("it was built for ABI major " + std::to_string(info->abi_major) +
                           ", this host speaks " + std::to_string(TSH_ABI_MAJOR));
        return result;  // a different major means a different layout
    }
    if (info->min_host_minor > TSH_ABI_MINOR) {
        problems.push_back(
            "it needs a newer host (ABI " + version_string(TSH_ABI_MAJOR, info->min_host_minor) +
            " or later; this host has " + version_string(TSH_ABI_MAJOR, TSH_ABI_MINOR) + ")");
    }

    Descriptor d;
    d.abi_major = info->abi_major;
    d.abi_minor = info->abi_minor;
    d.min_host_minor = info->min_host_minor;
    d.flags = info->flags;
    static const std::regex name_pattern("[a-z0-9][a-z0-9_-]{0,62}");
    if (info->name == nullptr || !std::regex_match(info->name, name_pattern)) {
        problems.push_back(
            "its name must match [a-z0-9][a-z0-9_-]{0,62} (got " +
            (info->name != nullptr ? "'" + std::string(info->name) + "'" : std::string("none")) +
            ")");
    } else {
        d.name = info->name;
    }
    if (info->version == nullptr || *info->version == '\0') {
        problems.emplace_back("it states no version");
    } else {
        d.version = info->version;
    }
    d.description = info->description != nullptr ? info->description : "";
    d.config_schema = info->config_schema_json != nullptr ? info->config_schema_json : "";

    std::vector<std::string> missing;
    d.lifecycle = normalised_copy(info->plugin);
    require(missing, d.lifecycle.create != nullptr, "create");
    require(missing, d.lifecycle.destroy != nullptr, "destroy");

    if (info->kind == TSH_KIND_PLATFORM) {
        d.kind = Kind::platform;
        d.platform = normalised_copy(info->platform);
        const auto& p = d.platform;
        require(missing, p.submit != nullptr, "platform.submit");
        require(missing, p.cancel != nullptr, "platform.cancel");
        require(missing, reinterpret_cast<void*>(p.list_trials), "platform.list_trials");
        require(missing, p.adopt != nullptr, "platform.adopt");
    } else if (info->kind == TSH_KIND_STORAGE) {
        d.kind = Kind::storage;
        d.storage = normalised_copy(info->storage);
        const auto& s = d.storage;
        require(missing, reinterpret_cast<void*>(s.make_dir), "storage.make_dir");
        require(missing, reinterpret_cast<void*>(s.write_file), "storage.write_file");
        require(missing, reinterpret_cast<void*>(s.upload_file), "storage.upload_file");
        require(missing, reinterpret_cast<void*>(s.read_file), "storage.read_file");
        require(missing, s.stat != nullptr, "storage.stat");
        require(missing, reinterpret_cast<void*>(s.list_dir), "storage.list_dir");
        require(missing, s.remove != nullptr, "storage.remove");
        require(missing, reinterpret_cast<void*>(s.pod_volume), "storage.pod_volume");
    } else {
        problems.push_back("its kind " + std::to_string(info->kind) +
                           " is unknown (1 = platform, 2 = storage)");
    }
    if (!missing.empty()) {
        problems.push_back("required functions are missing: " + join(missing));
    }
    if (problems.empty()) {
        result.descriptor = std::move(d);
    }
    return result;
}

}  // namespace tshost::plugin
