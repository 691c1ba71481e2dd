// Turns file-system failures into tshost::Error with a status the host acts on and
// a message that says what to change (server exports, squash, uid/gid, network).
#pragma once

#include <tshost/plugin.hpp>

#include "config.hpp"
#include "fs.hpp"

namespace nfsplugin {

/// The error the host sees for `e`, after `attempts` tries.
tshost::Error to_error(const FsError& e, const Config& config, int attempts);

}  // namespace nfsplugin
