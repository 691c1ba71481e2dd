// A built plugin loaded through the host's loader, for tests that drive a plugin as the host
// does; a refusal becomes an exception carrying the loader's message.
#pragma once

#include <stdexcept>

#include "plugin/loader.hpp"

namespace tshost::test {

inline tshost::plugin::Plugin load_plugin_or_throw(const char* path) {
    auto loaded = tshost::plugin::load_plugin(path);
    if (!loaded.plugin) {
        throw std::runtime_error(loaded.refusal->message());
    }
    return *loaded.plugin;
}

}  // namespace tshost::test
