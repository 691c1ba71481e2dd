// `tshost check --probe-image`: the host's trial-metrics endpoint, started only for the check
// the way `run` starts it (port + 1, the bind address, TLS with metricsTls, and the address
// trials are told), so the platform's probe pod fetches what a trial would reach.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "config/experiment_config.hpp"

namespace tshost::cli {

class ProbeEndpoint {
  public:
    /// `port` is the web port (metrics on port + 1; 0: any free port). Throws
    /// std::runtime_error naming the address when it cannot listen.
    ProbeEndpoint(const config::ExperimentConfig& config, const std::string& experiment_id,
                  int port, const std::string& bind_address);
    ~ProbeEndpoint();  // stops the server and removes its scratch files (token key, TLS)
    ProbeEndpoint(const ProbeEndpoint&) = delete;
    ProbeEndpoint& operator=(const ProbeEndpoint&) = delete;

    /// The healthz URL as pods are told to reach it.
    const std::string& healthz_url() const;
    /// "<bind>:<port>", where it really listens.
    std::string listening() const;
    /// GET healthz requests answered so far.
    uint64_t health_checks() const;

  private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace tshost::cli
