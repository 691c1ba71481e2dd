// What the portal's route handlers share. Only portal/*.cpp include this.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "db/experiment_db.hpp"
#include "engine/control.hpp"
#include "http/router.hpp"
#include "plugin/instance.hpp"
#include "portal/broadcaster.hpp"
#include "portal/live_state.hpp"
#include "portal/portal.hpp"

namespace tshost::portal {

using http::Request;
using http::Response;
using nlohmann::json;
using Params = http::Router::Params;

struct Context {
    Context(const std::filesystem::path& database, ExperimentInfo info_, PortalOptions options_,
            engine::CommandInbox* commands_, plugin::StorageInstance* storage_)
        : info(std::move(info_)),
          options(std::move(options_)),
          db(db::ExperimentDb::open_read_only(database)),
          commands(commands_),
          storage(storage_),
          live(info, options.read_only, broadcaster) {
        live.load(db);
    }

    const ExperimentInfo info;
    const PortalOptions options;
    mutable std::mutex db_mutex;  // the connection's statements are used one at a time
    db::ExperimentDb db;
    engine::CommandInbox* commands;
    plugin::StorageInstance* storage;
    Broadcaster broadcaster;
    LiveState live;
    /// The biggest answers (every trial; NNI's trial-jobs and export-data) by route, with the
    /// data_version they were built at; under db_mutex. A `tshost view` builds each once; a
    /// running experiment commits every ~100 ms, so there they mostly serve concurrent pages.
    std::map<std::string, std::pair<int64_t, std::string>> cached_bodies;
};

/// Under c.db_mutex: the body `build()` makes for `key`, built again only after the database
/// changed.
template <class Build>
std::string cached_body(Context& c, const std::string& key, Build&& build) {
    const int64_t version = c.db.data_version();
    auto& [built_at, body] = c.cached_bodies[key];
    if (body.empty() || built_at != version) {
        body = build();
        built_at = version;
    }
    return body;
}

inline http::Response json_response(unsigned status, const nlohmann::json& body) {
    return http::Response::json(
        status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

/// Sends the command to the engine and waits for its outcome; the HTTP status of it.
/// 409 without waiting when the portal is read-only.
struct ActionResult {
    unsigned status = 202;
    std::string message;
};
ActionResult run_action(Context& context, engine::Command command);

void add_nni_routes(http::Router& router, Context& context);
void add_tshost_routes(http::Router& router, Context& context);

}  // namespace tshost::portal
