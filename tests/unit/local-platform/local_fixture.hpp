// A scratch experiment for the local platform: temporary directories, the real
// plugin loaded through the host loader, trial scripts, and event waits with
// deadlines (never sleeps).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/event_queue.hpp"
#include "plugin/instance.hpp"

namespace local_test {

using nlohmann::json;
using tshost::plugin::EventQueue;
using tshost::plugin::HostEvent;
using tshost::plugin::PlatformInstance;
using tshost::plugin::TrialSpec;
namespace fs = std::filesystem;

/// Generous: sanitizer builds on a shared 2-core machine are slow.
inline constexpr std::chrono::seconds kTimeout{60};

/// The plugin under test, loaded once.
const tshost::plugin::Plugin& local_plugin();

/// A PlatformInstance that can also call the optional `query`.
class Platform : public PlatformInstance {
  public:
    using PlatformInstance::PlatformInstance;
    std::string query(std::string_view trial_id);
};

/// Events of one queue, sorted by trial as they arrive.
class EventLog {
  public:
    explicit EventLog(EventQueue& queue) : queue_(queue) {}
    using Events = std::vector<HostEvent>;

    /// Pops events until `done(events of trial_id)` holds; fails the test (and
    /// returns what arrived) when kTimeout passes first.
    const Events& wait(const std::string& trial_id, const std::function<bool(const Events&)>& done);
    /// Until the trial's end status (SUCCEEDED, FAILED, *_CANCELED, EARLY_STOPPED).
    const Events& wait_end(const std::string& trial_id);
    /// Until the trial has reported `n` metrics.
    const Events& wait_metrics(const std::string& trial_id, size_t n);
    const Events& of(const std::string& trial_id) { return by_trial_[trial_id]; }

  private:
    EventQueue& queue_;
    std::map<std::string, Events> by_trial_;
};

json payload(const HostEvent& event);
bool is_end(const HostEvent& event);
/// Payloads of the events of `type` (TSH_EVENT_*), in order.
std::vector<json> payloads(const EventLog::Events& events, const std::string& type);
/// The end status payload (the last event must be it).
json end_of(const EventLog::Events& events);
/// A process is gone: no such pid, or only a zombie nobody reaped yet.
bool process_gone(pid_t pid);

class LocalPlatformTest : public testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    /// An instance for experiment "exp1" whose trial command runs
    /// `<codeDir>/<trialId>.sh` (written by write_trial) with sh.
    std::unique_ptr<Platform> make_platform(const json& config = json::object(),
                                            EventQueue* queue = nullptr,
                                            const json& experiment_overrides = json::object());
    json experiment_json(const json& overrides = json::object()) const;
    void write_trial(const std::string& trial_id, const std::string& script) const;
    /// Submits `trial_id` with a packed parameter naming it; returns submit's output.
    json submit(Platform& platform, const std::string& trial_id, int64_t attempt = 0,
                int64_t sequence_id = 0);
    fs::path trial_dir(const std::string& trial_id) const {
        return work_dir_ / "trials" / trial_id;
    }
    static std::string parameters_for(const std::string& trial_id);
    static std::string read_file(const fs::path& path);

    fs::path root_;
    fs::path work_dir_;
    fs::path code_dir_;
    EventQueue events_;
    EventLog log_{events_};
};

}  // namespace local_test
