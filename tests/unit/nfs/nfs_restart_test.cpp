// A server restart in the middle of a large upload: the plugin reconnects,
// resumes, and the file arrives whole.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "nfs_fixture.hpp"

using namespace nfstest;
namespace fs = std::filesystem;

namespace {

class NfsRestart : public NfsTest {};

// The size of the upload's temp file on the export, or 0 while there is none.
uint64_t temp_file_size(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename().string().find(".tsh-tmp-") != std::string::npos) {
            return e.file_size(ec);
        }
    }
    return 0;
}

}  // namespace

TEST_F(NfsRestart, LargeUploadSurvivesAServerRestart) {
    TempDir tmp;
    const std::string data = random_bytes(size_t{192} << 20, 7);
    write_local(tmp.path() / "big.bin", data);
    auto s = open(3, R"("retries":8)");
    s->make_dir("nni/e");
    const fs::path dir = server().export_dir() / "nni/e";

    auto upload = std::async(std::launch::async, [&] {
        s->upload_file((tmp.path() / "big.bin").string(), "nni/e/big.bin");
    });
    // Wait (polling with a deadline) until the upload is under way on the server.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (temp_file_size(dir) < (uint64_t{8} << 20) &&
           std::chrono::steady_clock::now() < deadline &&
           upload.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
    }
    ASSERT_FALSE(fs::exists(dir / "big.bin")) << "the upload finished before the restart";
    ASSERT_GE(temp_file_size(dir), uint64_t{8} << 20);
    server().restart();
    ASSERT_NO_THROW(upload.get());
    EXPECT_EQ(fs::file_size(dir / "big.bin"), data.size());
    EXPECT_TRUE(read_local(dir / "big.bin") == data);
    EXPECT_EQ(temp_file_size(dir), 0U) << "a temp file was left behind";
}

TEST_F(NfsRestart, IdleConnectionsAreReplacedAfterARestart) {
    auto s = open();
    s->write_file("a", "1");
    server().restart();
    EXPECT_EQ(s->read_file("a"), "1");
    s->write_file("b", "2");
    EXPECT_EQ(read_local(server().export_dir() / "b"), "2");
}
