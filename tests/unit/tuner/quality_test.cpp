// The quality bar: over seeds 0-19, minimising, 100 sequential trials each, the median best
// value. NNI 3.0's own tuners measured with this protocol gave (TPE / Random):
//   Branin 0.570 / 0.783, Hartmann-6 -2.887 / -1.862, Rosenbrock-10 278.2 / 658.6.
// TPE must match or beat NNI's TPE and beat our Random on all three; Anneal and Evolution must
// beat Random on Branin.

#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "benchmark_functions.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {
namespace {

using nlohmann::json;
using testing::Problem;

double median_of(const char* tuner, const Problem& problem, const json& args = json::object()) {
    json class_args = args;
    class_args["optimize_mode"] = "minimize";
    const double m = testing::median_best(
        [&](std::uint64_t seed) { return make_tuner(tuner, class_args, seed); }, problem);
    std::printf("    median best %-10s %-14s %s: %.4f\n", tuner, problem.name.c_str(),
                args.empty() ? "" : args.dump().c_str(), m);
    // snprintf rather than string concatenation: GCC 12 warns falsely (-Wrestrict) on the latter.
    char key[128];
    std::snprintf(key, sizeof key, "%s %s%s", tuner, problem.name.c_str(),
                  args.empty() ? "" : " (independent)");
    ::testing::Test::RecordProperty(key, std::to_string(m));
    return m;
}

struct Bar {
    Problem problem;
    double nni_tpe;
};

class TpeQuality : public ::testing::TestWithParam<int> {};

TEST_P(TpeQuality, MatchesOrBeatsNnisTpeAndBeatsRandom) {
    const Bar bars[] = {{testing::branin(), 0.570},
                        {testing::hartmann6(), -2.887},
                        {testing::rosenbrock10(), 278.2}};
    const Bar& bar = bars[GetParam()];
    const double tpe = median_of("TPE", bar.problem);
    const double random = median_of("Random", bar.problem);
    EXPECT_LE(tpe, bar.nni_tpe) << bar.problem.name;
    EXPECT_LT(tpe, random) << bar.problem.name;
}

std::string bar_name(const ::testing::TestParamInfo<int>& param) {
    const char* const names[] = {"Branin", "Hartmann6", "Rosenbrock10"};
    return names[param.param];
}

INSTANTIATE_TEST_SUITE_P(Benchmarks, TpeQuality, ::testing::Values(0, 1, 2), bar_name);

TEST(Quality, TpeWithNnisIndependentModelBeatsRandom) {
    // tpe_args.multivariate = false is NNI's algorithm exactly; it lands on NNI's figures
    // (within seed noise) and must at least beat random search.
    const json nni_exact = {{"tpe_args", {{"multivariate", false}}}};
    for (const auto& problem : {testing::branin(), testing::rosenbrock10()}) {
        EXPECT_LT(median_of("TPE", problem, nni_exact), median_of("Random", problem))
            << problem.name;
    }
}

TEST(Quality, AnnealAndEvolutionBeatRandomOnBranin) {
    const auto problem = testing::branin();
    const double random = median_of("Random", problem);
    EXPECT_LT(median_of("Anneal", problem), random);
    EXPECT_LT(median_of("Evolution", problem), random);
}

}  // namespace
}  // namespace tshost::tuner
