#include "http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <exception>
#include <random>
#include <thread>

#include "http_date.hpp"
#include "url.hpp"
#include "xml.hpp"

namespace tshost::azure {
namespace {

constexpr const char* kApiVersion = "2021-08-06";  // Rename File needs 2021-04-10 or later
constexpr size_t kPoolLimit = 8;

bool retryable_status(long status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
           status == 504;
}

bool retryable_curl(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
            return true;
        default:
            return false;
    }
}

struct Transfer {
    CURL* curl = nullptr;
    const Request* request = nullptr;
    Response* response = nullptr;
    size_t sent = 0;
    size_t streamed = 0;  // body bytes already handed to the sink: no retry after that
    std::exception_ptr error;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    try {
        if (t->request->sink != nullptr && status >= 200 && status < 300) {
            t->request->sink->write(std::string_view(data, n));
            t->streamed += n;
        } else {
            t->response->body.append(data, n);
        }
    } catch (...) {
        t->error = std::current_exception();
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
        t->response->headers.clear();  // a new status line (e.g. after 100 Continue)
    }
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() &&
               (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
            value.remove_suffix(1);
        }
        t->response->headers[name] = std::string(value);
    }
    return size * count;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string_view body = t->request->body;
    const size_t n = std::min(size * count, body.size() - t->sent);
    std::copy_n(body.data() + t->sent, n, buffer);
    t->sent += n;
    return n;
}

}  // namespace

struct Client::Attempt {
    CURLcode code = CURLE_OK;
    std::string curl_error;
    Response response;
    bool streamed = false;
};

std::string Response::header(const std::string& name) const {
    const auto it = headers.find(name);
    return it != headers.end() ? it->second : std::string();
}

std::string Response::error_code() const {
    const std::string code = header("x-ms-error-code");
    return !code.empty() ? code : xml_element_text(body, "Code");
}

std::string Response::error_message() const {
    const std::string message = xml_element_text(body, "Message");
    return message.substr(0, message.find('\n'));
}

Client::Client(Endpoint endpoint, std::string account, std::string key, RetryPolicy policy,
               Host host)
    : endpoint_(std::move(endpoint)),
      account_(std::move(account)),
      key_(std::move(key)),
      policy_(policy),
      host_(host) {
    static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (init != CURLE_OK) {
        throw Error(TSH_ERR_INTERNAL, "libcurl failed to initialise");
    }
}

Client::~Client() {
    for (void* handle : pool_) {
        curl_easy_cleanup(static_cast<CURL*>(handle));
    }
}

std::string Client::url(std::string_view path) const {
    return endpoint_.origin + endpoint_.base_path + std::string(path);
}

void* Client::acquire() {
    {
        std::lock_guard lock(pool_mutex_);
        if (!pool_.empty()) {
            void* handle = pool_.back();
            pool_.pop_back();
            return handle;
        }
    }
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
        throw Error(TSH_ERR_NO_MEMORY, "libcurl could not create a handle");
    }
    return curl;
}

void Client::release(void* handle) {
    std::lock_guard lock(pool_mutex_);
    if (pool_.size() < kPoolLimit) {
        pool_.push_back(handle);
    } else {
        curl_easy_cleanup(static_cast<CURL*>(handle));
    }
}

Client::Attempt Client::attempt(const Request& request, std::chrono::milliseconds budget) {
    Attempt result;
    CURL* curl = static_cast<CURL*>(acquire());
    // Returned to the pool even when a callback threw: curl_easy_reset below makes it reusable.
    struct Return {
        Client* client;
        CURL* curl;
        ~Return() { client->release(curl); }
    } give_back{this, curl};
    curl_easy_reset(curl);  // keeps the connection cache, so keep-alive survives

    NameValues headers = request.headers;
    headers.emplace_back("x-ms-date", format_http_date(std::time(nullptr)));
    headers.emplace_back("x-ms-version", kApiVersion);
    const bool upload = request.method == "PUT";
    if (upload) {
        headers.emplace_back("Content-Length", std::to_string(request.body.size()));
    }
    const std::string signed_path = endpoint_.base_path + request.path;
    const SignedRequest to_sign{request.method, signed_path, request.query, headers};
    headers.emplace_back("Authorization", authorization(account_, key_, to_sign));

    curl_slist* list = nullptr;
    for (const auto& [name, value] : headers) {
        list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    list = curl_slist_append(list, "Accept:");  // nothing unsigned beyond what curl must send
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list,
                                                                            &curl_slist_free_all);

    Transfer transfer{curl, &request, &result.response, 0, 0, nullptr};
    const std::string full_url = url(request.path) + encode_query(request.query);
    char error_text[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, full_url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, budget.count())));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    if (upload) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, &on_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    } else if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    result.code = curl_easy_perform(curl);
    if (transfer.error) {
        std::rethrow_exception(transfer.error);  // the sink refused: not retryable
    }
    result.curl_error = error_text[0] != '\0' ? error_text : curl_easy_strerror(result.code);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.response.status);
    result.streamed = transfer.streamed > 0;
    return result;
}

Response Client::send(const Request& request) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + policy_.timeout;
    thread_local std::minstd_rand rng{std::random_device{}()};
    std::chrono::milliseconds backoff{250};
    for (int attempt_no = 0;; ++attempt_no) {
        Attempt a =
            attempt(request,
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
        std::string problem;
        // Equal jitter: half the backoff fixed, half random, so parallel clients spread out.
        std::chrono::milliseconds wait =
            backoff / 2 + std::chrono::milliseconds(
                              std::uniform_int_distribution<int64_t>(0, backoff.count() / 2)(rng));
        if (a.code != CURLE_OK) {
            if (!retryable_curl(a.code) || a.streamed) {
                throw Error(TSH_ERR_TRANSIENT,
                            request.method + " " + url(request.path) + ": " + a.curl_error);
            }
            problem = a.curl_error;
        } else if (retryable_status(a.response.status)) {
            problem = std::to_string(a.response.status) + " " + a.response.error_code();
            const std::string retry_after = a.response.header("retry-after");
            if (!retry_after.empty() && retry_after.size() < 6 &&
                std::all_of(retry_after.begin(), retry_after.end(), ::isdigit)) {
                // The server said when: never earlier than that.
                wait = std::max(wait, std::chrono::milliseconds(1000 * std::stoll(retry_after)));
            }
        } else {
            return std::move(a.response);
        }
        const auto resume = Clock::now() + wait;
        if (attempt_no >= policy_.retries || resume >= deadline) {
            throw Error(TSH_ERR_TRANSIENT, request.method + " " + url(request.path) +
                                               " failed after " + std::to_string(attempt_no + 1) +
                                               " attempt(s): " + problem);
        }
        host_.log(LogLevel::warn, request.method + " " + url(request.path) + ": " + problem +
                                      "; retrying in " + std::to_string(wait.count()) +
                                      " ms (attempt " + std::to_string(attempt_no + 2) + " of " +
                                      std::to_string(policy_.retries + 1) + ")");
        // Backoff, not synchronisation: wait in short slices so a stopping host is noticed.
        while (Clock::now() < resume) {
            if (host_.stopping()) {
                throw Error(TSH_ERR_CANCELLED, "the host is stopping");
            }
            std::this_thread::sleep_for(
                std::min<Clock::duration>(resume - Clock::now(), std::chrono::milliseconds(100)));
        }
        backoff = std::min(backoff * 2, std::chrono::milliseconds(8000));
    }
}

}  // namespace tshost::azure
