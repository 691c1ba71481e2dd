#include <chrono>

#include "portal/context.hpp"

namespace tshost::portal {

ActionResult run_action(Context& context, engine::Command command) {
    if (context.options.read_only || context.commands == nullptr) {
        return {409, "the experiment is read-only (tshost view): actions are not possible"};
    }
    auto future = context.commands->push(std::move(command));
    // The engine drains its inbox at least every 100 ms; a platform call may take longer.
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        return {503, "the engine did not answer within 30 s; try again"};
    }
    const auto outcome = future.get();
    switch (outcome.kind) {
        case engine::CommandOutcome::Kind::accepted:
            return {202, ""};
        case engine::CommandOutcome::Kind::invalid:
            return {400, outcome.message};
        case engine::CommandOutcome::Kind::not_found:
            return {404, outcome.message};
        case engine::CommandOutcome::Kind::conflict:
            return {409, outcome.message};
    }
    return {500, "unknown outcome"};
}

}  // namespace tshost::portal
