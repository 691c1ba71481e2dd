#include "cli/trial_channel.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/experiment_session.hpp"
#include "metrics/metrics_server.hpp"
#include "metrics/tls_pki.hpp"
#include "metrics/trial_tokens.hpp"
#include "storage/code_sync.hpp"
#include "trialkit/follower.hpp"
#include "trialkit/journal.hpp"
#include "trialkit/kit.hpp"
#include "trialkit/trial_hooks.hpp"

namespace tshost::cli {
namespace {

// In push mode the journals are only a backup while a trial runs: look now and then
// so the assessor sees a trial whose pushes fail. In storage-only mode they are the
// path itself; 500 ms keeps a metric's trip to the tuner well under 2 s.
constexpr std::chrono::milliseconds kFollowPush{5000};
constexpr std::chrono::milliseconds kFollowStorage{500};

namespace fs = std::filesystem;

std::optional<std::string> read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

// metricsTls: the experiment's CA is made once and kept in <data dir>/metrics-tls/ (the
// directory 0700, the keys 0600; never in the database or the log), so a resumed host
// presents the same CA to trials that already trust it. The server certificate is issued
// anew at each start for the address trials are told now (plus localhost and 127.0.0.1),
// so a changed nniManagerIp needs nothing from the user.
MetricsTls prepare_metrics_tls(const fs::path& data_dir, const std::string& experiment_id,
                               const std::string& address) {
    const fs::path dir = data_dir / "metrics-tls";
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
    const fs::path ca_cert = dir / "ca.crt";
    const fs::path ca_key = dir / "ca.key";
    metrics::CertifiedKey ca;
    auto cert_pem = read_text(ca_cert);
    auto key_pem = read_text(ca_key);
    if (cert_pem && key_pem) {
        ca = {std::move(*cert_pem), std::move(*key_pem)};
    } else {
        // The key is written before the certificate: a certificate on disk always has its key.
        ca = metrics::generate_ca("tshost metrics CA " + experiment_id);
        metrics::write_file_with_mode(ca_key.string(), ca.key_pem, 0600);
        metrics::write_file_with_mode(ca_cert.string(), ca.cert_pem, 0644);
        spdlog::info("metricsTls: generated the experiment's CA in {}", dir.string());
    }
    const auto server =
        metrics::issue_certificate(ca, "tshost-metrics", "", {address, "localhost", "127.0.0.1"},
                                   metrics::CertificateUse::kServer);
    MetricsTls out;
    out.ca_cert_pem = ca.cert_pem;
    out.server.certificate_chain_file = (dir / "server.crt").string();
    out.server.private_key_file = (dir / "server.key").string();
    metrics::write_file_with_mode(out.server.private_key_file, server.key_pem, 0600);
    metrics::write_file_with_mode(out.server.certificate_chain_file, server.cert_pem, 0644);
    return out;
}

std::optional<uint16_t> read_port(const fs::path& file) {
    const auto text = read_text(file);
    if (!text) {
        return std::nullopt;
    }
    try {
        const int port = std::stoi(*text);
        if (port > 0 && port <= 65535) {
            return static_cast<uint16_t>(port);
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;  // damaged: pick a new port, as on a first run
}

std::string metrics_base_url(bool tls, const std::string& address, int port) {
    return std::string(tls ? "https://" : "http://") + address + ":" + std::to_string(port);
}

std::string advertised_address(const std::string& nni_manager_ip) {
    if (!nni_manager_ip.empty()) {
        return nni_manager_ip;
    }
    // Connecting a UDP socket sends nothing; it only asks the kernel which local
    // address routes towards a non-local destination.
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    std::string address = "127.0.0.1";
    if (fd >= 0) {
        sockaddr_in remote{};
        remote.sin_family = AF_INET;
        remote.sin_port = htons(9);
        ::inet_pton(AF_INET, "10.254.254.254", &remote.sin_addr);
        sockaddr_in local{};
        socklen_t length = sizeof local;
        char text[INET_ADDRSTRLEN] = {};
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 &&
            ::inet_ntop(AF_INET, &local.sin_addr, text, sizeof text) != nullptr &&
            local.sin_addr.s_addr != htonl(INADDR_ANY)) {
            address = text;
        }
        ::close(fd);
    }
    return address;
}

struct TrialChannel::Parts {
    std::unique_ptr<metrics::TrialTokens> tokens;
    std::unique_ptr<metrics::MetricsServer> server;
    std::unique_ptr<trialkit::JournalReader> journals;
    std::unique_ptr<trialkit::StorageTrialHooks> hooks;
    std::unique_ptr<trialkit::JournalFollower> follower;
    std::string url;
};

TrialChannel::TrialChannel(Session& session, const TrialChannelOptions& options)
    : parts_(std::make_unique<Parts>()) {
    auto& storage = *session.storage;
    const auto& config = session.checked.config;
    if (!config.trial_code_directory.empty()) {
        const auto sync = storage::sync_code(storage, config.trial_code_directory, session.id);
        std::cout << "Code: " << sync.files << " files, " << sync.total_bytes << " bytes; uploaded "
                  << sync.blobs_uploaded << " new, " << sync.blobs_present
                  << " already on the store" << std::endl;
    }
    trialkit::install_kit(storage, session.id);

    parts_->tokens = std::make_unique<metrics::TrialTokens>(
        metrics::TrialTokens::load_or_create(session.paths.dir / "metrics.key"));
    const bool push = config.metrics_transport == "push";
    if (push) {
        metrics::MetricsServerOptions server_options;
        server_options.bind_address = options.bind_address;
        server_options.port = options.port == 0 ? 0 : static_cast<uint16_t>(options.port + 1);
        const std::string address = advertised_address(config.nni_manager_ip);
        if (config.metrics_tls) {
            auto tls = prepare_metrics_tls(session.paths.dir, session.id, address);
            // Only the CA's certificate goes to the share: trials verify the server with it;
            // every key stays in the data directory.
            trialkit::install_metrics_ca(storage, session.id, tls.ca_cert_pem);
            server_options.tls = std::move(tls.server);
        }
        // Trials that are still running from the previous run post to the port they were
        // told. With an automatic port (--port 0), listen there again when it is free, so
        // a resumed host gets their metrics as they come rather than from the share at
        // their end.
        const auto previous = read_port(session.paths.metrics_port());
        const bool automatic = options.port == 0;
        if (automatic && previous) {
            server_options.port = *previous;
        }
        try {
            parts_->server = std::make_unique<metrics::MetricsServer>(
                *parts_->tokens, session.events, server_options);
            parts_->server->start();
        } catch (const std::runtime_error& e) {
            if (!automatic || server_options.port == 0) {
                throw;
            }
            spdlog::info("the previous run's metrics port is not free ({}); picking another",
                         e.what());
            server_options.port = 0;
            parts_->server = std::make_unique<metrics::MetricsServer>(
                *parts_->tokens, session.events, server_options);
            parts_->server->start();
        }
        if (previous && *previous != parts_->server->port()) {
            spdlog::info(
                "any trial still running from the previous run posts to port {}, not {}: its "
                "metrics arrive from the share when it ends",
                *previous, parts_->server->port());
        }
        std::ofstream(session.paths.metrics_port()) << parts_->server->port() << "\n";
        parts_->url = metrics_base_url(config.metrics_tls, address, parts_->server->port());
        spdlog::info("trial metrics server on {}:{}, trials post to {}", options.bind_address,
                     parts_->server->port(), parts_->url);
    } else {
        spdlog::info("metricsTransport: storage; no port is opened, metrics come from the share");
        if (config.metrics_tls) {
            spdlog::info("metricsTls has no effect with metricsTransport: storage");
        }
    }
    parts_->journals = std::make_unique<trialkit::JournalReader>(storage, session.id);
    const metrics::TrialTokens* tokens = parts_->tokens.get();
    parts_->hooks = std::make_unique<trialkit::StorageTrialHooks>(
        storage, session.id, *parts_->journals,
        trialkit::MetricsChannel{parts_->url, [tokens](std::string_view trial, int64_t attempt) {
                                     return tokens->token(trial, attempt);
                                 }});
    parts_->follower = std::make_unique<trialkit::JournalFollower>(
        *parts_->journals, session.events, push ? kFollowPush : kFollowStorage);
}

TrialChannel::~TrialChannel() {
    if (parts_->follower) {
        parts_->follower->stop();
    }
    if (parts_->server) {
        parts_->server->stop();
    }
}

engine::TrialHooks& TrialChannel::hooks() {
    return *parts_->hooks;
}

const std::string& TrialChannel::metrics_url() const {
    return parts_->url;
}

}  // namespace tshost::cli
