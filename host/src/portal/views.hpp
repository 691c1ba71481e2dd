// The JSON shapes of API.md, built from database rows. Only portal/*.cpp include this.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/experiment_db.hpp"

namespace tshost::portal {

/// Trial (GET /api/v1/tshost/trials).
nlohmann::json trial_json(const db::TrialRow& row);
/// The same Trial appended as JSON text, without building a DOM: the trial table's 10,000
/// rows are the portal's biggest answer.
void append_trial_json(std::string& out, const db::TrialRow& row);
/// The "parameters" value of a packed parameter as JSON text ("{}" when there is none).
std::string packed_parameters_text(const std::string& packed_json);
/// {"trialId","time","type","sequence","value"} (/metrics and the "metric" event).
nlohmann::json metric_point_json(const db::MetricRow& metric);
/// NNI's TrialJobInfo as JSON text; `finals`: the trial's FINAL metrics (attached when
/// SUCCEEDED).
void append_nni_trial_job(std::string& out, const db::TrialRow& row,
                          const std::vector<db::MetricRow>& finals);
/// NNI's metric-data element as JSON text; the data double-encoded as NNI stores it.
void append_nni_metric(std::string& out, const db::MetricRow& metric, int64_t parameter_id);
/// NNI's status for a row's status (SUBMITTING is WAITING).
std::string nni_status(const std::string& status);
/// A time in ms, or null for 0 (not happened).
nlohmann::json time_or_null(int64_t ms);
/// A record of the trial's current attempt and primary replica: what the tuner saw, and
/// all that the metric routes and events show (API.md).
bool is_primary(const db::MetricRow& metric, int current_attempt);
bool is_primary(const db::MetricRow& metric, const db::TrialRow& row);
/// The FINAL records among `metrics` (the trial's) that the tuner saw.
std::vector<db::MetricRow> tuners_finals(std::vector<db::MetricRow> metrics,
                                         const db::TrialRow& row);

}  // namespace tshost::portal
