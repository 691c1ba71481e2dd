// `tshost storage check` logic against a working and a broken NFS storage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "nfs_fixture.hpp"
#include "storage/check.hpp"

using namespace nfstest;
using testing::HasSubstr;

namespace {
class StorageCheck : public NfsTest {};
}  // namespace

TEST_F(StorageCheck, PassesAndMeasuresThroughputOnAWorkingExport) {
    auto s = open();
    const auto report = tshost::storage::check_storage(*s);
    EXPECT_TRUE(report.ok) << report.to_json();
    ASSERT_EQ(report.steps.size(), 8U);
    for (const auto& step : report.steps)
        EXPECT_TRUE(step.ok && step.ran) << step.name;
    EXPECT_GT(report.upload_mb_per_s, 0);
    EXPECT_GT(report.read_mb_per_s, 0);
    // It cleans up after itself.
    EXPECT_TRUE(nlohmann::json::parse(s->list_dir("nni/.tshost-check")).empty());
    EXPECT_TRUE(nlohmann::json::parse(report.to_json())["ok"].get<bool>());
}

TEST_F(StorageCheck, ExplainsAnUnreachableServer) {
    const int port = server().nfs_port();
    server().stop();
    auto s = open_storage(R"({"server":"127.0.0.1","path":"/export","retries":0,"port":)" +
                          std::to_string(port) + R"(,"mountPort":)" + std::to_string(port) + "}");
    const auto report = tshost::storage::check_storage(*s);
    EXPECT_FALSE(report.ok);
    ASSERT_FALSE(report.steps.empty());
    EXPECT_EQ(report.steps[0].name, "connect");
    EXPECT_FALSE(report.steps[0].ok);
    EXPECT_THAT(report.steps[0].detail, HasSubstr("cannot reach the NFS server 127.0.0.1"));
    EXPECT_THAT(report.steps[0].fix, HasSubstr("could not be reached"));
    EXPECT_FALSE(report.steps[1].ran);
}
