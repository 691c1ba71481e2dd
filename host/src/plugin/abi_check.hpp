// Checks what a plugin's entry point returned against this host's ABI, without
// trusting any byte the plugin's struct_size does not cover.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plugin/descriptor.hpp"

namespace tshost::plugin {

struct AbiCheck {
    std::optional<Descriptor> descriptor;  // set when there are no problems
    std::vector<std::string> problems;     // every problem found, not just the first
};

/// Size of each struct as ABI 1.0 defined it: the least a plugin may hand over.
size_t v1_0_size_of_plugin_info() noexcept;

AbiCheck check_plugin_info(const tsh_plugin_info* info);

}  // namespace tshost::plugin
