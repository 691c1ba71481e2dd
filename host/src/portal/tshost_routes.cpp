// /api/v1/tshost: what the portal's pages need beyond NNI's routes (API.md).
#include <algorithm>
#include <map>
#include <sstream>

#include "config/units.hpp"
#include "portal/context.hpp"
#include "portal/trial_output.hpp"
#include "portal/views.hpp"

namespace tshost::portal {
namespace {

const std::string kBase = "/api/v1/tshost";

// A whole number of something from a query parameter ("tail", "limit"), or nullopt.
std::optional<uint64_t> count_param(const std::string& text) {
    try {
        size_t used = 0;
        const uint64_t n = std::stoull(text, &used);
        if (used == text.size() && !text.starts_with('-')) {
            return n;
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

// ?limit=N: the first N trials and how many there are, for the table's first page; the
// page asks for the rest after it has painted those.
Response trials(Context& c, const Request& req) {
    std::optional<uint64_t> limit;
    if (const auto text = req.query_param("limit")) {
        limit = count_param(*text);
        if (!limit || *limit == 0 || *limit > 1'000'000) {
            return Response::error(400,
                                   "limit must be a number of trials from 1 to 1000000, "
                                   "not '" +
                                       *text + "'");
        }
    }
    const auto list = [](const std::vector<db::TrialRow>& rows) {
        std::string body = R"({"trials":[)";
        for (size_t i = 0; i < rows.size(); ++i) {
            body += i == 0 ? "" : ",";
            append_trial_json(body, rows[i]);
        }
        return body + "]";
    };
    std::lock_guard lock(c.db_mutex);
    if (limit) {
        const auto total = c.db.trial_count();
        return Response::json(200, list(c.db.first_trials(static_cast<int64_t>(*limit))) +
                                       ",\"total\":" + std::to_string(total) + "}");
    }
    std::string body = cached_body(c, "trials", [&] { return list(c.db.trials()) + "}"; });
    return Response::json(200, std::move(body));
}

// The manifest as the trial page shows it: indented. Stored by the engine from the
// platform's JSON, so it parses; text that would not is shown as stored.
std::string pretty_json(const std::string& text) {
    const json doc = json::parse(text, nullptr, false);
    return doc.is_discarded() ? text : doc.dump(2);
}

Response trial_detail(Context& c, const std::string& id) {
    std::optional<db::TrialRow> row;
    json out;
    {
        std::lock_guard lock(c.db_mutex);
        row = c.db.trial(id);
        if (!row) {
            return Response::error(404, "no trial " + id);
        }
        out = trial_json(*row);
        const auto manifest = c.db.manifest(id);
        out["manifest"] = manifest ? json(pretty_json(*manifest)) : json(nullptr);
        json history = json::array();
        for (const auto& change : c.db.status_history(id)) {
            history.push_back(
                {{"time", change.time_ms}, {"status", change.status}, {"message", change.message}});
        }
        out["statusHistory"] = std::move(history);
        json metrics = json::array();
        for (const auto& m : c.db.metrics(id)) {
            metrics.push_back({{"time", m.time_ms},
                               {"type", m.type},
                               {"sequence", m.sequence},
                               {"replica", m.replica},
                               {"attempt", m.attempt},
                               {"primary", m.primary},
                               {"value", m.default_value},
                               {"data", m.value_json}});
        }
        out["metrics"] = std::move(metrics);
    }
    out["replicas"] = output_replicas(c.storage, c.info.id, *row);
    return json_response(200, out);
}

Response trial_log(Context& c, const Request& req, const std::string& id) {
    uint64_t tail = 65536;
    if (const auto text = req.query_param("tail")) {
        const auto n = count_param(*text);
        if (!n) {
            return Response::error(400, "tail must be a number of bytes, not '" + *text + "'");
        }
        tail = *n;
    }
    std::optional<db::TrialRow> row;
    {
        std::lock_guard lock(c.db_mutex);
        row = c.db.trial(id);
    }
    if (!row) {
        return Response::error(404, "no trial " + id);
    }
    return read_output(c.storage, c.info.id, *row, req.query_param("replica").value_or(""),
                       req.query_param("stream").value_or("stdout"), tail);
}

// The curves of the compared trials: each trial's records through the trial_id index, not
// a pass over every metric of the experiment (a million of them).
Response metric_points(Context& c, const Request& req) {
    const auto type = req.query_param("type").value_or("");
    if (!type.empty() && type != "PERIODICAL" && type != "FINAL") {
        return Response::error(400, "type must be PERIODICAL or FINAL, not '" + type + "'");
    }
    std::vector<std::string> wanted;  // in the order asked, once each
    if (const auto list = req.query_param("trials")) {
        std::istringstream in(*list);
        for (std::string id; std::getline(in, id, ',');) {
            if (!id.empty() && std::find(wanted.begin(), wanted.end(), id) == wanted.end()) {
                wanted.push_back(id);
            }
        }
    }
    std::lock_guard lock(c.db_mutex);
    json out = json::array();
    if (wanted.empty()) {
        std::map<std::string, int> attempts;
        for (const auto& row : c.db.trials()) {
            attempts[row.id] = row.attempt;
        }
        for (const auto& m : c.db.all_metrics(type)) {
            if (is_primary(m, attempts[m.trial_id])) {
                out.push_back(metric_point_json(m));
            }
        }
    }
    for (const auto& id : wanted) {
        const auto row = c.db.trial(id);
        if (!row) {
            continue;  // a trial id the page remembers from another experiment
        }
        for (const auto& m : c.db.metrics(id)) {
            if ((type.empty() || m.type == type) && is_primary(m, *row)) {
                out.push_back(metric_point_json(m));
            }
        }
    }
    return json_response(200, {{"metrics", std::move(out)}});
}

std::optional<int64_t> integer_field(const json& body, const char* key) {
    const auto it = body.find(key);
    if (it == body.end() || !it->is_number_integer()) {
        return std::nullopt;
    }
    return it->get<int64_t>();
}

Response patch_limits(Context& c, const Request& req) {
    const json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return Response::error(400,
                               "the body must be a JSON object with trialConcurrency, "
                               "maxTrialNumber and/or maxExperimentDuration");
    }
    engine::Command command;
    command.kind = engine::Command::Kind::set_limits;
    for (const auto& [key, value] : body.items()) {
        if (key == "trialConcurrency") {
            const auto v = integer_field(body, "trialConcurrency");
            if (!v || *v < 1 || *v > 1'000'000) {
                return Response::error(400, "trialConcurrency must be an integer >= 1");
            }
            command.trial_concurrency = static_cast<int>(*v);
        } else if (key == "maxTrialNumber") {
            const auto v = integer_field(body, "maxTrialNumber");
            if (!v) {
                return Response::error(400, "maxTrialNumber must be an integer");
            }
            command.max_trial_number = *v;
        } else if (key == "maxExperimentDuration") {
            try {
                if (!value.is_string()) {
                    throw std::invalid_argument("it is not a string");
                }
                command.max_experiment_duration = config::parse_duration(value.get<std::string>());
            } catch (const std::exception& e) {
                return Response::error(400, std::string("maxExperimentDuration must be an NNI "
                                                        "duration like \"2h\" or \"90m\": ") +
                                                e.what());
            }
        } else {
            return Response::error(400, "unknown limit '" + key +
                                            "': use trialConcurrency, maxTrialNumber or "
                                            "maxExperimentDuration");
        }
    }
    if (!command.trial_concurrency && !command.max_trial_number &&
        !command.max_experiment_duration) {
        return Response::error(400,
                               "nothing to change: give trialConcurrency, maxTrialNumber "
                               "or maxExperimentDuration");
    }
    const auto result = run_action(c, std::move(command));
    if (result.status != 202) {
        return Response::error(result.status, result.message);
    }
    return json_response(200, c.live.limits());
}

}  // namespace

void add_tshost_routes(http::Router& router, Context& c) {
    router.add("GET", kBase + "/overview", [&c](const Request&, const Params&) {
        return json_response(200, c.live.overview(true));
    });
    router.add("GET", kBase + "/trials",
               [&c](const Request& req, const Params&) { return trials(c, req); });
    router.add("GET", kBase + "/trials/:id",
               [&c](const Request&, const Params& p) { return trial_detail(c, p[0]); });
    router.add("GET", kBase + "/trials/:id/log",
               [&c](const Request& req, const Params& p) { return trial_log(c, req, p[0]); });
    router.add("GET", kBase + "/metrics",
               [&c](const Request& req, const Params&) { return metric_points(c, req); });
    router.add("GET", kBase + "/events", [&c](const Request&, const Params&) {
        Response response;
        response.content_type = "text/event-stream";
        response.on_stream = [&c](std::shared_ptr<http::Stream> stream) {
            c.broadcaster.add_client(std::move(stream));
        };
        return response;
    });
    router.add("POST", kBase + "/actions/stop", [&c](const Request&, const Params&) {
        const auto result = run_action(c, {engine::Command::Kind::stop, {}, {}, {}, {}});
        return result.status == 202 ? json_response(202, {{"status", "STOPPING"}})
                                    : Response::error(result.status, result.message);
    });
    router.add("POST", kBase + "/trials/:id/cancel", [&c](const Request&, const Params& p) {
        const auto result = run_action(c, {engine::Command::Kind::cancel_trial, p[0], {}, {}, {}});
        return result.status == 202 ? json_response(202, {{"status", "USER_CANCELED"}})
                                    : Response::error(result.status, result.message);
    });
    router.add("PATCH", kBase + "/limits",
               [&c](const Request& req, const Params&) { return patch_limits(c, req); });
}

}  // namespace tshost::portal
