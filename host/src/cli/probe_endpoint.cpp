#include "cli/probe_endpoint.hpp"

#include "cli/trial_channel.hpp"
#include "metrics/metrics_server.hpp"
#include "metrics/trial_tokens.hpp"
#include "plugin/event_queue.hpp"

namespace tshost::cli {

namespace fs = std::filesystem;

struct ProbeEndpoint::Parts {
    fs::path scratch;  // the token key and TLS files, removed at the end
    std::unique_ptr<metrics::TrialTokens> tokens;
    plugin::EventQueue events;  // the probe posts no metrics; the server needs a queue
    std::unique_ptr<metrics::MetricsServer> server;
    std::string bind_address;
    std::string url;
};

ProbeEndpoint::ProbeEndpoint(const config::ExperimentConfig& config,
                             const std::string& experiment_id, int port,
                             const std::string& bind_address)
    : parts_(std::make_unique<Parts>()) {
    parts_->scratch = fs::temp_directory_path() / ("tshost-check-" + experiment_id);
    fs::create_directories(parts_->scratch);
    fs::permissions(parts_->scratch, fs::perms::owner_all, fs::perm_options::replace);
    parts_->tokens = std::make_unique<metrics::TrialTokens>(
        metrics::TrialTokens::load_or_create(parts_->scratch / "metrics.key"));
    metrics::MetricsServerOptions options;
    options.bind_address = bind_address;
    options.port = port == 0 ? 0 : static_cast<uint16_t>(port + 1);
    const std::string address = advertised_address(config.nni_manager_ip);
    if (config.metrics_tls) {
        options.tls = prepare_metrics_tls(parts_->scratch, experiment_id, address).server;
    }
    parts_->server =
        std::make_unique<metrics::MetricsServer>(*parts_->tokens, parts_->events, options);
    parts_->server->start();
    parts_->bind_address = bind_address;
    parts_->url = metrics_base_url(config.metrics_tls, address, parts_->server->port()) +
                  metrics::kHealthzPath;
}

ProbeEndpoint::~ProbeEndpoint() {
    if (parts_->server) {
        parts_->server->stop();
    }
    std::error_code ignored;
    fs::remove_all(parts_->scratch, ignored);
}

const std::string& ProbeEndpoint::healthz_url() const {
    return parts_->url;
}

std::string ProbeEndpoint::listening() const {
    return parts_->bind_address + ":" + std::to_string(parts_->server->port());
}

uint64_t ProbeEndpoint::health_checks() const {
    return parts_->server->stats().health_checks;
}

}  // namespace tshost::cli
