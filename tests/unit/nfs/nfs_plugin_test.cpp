// Every storage function of the nfs plugin over NFSv3, checked both through the
// plugin and on the server's export directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include <tshost/plugin.hpp>

#include "nfs_fixture.hpp"

using namespace nfstest;
using testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

class NfsPlugin : public NfsTest {};

uint32_t mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 07777;
}

}  // namespace

TEST_F(NfsPlugin, MakeDirCreatesParentsAndIsIdempotent) {
    auto s = open();
    s->make_dir("nni/exp1/trial/output");
    s->make_dir("nni/exp1/trial/output");
    EXPECT_TRUE(fs::is_directory(server().export_dir() / "nni/exp1/trial/output"));
    const auto info = s->stat("nni/exp1/trial");
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->type, TSH_FILE_DIRECTORY);
}

TEST_F(NfsPlugin, WriteFileCreatesParentsWithModesAndReplacesAtomically) {
    auto s = open();
    s->write_file("nni/e/t/parameter.cfg", R"({"lr":0.1})");
    s->write_file("nni/e/t/run_worker.sh", "#!/bin/sh\necho hi\n", TSH_WRITE_EXECUTABLE);
    EXPECT_EQ(read_local(server().export_dir() / "nni/e/t/parameter.cfg"), R"({"lr":0.1})");
    EXPECT_EQ(mode_of(server().export_dir() / "nni/e/t/parameter.cfg"), 0644U);
    EXPECT_EQ(mode_of(server().export_dir() / "nni/e/t/run_worker.sh"), 0755U);

    // Replacing keeps the old inode untouched (readers holding it see old bytes)
    // and leaves no temp file behind.
    struct stat before {};
    ::stat((server().export_dir() / "nni/e/t/parameter.cfg").c_str(), &before);
    s->write_file("nni/e/t/parameter.cfg", "second");
    struct stat after {};
    ::stat((server().export_dir() / "nni/e/t/parameter.cfg").c_str(), &after);
    EXPECT_NE(before.st_ino, after.st_ino);
    EXPECT_EQ(s->read_file("nni/e/t/parameter.cfg"), "second");
    EXPECT_EQ(std::distance(fs::directory_iterator(server().export_dir() / "nni/e/t"),
                            fs::directory_iterator()),
              2);
}

TEST_F(NfsPlugin, EmptyFileRoundTrips) {
    auto s = open();
    s->write_file("empty", "");
    EXPECT_EQ(s->read_file("empty"), "");
    EXPECT_EQ(s->stat("empty")->size, 0U);
}

TEST_F(NfsPlugin, UploadFileStreamsLargeFilesExactly) {
    TempDir tmp;
    const std::string data = random_bytes((size_t{5} << 20) + 12345, 1);  // not chunk-aligned
    write_local(tmp.path() / "big.bin", data);
    auto s = open();
    s->upload_file((tmp.path() / "big.bin").string(), "nni/e/nni-code/big.bin");
    EXPECT_EQ(read_local(server().export_dir() / "nni/e/nni-code/big.bin"), data);
    EXPECT_EQ(s->stat("nni/e/nni-code/big.bin")->size, data.size());
}

TEST_F(NfsPlugin, UploadOfAMissingLocalFileSaysWhich) {
    auto s = open();
    try {
        s->upload_file("/nonexistent/file.py", "x");
        FAIL() << "expected an error";
    } catch (const tshost::plugin::PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_NOT_FOUND);
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/file.py"));
    }
}

TEST_F(NfsPlugin, ReadFileHonoursRanges) {
    auto s = open();
    const std::string data = random_bytes(3 << 20, 2);
    s->write_file("log", data);
    EXPECT_EQ(s->read_file("log"), data);
    EXPECT_EQ(s->read_file("log", 10, 5), data.substr(10, 5));
    EXPECT_EQ(s->read_file("log", (1 << 20) - 3, (1 << 20) + 7),
              data.substr((1 << 20) - 3, (1 << 20) + 7));  // crosses chunks
    EXPECT_EQ(s->read_file("log", data.size() - 4), data.substr(data.size() - 4));  // tail
    EXPECT_EQ(s->read_file("log", data.size() - 4, 100), data.substr(data.size() - 4));
    EXPECT_EQ(s->read_file("log", data.size() + 10, 5), "");  // past the end
    EXPECT_EQ(s->read_file("log", 0, 0), "");
}

TEST_F(NfsPlugin, MissingFilesAreNotFound) {
    auto s = open();
    EXPECT_FALSE(s->stat("nope").has_value());
    try {
        s->read_file("nni/nope.txt");
        FAIL() << "expected NOT_FOUND";
    } catch (const tshost::plugin::PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_NOT_FOUND);
        EXPECT_THAT(e.what(), HasSubstr("127.0.0.1:/export/nni/nope.txt"));
    }
}

TEST_F(NfsPlugin, ListDirReportsEntriesAsJson) {
    auto s = open();
    s->write_file("d/a.txt", "abc");
    s->make_dir("d/sub");
    const auto list = nlohmann::json::parse(s->list_dir("d"));
    ASSERT_EQ(list.size(), 2U);
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& e : list)
        by_name[e.at("name").get<std::string>()] = e;
    EXPECT_EQ(by_name.at("a.txt").at("type"), "file");
    EXPECT_EQ(by_name.at("a.txt").at("size"), 3);
    EXPECT_GT(by_name.at("a.txt").at("mtime").get<int64_t>(), 1'600'000'000'000);
    EXPECT_EQ(by_name.at("sub").at("type"), "dir");
}

TEST_F(NfsPlugin, RemoveIsRecursiveOnlyWhenAsked) {
    auto s = open();
    s->write_file("t/a/b/c.txt", "x");
    s->write_file("t/a/d.txt", "y");
    EXPECT_THROW(s->remove("t/a"), tshost::plugin::PluginError);  // not empty
    EXPECT_TRUE(fs::exists(server().export_dir() / "t/a/b/c.txt"));
    s->remove("t/a/d.txt");
    EXPECT_FALSE(fs::exists(server().export_dir() / "t/a/d.txt"));
    s->remove("t/a", TSH_REMOVE_RECURSIVE);
    EXPECT_FALSE(fs::exists(server().export_dir() / "t/a"));
    EXPECT_TRUE(fs::exists(server().export_dir() / "t"));
    s->remove("t/a", TSH_REMOVE_RECURSIVE);  // absent: success
}

TEST_F(NfsPlugin, RenameReplacesTheTarget) {
    auto s = open();
    s->write_file("r/from", "new");
    s->write_file("r/to", "old");
    const auto& vt = s->descriptor().storage;
    ASSERT_NE(vt.rename, nullptr);
    char msg[1024] = {0};
    tsh_errbuf err{msg, sizeof msg};
    ASSERT_EQ(vt.rename(s->access()->instance, tsh_str{"r/from", 6}, tsh_str{"r2/to", 5}, &err),
              TSH_OK)
        << msg;
    EXPECT_EQ(s->read_file("r2/to"), "new");
    ASSERT_EQ(vt.rename(s->access()->instance, tsh_str{"r2/to", 5}, tsh_str{"r/to", 4}, &err),
              TSH_OK)
        << msg;
    EXPECT_EQ(s->read_file("r/to"), "new");
    EXPECT_FALSE(s->stat("r2/to").has_value());
}

TEST_F(NfsPlugin, PodVolumeIsNnisNfsVolume) {
    auto s = open();
    EXPECT_EQ(nlohmann::json::parse(s->pod_volume()),
              nlohmann::json::parse(R"({"volume":{"name":"nni-vol","nfs":{"server":"127.0.0.1",
                  "path":"/export"}},"volumeMount":{"mountPath":"/tmp/mount"},"secret":null})"));
    auto custom = open(3, R"("mountPath":"/mnt/nni")");
    EXPECT_EQ(nlohmann::json::parse(custom->pod_volume())["volumeMount"]["mountPath"], "/mnt/nni");
}

TEST_F(NfsPlugin, BrowseUrlKeepsTheExportPath) {
    auto s = open();
    tshost::Storage storage(s->access());
    const auto url = storage.browse_url("nni/exp 1/trial");
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(*url, "nfs://127.0.0.1/export/nni/exp%201/trial?nfsport=" +
                        std::to_string(server().nfs_port()) +
                        "&mountport=" + std::to_string(server().mount_port()));
}

TEST_F(NfsPlugin, ConcurrentCallersEachGetAConnection) {
    auto s = open();
    constexpr int kThreads = 6;
    constexpr int kFilesEach = 20;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kFilesEach; ++i) {
                const std::string path = "c/" + std::to_string(t) + "/" + std::to_string(i);
                s->write_file(path, path);
                EXPECT_EQ(s->read_file(path), path);
            }
        });
    }
    for (auto& th : threads)
        th.join();
    size_t count = 0;
    for (const auto& e : fs::recursive_directory_iterator(server().export_dir() / "c")) {
        count += e.is_regular_file() ? 1 : 0;
    }
    EXPECT_EQ(count, static_cast<size_t>(kThreads * kFilesEach));
}

TEST_F(NfsPlugin, ConfigIsCheckedAgainstTheSchema) {
    EXPECT_THROW(open_storage(R"({"server":"127.0.0.1"})"), tshost::plugin::ConfigError);
    EXPECT_THROW(open_storage(R"({"server":"h","path":"/x","bogus":1})"),
                 tshost::plugin::ConfigError);
    EXPECT_THROW(open_storage(R"({"server":"h","path":"/x","version":2})"),
                 tshost::plugin::ConfigError);
}
