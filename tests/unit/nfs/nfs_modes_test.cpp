// The two other ways to reach the export: NFSv4 through libnfs, and a path where
// the export is already mounted (plain POSIX I/O).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "nfs_fixture.hpp"

using namespace nfstest;
namespace fs = std::filesystem;

namespace {
class NfsV4 : public NfsTest {};
}  // namespace

TEST_F(NfsV4, RoundTripWithModesAndReplace) {
    auto s = open(4);
    const std::string data = random_bytes(100'000, 3);  // many < 4000-byte v4 writes
    s->write_file("v4/dir/data.bin", data);
    s->write_file("v4/dir/run.sh", "#!/bin/sh\n", TSH_WRITE_EXECUTABLE);
    s->write_file("v4/dir/data.bin", data + "!");  // replace an existing file
    EXPECT_EQ(s->read_file("v4/dir/data.bin"), data + "!");
    EXPECT_EQ(s->read_file("v4/dir/data.bin", 5000, 10), data.substr(5000, 10));
    struct stat st {};
    ASSERT_EQ(::stat((server().export_dir() / "v4/dir/run.sh").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0755U);
    ASSERT_EQ(::stat((server().export_dir() / "v4/dir/data.bin").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644U);
    ASSERT_EQ(::stat((server().export_dir() / "v4/dir").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0755U);
    EXPECT_EQ(nlohmann::json::parse(s->list_dir("v4/dir")).size(), 2U);
    s->remove("v4", TSH_REMOVE_RECURSIVE);
    EXPECT_FALSE(fs::exists(server().export_dir() / "v4"));
}

TEST(NfsLocalMount, PosixModeWorksWithoutAServer) {
    TempDir mount;
    TempDir local;
    auto s = open_storage(R"({"server":"nfs.example","path":"/export","localMountPath":")" +
                          mount.path().string() + R"("})");
    const std::string data = random_bytes(3'000'000, 4);
    s->write_file("nni/e/t/parameter.cfg", "{}");
    write_local(local.path() / "src.bin", data);
    s->upload_file((local.path() / "src.bin").string(), "nni/e/code/src.bin", TSH_WRITE_EXECUTABLE);
    EXPECT_EQ(read_local(mount.path() / "nni/e/code/src.bin"), data);
    EXPECT_EQ(s->read_file("nni/e/code/src.bin", 10, 10), data.substr(10, 10));
    EXPECT_EQ(s->stat("nni/e/code/src.bin")->size, data.size());
    struct stat st {};
    ::stat((mount.path() / "nni/e/code/src.bin").c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0755U);
    EXPECT_EQ(nlohmann::json::parse(s->list_dir("nni/e")).size(), 2U);
    s->remove("nni", TSH_REMOVE_RECURSIVE);
    EXPECT_FALSE(fs::exists(mount.path() / "nni"));
    // Pods still mount the server, not the local path.
    EXPECT_EQ(nlohmann::json::parse(s->pod_volume())["volume"]["nfs"]["server"], "nfs.example");
}
