// The stages of load_config, each reporting into the Context.
#pragma once

#include "config/context.hpp"
#include "config/experiment_config.hpp"

namespace tshost::config {

/// Rewrites a legacy v1 document, in place, into the v2 shape (source map included).
void convert_v1(Context& ctx);

/// Reads a v2 document into the model.
void load_v2(Context& ctx, ExperimentConfig& config);

/// Canonical key spelling in trainingService, and its shortcut keys (trialCommand, ...) moved
/// to the top level, where NNI copies them from. Runs before the top level is read.
void prepare_training_service(Context& ctx);
/// trainingService → platform and storage plugin sections.
void load_training_service(Context& ctx, ExperimentConfig& config);

}  // namespace tshost::config
