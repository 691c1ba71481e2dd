// /api/v1/nni: NNI's REST routes with NNI's shapes (nni-protocol.md §9), so scripts written
// against NNI keep working.
#include <map>

#include "config/units.hpp"
#include "engine/packed_parameter.hpp"
#include "portal/context.hpp"
#include "portal/trial_output.hpp"
#include "portal/views.hpp"
#include "version.hpp"

namespace tshost::portal {
namespace {

const std::string kBase = "/api/v1/nni";

Response empty_ok() {
    return Response::json(200, "{}");
}

Response from_action(const ActionResult& result) {
    return result.status == 202 ? empty_ok() : Response::error(result.status, result.message);
}

json profile(Context& c) {
    json params = json::parse(c.info.config_json, nullptr, false);
    const json limits = c.live.limits();
    params["trialConcurrency"] = limits["trialConcurrency"];
    if (!limits["maxTrialNumber"].is_null()) {
        params["maxTrialNumber"] = limits["maxTrialNumber"];
    }
    if (!limits["maxExperimentDurationMs"].is_null()) {
        params["maxExperimentDuration"] =
            std::to_string(limits["maxExperimentDurationMs"].get<int64_t>() / 1000) + "s";
    }
    return {{"id", c.info.id},
            {"revision", 1},
            {"execDuration", c.live.elapsed_ms() / 1000},
            {"logDir", c.info.log_dir},
            {"nextSequenceId", c.live.submitted()},
            {"startTime", time_or_null(c.live.start_time())},
            {"endTime", time_or_null(c.live.end_time())},
            {"params", std::move(params)}};
}

// PUT /experiment?update_type=...: NNI sends the whole profile; only the named field counts.
Response update_profile(Context& c, const Request& req) {
    const auto type = req.query_param("update_type").value_or("");
    const json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("params") ||
        !body["params"].is_object()) {
        return Response::error(400, "the body must be the experiment profile: {\"params\": {...}}");
    }
    const json& params = body["params"];
    engine::Command command;
    command.kind = engine::Command::Kind::set_limits;
    if (type == "TRIAL_CONCURRENCY") {
        const auto it = params.find("trialConcurrency");
        if (it == params.end() || !it->is_number_integer() || it->get<int64_t>() < 1 ||
            it->get<int64_t>() > 1'000'000) {
            return Response::error(400, "params.trialConcurrency must be an integer >= 1");
        }
        command.trial_concurrency = it->get<int>();
    } else if (type == "MAX_TRIAL_NUM") {
        const auto it = params.find("maxTrialNumber");
        if (it == params.end() || !it->is_number_integer()) {
            return Response::error(400, "params.maxTrialNumber must be an integer");
        }
        command.max_trial_number = it->get<int64_t>();
    } else if (type == "MAX_EXEC_DURATION") {
        const auto it = params.find("maxExperimentDuration");
        try {
            if (it == params.end() || !(it->is_string() || it->is_number())) {
                throw std::invalid_argument("missing");
            }
            command.max_experiment_duration = config::parse_duration(
                it->is_string() ? it->get<std::string>() : std::to_string(it->get<double>()));
        } catch (const std::exception& e) {
            return Response::error(400, std::string("params.maxExperimentDuration must be a "
                                                    "duration like \"2h\" or \"90m\": ") +
                                            e.what());
        }
    } else {
        return Response::error(400,
                               "update_type must be TRIAL_CONCURRENCY, MAX_TRIAL_NUM or "
                               "MAX_EXEC_DURATION, not '" +
                                   type + "'");
    }
    return from_action(run_action(c, std::move(command)));
}

Response trial_jobs(Context& c, const Request& req) {
    const auto status = req.query_param("status");
    std::lock_guard lock(c.db_mutex);
    return Response::json(200, cached_body(c, "trial-jobs?" + status.value_or("*"), [&] {
                              std::map<std::string, std::vector<db::MetricRow>> finals;
                              for (auto& m : c.db.all_metrics("FINAL")) {
                                  finals[m.trial_id].push_back(std::move(m));
                              }
                              std::string body = "[";
                              for (const auto& row : c.db.trials()) {
                                  if (!status || nni_status(row.status) == *status) {
                                      body += body.size() == 1 ? "" : ",";
                                      append_nni_trial_job(
                                          body, row, tuners_finals(std::move(finals[row.id]), row));
                                  }
                              }
                              return body + ']';
                          }));
}

// metric-data-latest: the database condenses the records (each trial's newest PERIODICAL),
// so the answer costs one grouped scan, not a million rows in memory under the DB lock.
Response latest_metric_data(Context& c, const std::map<std::string, db::TrialRow>& rows,
                            const std::string& type) {
    std::string body = "[";
    for (const auto& m : c.db.latest_metrics()) {
        if (type.empty() || m.type == type) {
            body += body.size() == 1 ? "" : ",";
            append_nni_metric(body, m, rows.at(m.trial_id).parameter_id);
        }
    }
    body += ']';
    return Response::json(200, std::move(body));
}

Response metric_data(Context& c, const Request& req, const std::string& only_trial, bool latest) {
    const auto type = req.query_param("type").value_or("");
    std::lock_guard lock(c.db_mutex);
    std::map<std::string, db::TrialRow> rows;
    if (only_trial.empty()) {
        for (auto& row : c.db.trials()) {
            rows.emplace(row.id, std::move(row));
        }
    } else if (auto row = c.db.trial(only_trial)) {  // one trial: not all 10,000 rows
        rows.emplace(only_trial, std::move(*row));
    } else {
        return Response::error(404, "no trial " + only_trial);
    }
    if (latest && only_trial.empty()) {
        return latest_metric_data(c, rows, type);
    }
    const auto metrics = only_trial.empty() ? c.db.all_metrics(type) : c.db.metrics(only_trial);
    std::map<std::string, size_t> last_periodical;  // trial -> index in items
    std::vector<std::string> items;
    for (const auto& m : metrics) {
        const auto& row = rows.at(m.trial_id);
        if ((!type.empty() && m.type != type) || !is_primary(m, row)) {
            continue;
        }
        std::string item;
        append_nni_metric(item, m, row.parameter_id);
        if (latest && m.type == "PERIODICAL") {
            if (const auto it = last_periodical.find(m.trial_id); it != last_periodical.end()) {
                items[it->second] = std::move(item);
                continue;
            }
            last_periodical[m.trial_id] = items.size();
        }
        items.push_back(std::move(item));
    }
    std::string body = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        body += (i == 0 ? "" : ",") + items[i];
    }
    body += ']';
    return Response::json(200, std::move(body));
}

}  // namespace

void add_nni_routes(http::Router& router, Context& c) {
    router.add("GET", kBase + "/check-status", [&c](const Request&, const Params&) {
        return json_response(200,
                             {{"status", c.live.status()}, {"errors", c.live.error_messages()}});
    });
    router.add("GET", kBase + "/version",
               [](const Request&, const Params&) { return json_response(200, kHostVersion); });
    router.add("GET", kBase + "/experiment",
               [&c](const Request&, const Params&) { return json_response(200, profile(c)); });
    router.add("PUT", kBase + "/experiment",
               [&c](const Request& req, const Params&) { return update_profile(c, req); });
    router.add("DELETE", kBase + "/experiment", [&c](const Request&, const Params&) {
        return from_action(run_action(c, {engine::Command::Kind::stop, {}, {}, {}, {}}));
    });
    router.add("GET", kBase + "/trial-jobs",
               [&c](const Request& req, const Params&) { return trial_jobs(c, req); });
    router.add("GET", kBase + "/trial-jobs/:id", [&c](const Request&, const Params& p) {
        std::lock_guard lock(c.db_mutex);
        const auto row = c.db.trial(p[0]);
        if (!row) {
            return Response::error(404, "no trial " + p[0]);
        }
        std::string body;
        append_nni_trial_job(body, *row, tuners_finals(c.db.metrics(row->id), *row));
        return Response::json(200, std::move(body));
    });
    router.add("DELETE", kBase + "/trial-jobs/:id", [&c](const Request&, const Params& p) {
        return from_action(run_action(c, {engine::Command::Kind::cancel_trial, p[0], {}, {}, {}}));
    });
    router.add("GET", kBase + "/metric-data",
               [&c](const Request& req, const Params&) { return metric_data(c, req, "", false); });
    router.add("GET", kBase + "/metric-data/:id", [&c](const Request& req, const Params& p) {
        return metric_data(c, req, p[0], false);
    });
    router.add("GET", kBase + "/metric-data-latest",
               [&c](const Request& req, const Params&) { return metric_data(c, req, "", true); });
    router.add("GET", kBase + "/job-statistics", [&c](const Request&, const Params&) {
        json out = json::array();
        for (const auto& [status, n] : c.live.counts()) {
            out.push_back({{"trialJobStatus", status}, {"trialJobNumber", n}});
        }
        return json_response(200, out);
    });
    router.add("GET", kBase + "/export-data", [&c](const Request&, const Params&) {
        std::lock_guard lock(c.db_mutex);
        const auto rows = c.db.trials();
        std::map<std::string, int> attempts;
        for (const auto& row : rows) {
            attempts.emplace(row.id, row.attempt);
        }
        std::map<std::string, db::MetricRow> finals;
        for (auto& m : c.db.all_metrics("FINAL")) {
            if (is_primary(m, attempts[m.trial_id])) {
                finals.emplace(m.trial_id, std::move(m));  // the first FINAL the tuner saw
            }
        }
        json out = json::array();
        for (const auto& row : rows) {
            const auto it = finals.find(row.id);
            if (it != finals.end() && row.final_metric) {
                out.push_back({{"parameter", engine::unpack_parameters(row.parameters_json)},
                               {"value", it->second.value_json},
                               {"trialJobId", row.id}});
            }
        }
        return json_response(200, out);
    });
    router.add("GET", kBase + "/trial-file/:id/:name", [&c](const Request&, const Params& p) {
        if (p[1] != "trial.log" && p[1] != "stdout" && p[1] != "stderr") {
            return Response::error(
                404, "trial files are trial.log, stdout and stderr, not '" + p[1] + "'");
        }
        std::optional<db::TrialRow> row;
        {
            std::lock_guard lock(c.db_mutex);
            row = c.db.trial(p[0]);
        }
        if (!row) {
            return Response::error(404, "no trial " + p[0]);
        }
        // NNI's trial.log is the trial's own output: its stdout here.
        return read_output(c.storage, c.info.id, *row, "", p[1] == "stderr" ? "stderr" : "stdout",
                           UINT64_MAX);
    });
}

}  // namespace tshost::portal
