// The JSON shapes of API.md, built from database rows. Only portal/*.cpp include this.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/experiment_db.hpp"

namespace tshost::portal {

/// Trial (GET /api/v1/tshost/trials).
nlohmann::json trial_json(const db::TrialRow& row);
/// {"trialId","time","type","sequence","value"} (/metrics and the "metric" event).
nlohmann::json metric_point_json(const db::MetricRow& metric);
/// NNI's TrialJobInfo; `finals`: the trial's FINAL metrics (attached when SUCCEEDED).
nlohmann::json nni_trial_job_json(const db::TrialRow& row,
                                  const std::vector<db::MetricRow>& finals);
/// NNI's metric-data element; the data double-encoded as NNI stores it.
nlohmann::json nni_metric_json(const db::MetricRow& metric, int64_t parameter_id);
/// The "parameters" object of a packed parameter (an empty object if there is none).
nlohmann::json unpacked_parameters(const std::string& packed_json);
/// A time in ms, or null for 0 (not happened).
nlohmann::json time_or_null(int64_t ms);
/// The metric of the trial's current attempt and primary replica, as the tuner saw them.
bool is_primary(const db::MetricRow& metric, const db::TrialRow& row);

}  // namespace tshost::portal
