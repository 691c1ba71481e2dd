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

TEST(MemoryQuantity, NniUnitsBecomeTheKubernetesQuantityTheUserMeant) {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        // NNI's units are binary and case-insensitive; the quantity keeps the user's unit.
        {"4g", "4Gi"},
        {"4gb", "4Gi"},
        {"4G", "4Gi"},
        {"4GB", "4Gi"},
        {"4GiB", "4Gi"},
        {"4gi", "4Gi"},
        {"512m", "512Mi"},
        {"512mb", "512Mi"},
        {"512MB", "512Mi"},
        {"8192mb", "8192Mi"},
        {"8192 mb", "8192Mi"},
        {"1500M", "1500Mi"},
        {"2048k", "2048Ki"},
        {"2049kb", "2049Ki"},
        {"1t", "1Ti"},
        {"4096m", "4096Mi"},  // not folded into 4Gi: it reads as written
        // A plain number is MB (NNI's memorySize, v1's memoryMB).
        {"8192", "8192Mi"},
        {" 64 ", "64Mi"},
        {"007", "7Mi"},
        // Bytes are a plain Kubernetes quantity.
        {"1b", "1"},
        {"1048576b", "1048576"},
        // Fractions take the largest binary unit that keeps them exact.
        {"1.5g", "1536Mi"},
        {"1.50g", "1536Mi"},
        {"0.5g", "512Mi"},
        {"1.5", "1536Ki"},
        {"2.0g", "2Gi"},
        {"0.25k", "256"},
        {"1.00000095367431640625", "1048577"},  // 1 MB and 1 byte, exactly
    };
    for (const Case& c : cases) {
        EXPECT_EQ(memory_quantity(c.text), c.expected) << c.text;
    }
}

TEST(MemoryQuantity, KubernetesBinaryQuantitiesAreKeptAsWritten) {
    for (const char* text : {"4Gi", "512Mi", "1.5Gi", "0.5Gi", "64Ki", "1Ti", "0004Gi"}) {
        EXPECT_EQ(memory_quantity(text), text);
    }
    // Not Kubernetes' spelling: normalised instead of passed on for the API server to reject.
    EXPECT_EQ(memory_quantity("4 Gi"), "4Gi");
    EXPECT_EQ(memory_quantity(" 4Gi "), "4Gi");
    EXPECT_EQ(memory_quantity(".5Gi"), "512Mi");
}

TEST(MemoryQuantity, RejectsWithMessageNamingTheProblem) {
    struct Case {
        const char* text;
        const char* message_part;
    };
    const Case cases[] = {
        {"", "it is empty"},
        {"  ", "it is empty"},
        {"-1g", "must not be negative"},
        {"0", "greater than 0"},
        {"0g", "greater than 0"},
        {"0.0000Gi", "greater than 0"},
        {"4x", "unknown unit \"x\""},
        {"4 gigs", "unknown unit \"gigs\""},
        {"1e3", "unknown unit \"e3\""},
        {"g", "expected a number"},
        {".", "expected a number"},
        {"1.2.3g", "expected a number"},
        {"inf", "expected a number"},
        {"2000000000g", "larger than 1 PiB"},
        {"1025t", "larger than 1 PiB"},
        {"99999999999999999999999999b", "larger than 1 PiB"},
        // Never rounded: Kubernetes counts whole bytes.
        {"0.1g", "not a whole number of bytes"},
        {"1.5b", "not a whole number of bytes"},
        {"0.1", "not a whole number of bytes"},
        {"1.000000000000000000001g", "more than 20 decimals"},
    };
    for (const Case& c : cases) {
        try {
            const std::string q = memory_quantity(c.text);
            ADD_FAILURE() << "accepted " << c.text << " as " << q;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(c.message_part), std::string::npos)
                << c.text << " → " << e.what();
            EXPECT_NE(std::string(e.what()).find("write e.g."), std::string::npos)
                << "no example in: " << e.what();
        }
    }
}

}  // namespace
}  // namespace tshost::config
