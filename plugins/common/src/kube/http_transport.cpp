#include "kube/http_transport.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include <curl/curl.h>

namespace tshost::kube {
namespace {

// Guards against a server that streams an endless non-2xx body at us.
constexpr std::size_t kMaxBufferedBody = 256u << 20;
// How long one curl_multi_poll may block when no idle timeout is tighter; cancellation does not
// depend on it (curl_multi_wakeup interrupts the poll), only idle-timeout checks do.
constexpr int kMaxPollMs = 1000;

struct Handle {
    CURL* easy = nullptr;
    CURLM* multi = nullptr;
    ~Handle() {
        if (multi != nullptr) {
            curl_multi_cleanup(multi);
        }
        if (easy != nullptr) {
            curl_easy_cleanup(easy);
        }
    }
};

struct Transfer {
    const HttpRequest* request = nullptr;
    HttpResult* result = nullptr;
    CURL* easy = nullptr;
    std::chrono::steady_clock::time_point last_byte;
    bool aborted = false;
    bool too_large = false;
};

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

std::string trim(std::string_view text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string_view line(data, size * count);
    t->last_byte = std::chrono::steady_clock::now();
    if (startsWithNoCase(line, "HTTP/")) {
        // A new response (after a 100 Continue, say): forget the previous one's headers.
        t->result->retry_after.clear();
        t->result->content_type.clear();
    } else if (startsWithNoCase(line, "retry-after:")) {
        t->result->retry_after = trim(line.substr(12));
    } else if (startsWithNoCase(line, "content-type:")) {
        t->result->content_type = trim(line.substr(13));
    }
    return size * count;
}

size_t onWrite(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string_view chunk(data, size * count);
    t->last_byte = std::chrono::steady_clock::now();
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (t->request->on_data && status >= 200 && status < 300) {
        if (!t->request->on_data(chunk)) {
            t->aborted = true;
            return 0;
        }
        return chunk.size();
    }
    if (t->result->body.size() + chunk.size() > kMaxBufferedBody) {
        t->too_large = true;
        return 0;
    }
    t->result->body.append(chunk);
    return chunk.size();
}

HttpResult::Outcome classify(CURLcode code) {
    switch (code) {
        case CURLE_OK:
            return HttpResult::Outcome::kOk;
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
            return HttpResult::Outcome::kConnectFailed;
        case CURLE_OPERATION_TIMEDOUT:
            return HttpResult::Outcome::kTimeout;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return HttpResult::Outcome::kTlsError;
        default:
            return HttpResult::Outcome::kNetworkError;
    }
}

using SList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

}  // namespace

struct HttpTransport::Impl {
    TlsSettings tls;
    std::chrono::milliseconds connect_timeout;
    std::size_t max_idle;
    std::string user_agent;
    std::mutex mutex;
    std::vector<std::unique_ptr<Handle>> idle;

    std::unique_ptr<Handle> acquire() {
        {
            std::lock_guard lock(mutex);
            if (!idle.empty()) {
                auto h = std::move(idle.back());
                idle.pop_back();
                return h;
            }
        }
        auto h = std::make_unique<Handle>();
        h->easy = curl_easy_init();
        h->multi = curl_multi_init();
        if (h->easy == nullptr || h->multi == nullptr) {
            throw std::bad_alloc();
        }
        return h;
    }

    void release(std::unique_ptr<Handle> h) {
        std::lock_guard lock(mutex);
        if (idle.size() < max_idle) {
            idle.push_back(std::move(h));
        }
    }

    void configure(CURL* easy, const HttpRequest& req, Transfer& t, curl_slist* headers,
                   char* errbuf) const {
        // Reset keeps live connections and the TLS session cache; it only clears options.
        curl_easy_reset(easy);
        curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(connect_timeout.count()));
        if (req.timeout.count() > 0) {
            curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
        }
        if (req.method == "GET") {
            curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        } else {
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
            if (!req.body.empty() || req.method == "POST") {
                curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.c_str());
                curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                                 static_cast<curl_off_t>(req.body.size()));
            }
        }
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &onHeader);
        curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &onWrite);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
        if (tls.insecure_skip_tls_verify) {
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        } else if (!tls.ca_pem.empty()) {
            curl_blob ca{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
            curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
        }
        if (!req.client_cert_pem.empty() && !req.client_key_pem.empty()) {
            curl_blob cert{const_cast<char*>(req.client_cert_pem.data()),
                           req.client_cert_pem.size(), CURL_BLOB_COPY};
            curl_blob key{const_cast<char*>(req.client_key_pem.data()), req.client_key_pem.size(),
                          CURL_BLOB_COPY};
            curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
            curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert);
            curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
            curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key);
        }
    }
};

HttpTransport::HttpTransport(TlsSettings tls, std::chrono::milliseconds connect_timeout,
                             std::size_t max_idle_handles, std::string user_agent)
    : impl_(std::make_unique<Impl>()) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    impl_->tls = std::move(tls);
    impl_->connect_timeout = connect_timeout;
    impl_->max_idle = std::max<std::size_t>(1, max_idle_handles);
    impl_->user_agent = std::move(user_agent);
}

HttpTransport::~HttpTransport() = default;

HttpResult HttpTransport::perform(const HttpRequest& request) {
    HttpResult result;
    if (request.cancel != nullptr && request.cancel->cancelled()) {
        result.outcome = HttpResult::Outcome::kCancelled;
        return result;
    }
    auto handle = impl_->acquire();
    Transfer t;
    t.request = &request;
    t.result = &result;
    t.easy = handle->easy;
    t.last_byte = std::chrono::steady_clock::now();

    SList headers(nullptr, &curl_slist_free_all);
    for (const auto& h : request.headers) {
        headers.reset(curl_slist_append(headers.release(), h.c_str()));
    }
    // No "Expect: 100-continue" round trip for bodies over 1 KiB.
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    char errbuf[CURL_ERROR_SIZE] = {0};
    impl_->configure(handle->easy, request, t, headers.get(), errbuf);

    CURLM* multi = handle->multi;
    curl_multi_add_handle(multi, handle->easy);
    int wake_id = -1;
    if (request.cancel != nullptr) {
        wake_id = request.cancel->addWakeup([multi] { curl_multi_wakeup(multi); });
    }

    CURLcode code = CURLE_OK;
    bool finished = false;
    // Bounded: curl enforces the request timeout; watches end on idle timeout or cancellation.
    while (!finished) {
        int running = 0;
        curl_multi_perform(multi, &running);
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg == CURLMSG_DONE) {
                code = msg->data.result;
                finished = true;
            }
        }
        if (finished || running == 0) {
            finished = true;
            break;
        }
        if (request.cancel != nullptr && request.cancel->cancelled()) {
            result.outcome = HttpResult::Outcome::kCancelled;
            break;
        }
        int poll_ms = kMaxPollMs;
        if (request.idle_timeout.count() > 0) {
            auto idle_for = std::chrono::steady_clock::now() - t.last_byte;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(request.idle_timeout -
                                                                              idle_for);
            if (left.count() <= 0) {
                result.outcome = HttpResult::Outcome::kTimeout;
                result.error =
                    "no data for " + std::to_string(request.idle_timeout.count()) + " ms";
                break;
            }
            poll_ms = static_cast<int>(std::min<long long>(poll_ms, left.count() + 1));
        }
        curl_multi_poll(multi, nullptr, 0, poll_ms, nullptr);
    }
    if (wake_id >= 0) {
        request.cancel->removeWakeup(wake_id);
    }

    long request_size = 0;
    curl_easy_getinfo(handle->easy, CURLINFO_REQUEST_SIZE, &request_size);
    result.request_sent = request_size > 0;
    curl_easy_getinfo(handle->easy, CURLINFO_RESPONSE_CODE, &result.status);
    curl_multi_remove_handle(multi, handle->easy);

    if (finished) {
        result.outcome = classify(code);
        if (t.aborted) {
            result.outcome = HttpResult::Outcome::kAborted;
        } else if (t.too_large) {
            result.outcome = HttpResult::Outcome::kNetworkError;
            result.error = "response body too large";
        } else if (code != CURLE_OK) {
            result.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
        }
    }
    // A transfer abandoned mid-way leaves its connection in an unknown state; curl closes it
    // when the handle is removed, so the handle itself is still reusable.
    impl_->release(std::move(handle));
    return result;
}

}  // namespace tshost::kube
