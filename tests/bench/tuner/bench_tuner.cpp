// Cost of one TPE suggestion with a long history (NNI's Python TPE takes ~29 ms for 1,000
// finished trials on a 10-parameter space). Run: bench_tuner [--benchmark_filter=...]

#include <cmath>
#include <cstdint>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "tuner/tuner.hpp"

namespace {

using nlohmann::json;
using tshost::tuner::SearchSpace;

// A typical training space: 7 numerical parameters of every kind and 3 categorical ones.
json mixed_space() {
    return json::parse(R"({
        "lr":           {"_type": "loguniform",  "_value": [1e-5, 0.1]},
        "momentum":     {"_type": "uniform",     "_value": [0, 1]},
        "dropout":      {"_type": "quniform",    "_value": [0, 0.5, 0.05]},
        "weight_decay": {"_type": "qloguniform", "_value": [1e-6, 0.01, 1e-6]},
        "init_scale":   {"_type": "normal",      "_value": [0, 1]},
        "warmup":       {"_type": "uniform",     "_value": [0, 10]},
        "width":        {"_type": "quniform",    "_value": [32, 1024, 32]},
        "batch_size":   {"_type": "choice",      "_value": [16, 32, 64, 128, 256]},
        "layers":       {"_type": "randint",     "_value": [1, 9]},
        "activation":   {"_type": "choice",      "_value": ["relu", "tanh", "gelu"]}
    })");
}

// Ten continuous parameters: the whole space is modelled jointly.
json uniform_space() {
    json space = json::object();
    for (const char* name : {"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"}) {
        space[name] = {{"_type", "uniform"}, {"_value", {-2, 2}}};
    }
    return space;
}

// Any deterministic, non-trivial function of the parameters will do as a metric.
double metric(const json& params) {
    double sum = 0;
    for (const auto& [key, value] : params.items()) {
        sum += value.is_number() ? std::sin(value.get<double>() * 3.7) : double(key.size());
    }
    return sum;
}

void suggest_with_history(benchmark::State& state, const json& space, const json& class_args) {
    auto tuner = tshost::tuner::make_tuner("TPE", class_args, 7);
    tuner->update_search_space(SearchSpace::parse(space));
    const auto history = state.range(0);
    for (std::int64_t id = 0; id < history; ++id) {
        const auto params = tuner->generate_parameters(id);
        tuner->receive_trial_result(id, *params, metric(*params));
        tuner->trial_end(id, true);
    }
    std::int64_t id = history;
    for (auto _ : state) {
        auto params = tuner->generate_parameters(id);
        benchmark::DoNotOptimize(params);
        tuner->trial_end(id++, false);  // keep the history (and the liar) unchanged
    }
}

void BM_TpeMixedSpace(benchmark::State& state) {
    suggest_with_history(state, mixed_space(), json::object());
}
void BM_TpeUniformSpace(benchmark::State& state) {
    suggest_with_history(state, uniform_space(), json::object());
}
void BM_TpeNniExactMixedSpace(benchmark::State& state) {
    suggest_with_history(state, mixed_space(), {{"tpe_args", {{"multivariate", false}}}});
}

}  // namespace

BENCHMARK(BM_TpeMixedSpace)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TpeUniformSpace)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TpeNniExactMixedSpace)->Arg(1000)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
