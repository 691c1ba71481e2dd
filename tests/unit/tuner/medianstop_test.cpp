// Medianstop stops exactly where NNI's medianstop_assessor.py does, on hand-made tables.

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tuner/assessor.hpp"

namespace tshost::tuner {
namespace {

using nlohmann::json;

// Feeds a trial's curve one step at a time, as the dispatcher does, and returns the verdicts.
std::vector<AssessResult> run(Assessor& a, const std::string& id, const std::vector<double>& curve,
                              bool succeeded = true, bool end = true) {
    std::vector<AssessResult> out;
    std::vector<double> history;
    for (double v : curve) {
        history.push_back(v);
        out.push_back(a.assess_trial(id, history));
    }
    if (end) {
        a.trial_end(id, succeeded);
    }
    return out;
}

AssessResult last(Assessor& a, const std::string& id, const std::vector<double>& history) {
    return a.assess_trial(id, history);
}

constexpr auto Good = AssessResult::Good;
constexpr auto Bad = AssessResult::Bad;

TEST(Medianstop, StopsBelowTheMedianOfCompletedRunningAverages) {
    auto a = make_assessor("Medianstop", {{"optimize_mode", "maximize"}, {"start_step", 2}});
    // Running averages at step 2: A 1.5, B 3.0, C 0.0 → median 1.5.
    run(*a, "A", {1, 2, 3, 4});
    run(*a, "B", {2, 4, 6, 8});
    run(*a, "C", {0, 0, 0, 0});
    EXPECT_EQ(last(*a, "D", {0.5}), Good);            // before start_step
    EXPECT_EQ(last(*a, "D", {0.5, 1.4}), Bad);        // best 1.4 < 1.5
    EXPECT_EQ(last(*a, "E", {1.5, 0.1}), Good);       // best 1.5 is not strictly worse
    EXPECT_EQ(last(*a, "F", {0.2, 0.3, 2.1}), Good);  // step 3 averages 2, 4, 0 → median 2
    EXPECT_EQ(last(*a, "G", {0.2, 0.3, 1.9}), Bad);
    EXPECT_EQ(last(*a, "H", {0, 0, 0, 0, 0}), Good);  // no completed trial reached step 5
}

TEST(Medianstop, TakesNnisMiddleValueForEvenCounts) {
    // Two completed trials with step-1 averages 1 and 3: NNI uses the lower one when
    // maximising ((n-1)//2) and the upper one when minimising (n//2).
    auto max = make_assessor("Medianstop", {{"optimize_mode", "maximize"}});
    run(*max, "A", {1});
    run(*max, "B", {3});
    EXPECT_EQ(last(*max, "X", {0.99}), Bad);
    EXPECT_EQ(last(*max, "Y", {1.0}), Good);

    auto min = make_assessor("Medianstop", {{"optimize_mode", "minimize"}});
    run(*min, "A", {1, 1});
    run(*min, "B", {3, 3});
    EXPECT_EQ(last(*min, "X", {3.01}), Bad);
    EXPECT_EQ(last(*min, "Y", {3.0}), Good);
    EXPECT_EQ(last(*min, "Z", {2, 5}), Good);  // the best (lowest) so far counts, not the last
    EXPECT_EQ(last(*min, "W", {5, 4}), Bad);
}

TEST(Medianstop, LearnsOnlyFromSucceededTrialsThatWereAssessed) {
    auto a = make_assessor("Medianstop", {{"start_step", 2}});
    run(*a, "failed", {9, 9, 9}, /*succeeded=*/false);
    run(*a, "short", {9}, true);             // ended before start_step: never assessed, not learnt
    EXPECT_EQ(last(*a, "X", {0, 0}), Good);  // nothing to compare with yet
    run(*a, "ok", {1, 1});
    EXPECT_EQ(last(*a, "X", {0, 0.5}), Bad);
}

TEST(Medianstop, UsesTheFullCurveOfACompletedTrial) {
    // The history may arrive whole at once (a resumed dispatcher); averages still cover it.
    auto a = make_assessor("Medianstop", json::object());
    a->assess_trial("A", {4, 0, 2});
    a->trial_end("A", true);  // running averages 4, 2, 2
    EXPECT_EQ(last(*a, "X", {1, 1, 1}), Bad);
    EXPECT_EQ(last(*a, "Y", {0, 0, 2}), Good);
}

TEST(Medianstop, SurvivesOddInput) {
    auto a = make_assessor("Medianstop", json::object());
    EXPECT_EQ(a->assess_trial("X", {}), Good);  // NNI raises on an empty history
    a->trial_end("never-seen", true);
    run(*a, "A", {1, NAN, 3});
    EXPECT_EQ(last(*a, "B", {NAN}), Good);
    EXPECT_EQ(last(*a, "C", {0.5}), Bad);    // step 1 average of A is 1
    EXPECT_EQ(last(*a, "D", {5, 5}), Good);  // A's step-2 average is NaN: skipped
}

TEST(Medianstop, ValidatesClassArgs) {
    EXPECT_THROW(make_assessor("Curvefit", json::object()), std::invalid_argument);
    EXPECT_NO_THROW(make_assessor("medianstop", json::object()));
    EXPECT_THROW(make_assessor("Medianstop", {{"start_step", -1}}), std::invalid_argument);
    EXPECT_THROW(make_assessor("Medianstop", {{"optimize_mode", "up"}}), std::invalid_argument);
    try {
        make_assessor("Medianstop", {{"start", 1}});
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Medianstop classArgs: unknown key \"start\" (valid: optimize_mode, start_step)");
    }
}

}  // namespace
}  // namespace tshost::tuner
