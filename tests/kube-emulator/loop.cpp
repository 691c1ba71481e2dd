#include "loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace kemu {
namespace {

class AsioTimer final : public Loop::Timer, public std::enable_shared_from_this<AsioTimer> {
  public:
    explicit AsioTimer(boost::asio::io_context& io) : timer_(io) {}
    void start(std::chrono::milliseconds delay, std::function<void()> fn) {
        timer_.expires_after(delay);
        // The handler holds only a weak reference: dropping the token cancels the callback.
        timer_.async_wait([weak = weak_from_this(), fn = std::move(fn)](const auto& ec) {
            if (!ec && !weak.expired()) {
                fn();
            }
        });
    }
    void cancel() override { timer_.cancel(); }

  private:
    boost::asio::steady_timer timer_;
};

}  // namespace

Loop::Loop() : io_(std::make_unique<boost::asio::io_context>(1)) {}
Loop::~Loop() = default;

void Loop::post(std::function<void()> fn) {
    boost::asio::post(*io_, std::move(fn));
}

std::shared_ptr<Loop::Timer> Loop::after(std::chrono::milliseconds delay,
                                         std::function<void()> fn) {
    auto timer = std::make_shared<AsioTimer>(*io_);
    timer->start(delay, std::move(fn));
    return timer;
}

void Loop::run() {
    io_->run();
}
void Loop::stop() {
    io_->stop();
}

}  // namespace kemu
