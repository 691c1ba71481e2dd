// A loaded plugin's self-description, copied out of the library into host-owned
// memory, with every table normalised to this host's struct sizes: fields the
// plugin's (older) header did not have read as zero/NULL.
#pragma once

#include <tshost/plugin.h>

#include <cstdint>
#include <memory>
#include <string>

namespace tshost::jsonschema {
class Schema;
}

namespace tshost::plugin {

enum class Kind { platform, storage };

const char* kind_name(Kind kind) noexcept;

struct Descriptor {
    std::string path;
    std::string name;
    std::string version;
    std::string description;
    std::string config_schema;  // JSON Schema text; empty = any JSON object
    Kind kind = Kind::platform;
    uint16_t abi_major = 0;
    uint16_t abi_minor = 0;
    uint16_t min_host_minor = 0;
    uint32_t flags = 0;
    tsh_plugin_vtable lifecycle{};
    tsh_platform_vtable platform{};
    tsh_storage_vtable storage{};
};

/// A plugin the host accepted. Copies share the loaded library, which stays
/// loaded while any copy (and so any instance created from it) is alive.
struct Plugin {
    Descriptor descriptor;
    std::shared_ptr<const jsonschema::Schema> config_schema;  // null = accepts any object
    std::shared_ptr<void> library;
};

}  // namespace tshost::plugin
