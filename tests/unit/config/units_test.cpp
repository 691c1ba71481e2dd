#include <gtest/gtest.h>

#include <stdexcept>

#include "config/units.hpp"

namespace tshost::config {
namespace {

using std::chrono::seconds;

TEST(ParseDuration, AcceptsNniUnitsAndBareSeconds) {
    struct Case {
        const char* text;
        long long expected;
    };
    const Case cases[] = {
        {"45s", 45},    {"30m", 1800},  {"3h", 10800}, {"1d", 86400},
        {"1.5h", 5400}, {"90", 90},     {"0.5", 1},    {"2.1s", 3},
        {"10M", 600},   {" 2h ", 7200}, {"2 h", 7200}, {"999d", 999 * 86400LL},
        {"0", 0},       {"0.0001s", 1},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(parse_duration(c.text), seconds(c.expected)) << c.text;
    }
}

TEST(ParseDuration, RejectsWithMessageNamingTheProblem) {
    struct Case {
        const char* text;
        const char* message_part;
    };
    const Case cases[] = {
        {"", "it is empty"},
        {"   ", "it is empty"},
        {"-5m", "must not be negative"},
        {"5w", "unknown unit \"w\""},
        {"1h30m", "unknown unit \"h30m\""},
        {"h", "expected a number"},
        {"1.2.3h", "expected a number"},
        {"inf", "expected a number"},
        {"nan", "expected a number"},
        {"1e3", "unknown unit \"e3\""},
        {"36501d", "longer than 100 years"},
        {"99999999999999999999999999999999d", "longer than 100 years"},
    };
    for (const Case& c : cases) {
        try {
            parse_duration(c.text);
            ADD_FAILURE() << "accepted " << c.text;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(c.message_part), std::string::npos)
                << c.text << " → " << e.what();
            if (std::string_view(c.message_part) != "longer than 100 years") {
                EXPECT_NE(std::string(e.what()).find("write e.g."), std::string::npos)
                    << "no example in: " << e.what();
            }
        }
    }
}

TEST(ParseMemory, AcceptsNniKubernetesAndShortUnits) {
    struct Case {
        const char* text;
        long long expected_mb;
    };
    const Case cases[] = {
        {"8196", 8196},  {"4g", 4096},    {"4gb", 4096}, {"4G", 4096},      {"4GB", 4096},
        {"4Gi", 4096},   {"4GiB", 4096},  {"512m", 512}, {"512mb", 512},    {"512Mi", 512},
        {"1.5g", 1536},  {"1t", 1048576}, {"2048k", 2},  {"2049k", 3},      {"1b", 1},
        {"1048576b", 1}, {"1048577b", 2}, {"0.1g", 103}, {"8192 mb", 8192}, {" 64 ", 64},
        {"1.5", 2},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(parse_memory_mb(c.text), c.expected_mb) << c.text;
    }
}

TEST(ParseMemory, RejectsWithMessageNamingTheProblem) {
    struct Case {
        const char* text;
        const char* message_part;
    };
    const Case cases[] = {
        {"", "it is empty"},          {"-1g", "must not be negative"},
        {"0", "greater than 0"},      {"0g", "greater than 0"},
        {"4x", "unknown unit \"x\""}, {"4 gigs", "unknown unit \"gigs\""},
        {"g", "expected a number"},   {"2000000000g", "larger than 1 PiB"},
    };
    for (const Case& c : cases) {
        try {
            parse_memory_mb(c.text);
            ADD_FAILURE() << "accepted " << c.text;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(c.message_part), std::string::npos)
                << c.text << " → " << e.what();
        }
    }
}

}  // namespace
}  // namespace tshost::config
