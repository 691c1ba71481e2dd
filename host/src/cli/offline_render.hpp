#pragma once
// The first trial of an experiment as its platform would create it, with no cluster and no
// storage service reached: what `tshost render` prints and what `tshost validate` checks, so
// that every rule a submit would meet (CRD schemas, webhook rules, podSpecPatch, templates)
// fails before an experiment starts.
#include <string>

#include "cli/command.hpp"
#include "cli/experiment_session.hpp"

namespace tshost::cli {

/// The platform's render of the first trial: {"objects": [...], "files": {...}} with secrets
/// redacted. Throws what the plugins throw (their messages name the key path and the rule);
/// std::invalid_argument when the platform cannot render.
std::string render_first_trial(const GlobalOptions& global, const CheckedConfig& checked);

}  // namespace tshost::cli
