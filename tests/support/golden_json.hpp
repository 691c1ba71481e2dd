// Golden files of generated JSON (manifests, API responses): compared as JSON, so key order and
// spacing don't matter; with TSHOST_UPDATE_GOLDEN set, rewritten from `actual` first (review
// the diff before committing it).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace tshost::test {

inline void expect_golden_json(const nlohmann::json& actual, const std::string& path) {
    if (std::getenv("TSHOST_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(path) << actual.dump(2) << "\n";
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << "no golden file " << path << " (TSHOST_UPDATE_GOLDEN=1 writes it)";
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(actual, nlohmann::json::parse(text.str())) << "differs from " << path << ":\n"
                                                         << actual.dump(2);
}

}  // namespace tshost::test
