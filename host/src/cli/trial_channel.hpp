// How trials on a shared store reach the host: the experiment's code and trial kit
// on the share, per-trial tokens, the trial-metrics server on port + 1 (push
// mode), and the follower of the agents' metric journals. Built when the
// experiment has a storage section; the engine sees only its TrialHooks.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine/engine.hpp"
#include "metrics/metrics_server.hpp"

namespace tshost::cli {

struct Session;

struct TrialChannelOptions {
    /// Web port; the metrics server listens on port + 1 (NNI's convention). 0: any
    /// free port for the metrics server (tests run several hosts side by side).
    int port = 8080;
    std::string bind_address = "0.0.0.0";
};

class TrialChannel {
  public:
    /// Uploads the code (once: content-addressed), installs the kit, starts the
    /// server and the follower. Throws with a message for the user.
    TrialChannel(Session& session, const TrialChannelOptions& options);
    ~TrialChannel();
    TrialChannel(const TrialChannel&) = delete;
    TrialChannel& operator=(const TrialChannel&) = delete;

    engine::TrialHooks& hooks();
    /// "http(s)://<address>:<port>" as trials reach it (https with metricsTls), or empty in
    /// storage-only mode.
    const std::string& metrics_url() const;

  private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

/// The address pods reach this host at: nniManagerIp when set, else the address of
/// the interface that routes outward (as NNI picks it), else 127.0.0.1.
std::string advertised_address(const std::string& nni_manager_ip);

/// "http(s)://<address>:<port>", the metrics server's base URL as trials use it.
std::string metrics_base_url(bool tls, const std::string& address, int port);

struct MetricsTls {
    std::string ca_cert_pem;  // what trials get (kit/metrics-ca.crt)
    metrics::TlsOptions server;
};

/// metricsTls: the experiment's CA, kept in <data_dir>/metrics-tls/ (made on first use), and a
/// server certificate for `address` issued anew.
MetricsTls prepare_metrics_tls(const std::filesystem::path& data_dir,
                               const std::string& experiment_id, const std::string& address);

}  // namespace tshost::cli
