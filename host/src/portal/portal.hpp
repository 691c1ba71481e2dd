// The experiment's web portal: the REST API of API.md (NNI's routes and tshost's), the live
// event stream and the built front end, on one http::Server on the experiment's port. Reads
// come from its own read-only connection to the experiment database; actions go to the
// engine through its CommandInbox; the engine's changes arrive through observer().
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace tshost::engine {
class CommandInbox;
class EngineObserver;
}  // namespace tshost::engine
namespace tshost::plugin {
class StorageInstance;
}

namespace tshost::portal {

/// What the portal shows of the experiment besides its database.
struct ExperimentInfo {
    std::string id;
    std::string platform;
    std::string storage;      // plugin name, empty when none
    std::string config_json;  // the config, secrets already "<redacted>"
    std::string search_space_json;
    bool minimize = false;
    std::string log_dir;  // the experiment's data directory
    int trial_concurrency = 1;
    std::optional<int64_t> max_trial_number;
    std::optional<int64_t> max_experiment_duration_ms;
    std::optional<int64_t> max_trial_duration_ms;
};

struct PortalOptions {
    std::string bind_address = "127.0.0.1";
    uint16_t port = 8080;  // 0: a free port
    std::string token;     // empty: no access token
    std::string web_dir;   // the built front end; empty or missing: a page saying how to build it
    /// `tshost view`: no engine; actions answer 409 and the status is VIEWED.
    bool read_only = false;
    int threads = 2;  // an action waits for the engine's loop; reads go on meanwhile
};

/// The access token: TSHOST_PORTAL_TOKEN, else the first line of `token_file` (when given).
/// Throws with the fix when the bind address is not loopback and there is no token, or the
/// file cannot be read or is empty.
std::string resolve_token(const std::string& bind_address, const std::string& token_file);

/// --web-dir, else <dir of the tshost binary>/../share/tshost/web.
std::string default_web_dir(const std::string& executable);

class Portal {
  public:
    /// `commands` is null for a read-only portal; `storage` null when the experiment has no
    /// storage plugin. Both must outlive the portal.
    Portal(const std::filesystem::path& database, ExperimentInfo info, PortalOptions options,
           engine::CommandInbox* commands, plugin::StorageInstance* storage);
    ~Portal();
    Portal(const Portal&) = delete;
    Portal& operator=(const Portal&) = delete;

    /// Listens; throws std::runtime_error naming the address when it cannot.
    void start();
    uint16_t port() const;
    /// "http://<address>:<port>/" as the user opens it.
    std::string url() const;
    /// What the engine tells (thread-safe, never blocks on clients).
    engine::EngineObserver& observer();
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tshost::portal
