#include "local_fixture.hpp"

#include <tshost/plugin.h>

#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <set>

#include "plugin/loader.hpp"

namespace local_test {

const tshost::plugin::Plugin& local_plugin() {
    static const tshost::plugin::Plugin plugin = [] {
        auto result = tshost::plugin::load_plugin(TSHOST_LOCAL_PLUGIN);
        if (!result.plugin) {
            throw std::runtime_error(result.refusal->message());
        }
        return *result.plugin;
    }();
    return plugin;
}

std::string Platform::query(std::string_view trial_id) {
    std::string out;
    tsh_sink sink{&out, [](void* ctx, const void* data, size_t size) -> tsh_status {
                      static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
                      return TSH_OK;
                  }};
    char message[1024] = {0};
    tsh_errbuf err{message, sizeof message};
    const tsh_status st =
        descriptor().platform.query(self(), tsh_str{trial_id.data(), trial_id.size()}, &sink, &err);
    if (st != TSH_OK) {
        throw tshost::plugin::PluginError(st, message);
    }
    return out;
}

const EventLog::Events& EventLog::wait(const std::string& trial_id,
                                       const std::function<bool(const Events&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (!done(by_trial_[trial_id])) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto event = left.count() > 0 ? queue_.pop(left) : std::nullopt;
        if (!event) {
            ADD_FAILURE() << "timed out waiting for events of trial " << trial_id << " ("
                          << by_trial_[trial_id].size() << " so far)";
            break;
        }
        by_trial_[event->trial_id].push_back(std::move(*event));
    }
    return by_trial_[trial_id];
}

const EventLog::Events& EventLog::wait_end(const std::string& trial_id) {
    return wait(trial_id,
                [](const Events& events) { return !events.empty() && is_end(events.back()); });
}

const EventLog::Events& EventLog::wait_metrics(const std::string& trial_id, size_t n) {
    return wait(trial_id, [n](const Events& events) {
        return payloads(events, TSH_EVENT_TRIAL_METRIC).size() >= n;
    });
}

json payload(const HostEvent& event) {
    return json::parse(event.payload_json);
}

bool is_end(const HostEvent& event) {
    static const std::set<std::string> kEnds{"SUCCEEDED", "FAILED", "USER_CANCELED", "SYS_CANCELED",
                                             "EARLY_STOPPED"};
    return event.type == TSH_EVENT_TRIAL_STATUS && kEnds.count(payload(event).at("status")) > 0;
}

std::vector<json> payloads(const EventLog::Events& events, const std::string& type) {
    std::vector<json> out;
    for (const HostEvent& event : events) {
        if (event.type == type) {
            out.push_back(payload(event));
        }
    }
    return out;
}

json end_of(const EventLog::Events& events) {
    if (events.empty() || !is_end(events.back())) {
        ADD_FAILURE() << "the trial has not ended";
        return json::object();
    }
    return payload(events.back());
}

bool process_gone(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) {
        return true;
    }
    const size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

void LocalPlatformTest::SetUp() {
    std::string pattern = (fs::temp_directory_path() / "tshost-local-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    work_dir_ = root_ / "work";
    code_dir_ = root_ / "code";
    fs::create_directories(work_dir_);
    fs::create_directories(code_dir_);
}

void LocalPlatformTest::TearDown() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

json LocalPlatformTest::experiment_json(const json& overrides) const {
    json experiment{{"experimentId", "exp1"},
                    {"workDir", work_dir_.string()},
                    {"trialCommand", "sh \"./$NNI_TRIAL_JOB_ID.sh\""},
                    {"trialCodeDirectory", code_dir_.string()},
                    {"trialConcurrency", 2}};
    experiment.update(overrides);
    return experiment;
}

std::unique_ptr<Platform> LocalPlatformTest::make_platform(const json& config, EventQueue* queue,
                                                           const json& experiment_overrides) {
    tshost::plugin::InstanceOptions options;
    options.experiment_json = experiment_json(experiment_overrides).dump();
    options.events = queue != nullptr ? queue : &events_;
    return std::make_unique<Platform>(local_plugin(), config.dump(), options);
}

void LocalPlatformTest::write_trial(const std::string& trial_id, const std::string& script) const {
    std::ofstream(code_dir_ / (trial_id + ".sh")) << script;
}

std::string LocalPlatformTest::parameters_for(const std::string& trial_id) {
    return R"({"parameter_id": 0, "parameter_source": "algorithm", "parameters": {"trial": ")" +
           trial_id + R"(", "lr": 0.1}, "parameter_index": 0})";
}

json LocalPlatformTest::submit(Platform& platform, const std::string& trial_id, int64_t attempt,
                               int64_t sequence_id) {
    const TrialSpec spec{trial_id, sequence_id, parameters_for(trial_id),
                         json{{"attempt", attempt}}.dump()};
    return json::parse(platform.submit(spec));
}

std::string LocalPlatformTest::read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace local_test
