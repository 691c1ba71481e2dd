// The single-threaded event loop every component runs on. Only the io_context is exposed, as a
// forward declaration, so that Asio stays out of the headers that most files include.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace kemu {

class Loop {
  public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    /// Runs `fn` on the loop after the current handler returns.
    void post(std::function<void()> fn);

    /// Runs `fn` after `delay` unless the returned token is destroyed or cancel()ed first.
    class Timer {
      public:
        virtual ~Timer() = default;
        virtual void cancel() = 0;
    };
    std::shared_ptr<Timer> after(std::chrono::milliseconds delay, std::function<void()> fn);

    void run();
    void stop();
    boost::asio::io_context& io() { return *io_; }

  private:
    std::unique_ptr<boost::asio::io_context> io_;
};

}  // namespace kemu
