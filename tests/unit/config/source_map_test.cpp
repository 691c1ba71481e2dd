#include <gtest/gtest.h>

#include "config/source_map.hpp"

namespace tshost::config {
namespace {

TEST(Pointers, KeyPathToPointer) {
    EXPECT_EQ(pointer_from_key_path("trainingService.taskRoles[0].name"),
              "/trainingService/taskRoles/0/name");
    EXPECT_EQ(pointer_from_key_path("searchSpace[\"a.b\"]._value[1]"), "/searchSpace/a.b/_value/1");
    EXPECT_EQ(pointer_from_key_path("a[\"x/y~z\"]"), "/a/x~1y~0z");
    EXPECT_EQ(pointer_from_key_path("/already/a/pointer"), "/already/a/pointer");
    EXPECT_EQ(pointer_from_key_path(""), "");
}

TEST(Pointers, AppendEscapesAndKeyPathsQuote) {
    EXPECT_EQ(pointer_append("/a", "b/c~d"), "/a/b~1c~0d");
    EXPECT_EQ(pointer_last("/a/b~1c~0d"), "b/c~d");
    EXPECT_EQ(pointer_parent("/a/b/c"), "/a/b");
    EXPECT_EQ(pointer_parent("/a"), "");
    EXPECT_EQ(key_path_append("a", "b"), "a.b");
    EXPECT_EQ(key_path_append("", "b"), "b");
    EXPECT_EQ(key_path_append("a", "b c"), "a[\"b c\"]");
    EXPECT_EQ(key_path_append("a", std::size_t{3}), "a[3]");
}

TEST(SourceMap, FallsBackToTheNearestRecordedAncestor) {
    SourceMap map;
    map.set("", {{}, {"f", 1, 1}, ""});
    map.set("/trainingService", {{"f", 5, 1}, {"f", 6, 3}, "trainingService"});
    map.set("/trainingService/worker", {{"f", 9, 3}, {"f", 10, 5}, "trainingService.worker"});
    EXPECT_EQ(map.key_location("/trainingService/worker/replicas"), (SourceLocation{"f", 9, 3}));
    EXPECT_EQ(map.value_location("/trainingService/worker"), (SourceLocation{"f", 10, 5}));
    EXPECT_EQ(map.key_path("/trainingService/worker/replicas"), "trainingService.worker.replicas");
    EXPECT_EQ(map.key_path("/trainingService/taskRoles/0"), "trainingService.taskRoles[0]");
    EXPECT_EQ(map.key_location("/other"), (SourceLocation{"f", 1, 1}));
}

TEST(SourceMap, MoveKeepsKeyPathsAndDoesNotTouchSiblingsWithAPrefixName) {
    SourceMap map;
    map.set("/trial/worker", {{"f", 3, 3}, {}, "trial.worker"});
    map.set("/trial/worker/memoryMB", {{"f", 4, 5}, {}, "trial.worker.memoryMB"});
    map.set("/trial/workerX", {{"f", 7, 3}, {}, "trial.workerX"});
    map.move_subtree("/trial/worker", "/trainingService/worker");
    EXPECT_EQ(map.find("/trial/worker"), nullptr);
    ASSERT_NE(map.find("/trial/workerX"), nullptr);
    ASSERT_NE(map.find("/trainingService/worker/memoryMB"), nullptr);
    EXPECT_EQ(map.key_path("/trainingService/worker/memoryMB"), "trial.worker.memoryMB");
    EXPECT_EQ(map.size(), 3u);
}

}  // namespace
}  // namespace tshost::config
