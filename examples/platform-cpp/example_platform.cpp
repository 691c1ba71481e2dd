// example-cpp: a tshost platform written with the SDK's C++ helper. Trials "run"
// on a worker thread for a configurable time and then succeed, which shows the
// parts a real platform has: its own thread, status events emitted from it, a
// clean join in the destructor, and cancellation.
#include <tshost/plugin.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace {

constexpr const char* kSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "runMillis": {"type": "integer", "minimum": 0, "maximum": 60000,
                  "description": "how long each trial pretends to run"}
  }
})";

// The config is one optional integer, so a tiny lookup keeps the example free of
// any JSON library; real plugins parse config_json with the library they like.
int parse_run_millis(std::string_view config) {
    const auto key = config.find("\"runMillis\"");
    if (key == std::string_view::npos) {
        return 0;
    }
    const auto colon = config.find(':', key);
    return std::atoi(std::string(config.substr(colon + 1)).c_str());
}

class ExamplePlatform {
  public:
    static constexpr tshost::Meta meta{
        .name = "example-cpp",
        .version = "1.0.0",
        .description = "Example platform in C++: trials succeed after runMillis",
        .config_schema = kSchema,
    };

    explicit ExamplePlatform(const tshost::CreateArgs& args)
        : host_(args.host),
          run_for_(std::chrono::milliseconds(parse_run_millis(args.config_json))),
          worker_([this] { run(); }) {}

    ~ExamplePlatform() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        worker_.join();  // no host service is called after this returns
    }

    std::string submit(const tshost::Trial& trial) {
        std::lock_guard lock(mutex_);
        if (!statuses_.emplace(std::string(trial.id), "WAITING").second) {
            throw tshost::Error(TSH_ERR_EXISTS, "trial " + std::string(trial.id) + " exists");
        }
        queue_.emplace_back(trial.id);
        wake_.notify_all();
        return R"({"jobName":"example-)" + std::string(trial.id) + "\"}";
    }

    void cancel(std::string_view trial_id, tshost::CancelReason reason) {
        std::lock_guard lock(mutex_);
        const auto it = statuses_.find(std::string(trial_id));
        if (it == statuses_.end()) {
            throw tshost::Error(TSH_ERR_NOT_FOUND, "no trial " + std::string(trial_id));
        }
        if (it->second == "SUCCEEDED" || it->second.ends_with("CANCELED") ||
            it->second == "EARLY_STOPPED") {
            return;  // already ended
        }
        it->second = reason == tshost::CancelReason::user         ? "USER_CANCELED"
                     : reason == tshost::CancelReason::early_stop ? "EARLY_STOPPED"
                                                                  : "SYS_CANCELED";
        host_.emit(TSH_EVENT_TRIAL_STATUS, trial_id, status_json(it->second));
    }

    std::string list_trials() {
        std::lock_guard lock(mutex_);
        std::string out = "[";
        for (const auto& [id, status] : statuses_) {
            out += (out.size() > 1 ? "," : "");
            out += R"({"trialId":")" + id + R"(","status":")" + status + "\"}";
        }
        return out + "]";
    }

    void adopt(const tshost::Trial& trial) {
        std::lock_guard lock(mutex_);
        const auto it = statuses_.find(std::string(trial.id));
        if (it == statuses_.end()) {
            throw tshost::Error(TSH_ERR_NOT_FOUND, "trial " + std::string(trial.id) + " is gone");
        }
        host_.emit(TSH_EVENT_TRIAL_STATUS, trial.id, status_json(it->second));
    }

  private:
    static std::string status_json(const std::string& status) {
        return R"({"status":")" + status + "\"}";
    }

    // Runs queued trials one at a time; status events are emitted from this thread.
    void run() {
        std::unique_lock lock(mutex_);
        while (true) {
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) {
                return;
            }
            const std::string id = queue_.front();
            queue_.pop_front();
            if (statuses_[id] != "WAITING") {
                continue;  // cancelled while queued
            }
            statuses_[id] = "RUNNING";
            host_.emit(TSH_EVENT_TRIAL_STATUS, id, status_json("RUNNING"));
            if (wake_.wait_for(lock, run_for_, [this] { return stopping_; })) {
                return;
            }
            if (statuses_[id] == "RUNNING") {
                statuses_[id] = "SUCCEEDED";
                host_.emit(TSH_EVENT_TRIAL_STATUS, id, status_json("SUCCEEDED"));
            }
        }
    }

    tshost::Host host_;
    std::chrono::milliseconds run_for_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> queue_;
    std::map<std::string, std::string> statuses_;
    bool stopping_ = false;
    std::thread worker_;  // last: starts after every member it uses exists
};

}  // namespace

TSHOST_PLATFORM_PLUGIN(ExamplePlatform)
