// What the portal's route handlers share. Only portal/*.cpp include this.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>

#include "db/experiment_db.hpp"
#include "engine/control.hpp"
#include "http/router.hpp"
#include "plugin/instance.hpp"
#include "portal/broadcaster.hpp"
#include "portal/live_state.hpp"
#include "portal/portal.hpp"

namespace tshost::portal {

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
};

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
