// The queue between plugins (and the metrics server) and the engine: pop_many hands over a
// batch in order, at most `max`, and waits only while the queue is empty.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "plugin/event_queue.hpp"

using tshost::plugin::EventQueue;
using tshost::plugin::HostEvent;
using namespace std::chrono_literals;

namespace {
HostEvent event(int n) {
    return HostEvent{"test", "trial.metric", "t" + std::to_string(n), "{}", n};
}
}  // namespace

TEST(EventQueue, PopManyTakesAtMostMaxInOrderAndLeavesTheRest) {
    EventQueue queue;
    for (int i = 0; i < 5; ++i) {
        queue.push(event(i));
    }
    std::vector<HostEvent> batch{event(-1)};  // appended to, not replaced
    EXPECT_EQ(queue.pop_many(batch, 3, 0ms), 3U);
    ASSERT_EQ(batch.size(), 4U);
    EXPECT_EQ(batch[0].trial_id, "t-1");
    EXPECT_EQ(batch[1].trial_id, "t0");
    EXPECT_EQ(batch[3].trial_id, "t2");
    EXPECT_EQ(queue.size(), 2U);
    batch.clear();
    EXPECT_EQ(queue.pop_many(batch, 100, 0ms), 2U);
    EXPECT_EQ(batch.back().trial_id, "t4");
    EXPECT_EQ(queue.pop_many(batch, 0, 0ms), 0U);
}

TEST(EventQueue, PopManyWaitsForTheFirstEventThenReturns) {
    EventQueue queue;
    std::vector<HostEvent> batch;
    EXPECT_EQ(queue.pop_many(batch, 10, 0ms), 0U) << "empty: nothing, at once";
    std::thread producer([&] { queue.push_many({event(7), event(8)}); });
    // push_many appends both under one lock: the waiter wakes to find both.
    EXPECT_EQ(queue.pop_many(batch, 10, 10s), 2U);
    producer.join();
    ASSERT_EQ(batch.size(), 2U);
    EXPECT_EQ(batch[0].trial_id, "t7");
    EXPECT_EQ(batch[1].trial_id, "t8");
}
