// Explains why a server could not be reached (refused, timed out, no route) with
// one plain TCP connect, because libnfs only reports "nfs_service failed".
#pragma once

#include <string>

namespace nfsplugin {

/// "" when host:port accepts a TCP connection within timeout_ms, else the reason.
std::string probe_tcp(const std::string& host, int port, int timeout_ms);

}  // namespace nfsplugin
