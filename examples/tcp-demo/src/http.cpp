#include "http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace http {
namespace {

constexpr std::string_view kTerminator = "\r\n\r\n";
// Larger heads are rejected rather than buffered without bound.
constexpr std::size_t kMaxHeadBytes = 8192;

constexpr std::string_view kBody = "Hello, World!\n";
static_assert(kBody.size() == 14, "keep the Content-Length headers below in sync");
constexpr std::string_view kKeepAliveHead =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 14\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";
constexpr std::string_view kCloseHead =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 14\r\n"
    "Connection: close\r\n"
    "\r\n";
constexpr std::string_view kBadRequest =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Length: 0\r\n"
    "Connection: close\r\n"
    "\r\n";
constexpr std::string_view kHeadTooLarge =
    "HTTP/1.1 431 Request Header Fields Too Large\r\n"
    "Content-Length: 0\r\n"
    "Connection: close\r\n"
    "\r\n";
constexpr std::string_view kNotImplemented =
    "HTTP/1.1 501 Not Implemented\r\n"
    "Content-Length: 0\r\n"
    "Connection: close\r\n"
    "\r\n";

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// True if the comma-separated header value lists `token` (e.g. "close").
bool hasToken(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        if (equalsIgnoreCase(trim(value.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        value.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

Next RequestParser::consume(std::string_view data, std::string& responses) {
    while (!data.empty() && !closed_) {
        if (in_body_) {
            // The body is not needed, only skipped so the next request is framed right.
            const std::size_t skip = std::min(body_remaining_, data.size());
            data.remove_prefix(skip);
            body_remaining_ -= skip;
            if (body_remaining_ == 0) {
                in_body_ = false;
                finishRequest(responses);
            }
            continue;
        }

        std::string_view head;
        if (partial_head_.empty()) {
            // Fast path: the whole head is inside this read.
            const std::size_t end = data.find(kTerminator);
            if (end == std::string_view::npos) {
                partial_head_.assign(data);
                break;
            }
            head = data.substr(0, end + kTerminator.size());
            data.remove_prefix(head.size());
        } else {
            // The terminator may straddle reads: resume the search 3 bytes back.
            const std::size_t carried = partial_head_.size();
            partial_head_.append(data);
            const std::size_t end = partial_head_.find(kTerminator, carried >= 3 ? carried - 3 : 0);
            if (end == std::string::npos) {
                break;
            }
            partial_head_.resize(end + kTerminator.size());
            data.remove_prefix(partial_head_.size() - carried);
            head = partial_head_;
        }

        if (head.size() > kMaxHeadBytes) {
            responses.append(kHeadTooLarge);
            closed_ = true;
        } else if (handleHead(head, responses) && !in_body_) {
            finishRequest(responses);
        }
        partial_head_.clear();
    }

    if (!closed_ && partial_head_.size() > kMaxHeadBytes) {
        responses.append(kHeadTooLarge);
        closed_ = true;
    }
    return closed_ ? Next::CloseAfterSend : Next::KeepReading;
}

bool RequestParser::handleHead(std::string_view head, std::string& responses) {
    // Request line: METHOD SP TARGET SP HTTP/1.x CRLF
    const std::size_t line_end = head.find("\r\n");
    const std::string_view request_line = head.substr(0, line_end);
    const std::size_t sp1 = request_line.find(' ');
    const std::size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == 0 || sp2 <= sp1 + 1) {
        responses.append(kBadRequest);
        closed_ = true;
        return false;
    }
    const std::string_view method = request_line.substr(0, sp1);
    const std::string_view version = request_line.substr(sp2 + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        responses.append(kBadRequest);
        closed_ = true;
        return false;
    }

    // HTTP/1.1 defaults to keep-alive, HTTP/1.0 to close.
    bool closes = version == "HTTP/1.0";
    std::size_t content_length = 0;
    std::string_view headers = head.substr(line_end + 2);
    while (!headers.empty()) {
        const std::size_t eol = headers.find("\r\n");
        const std::string_view line = headers.substr(0, eol);
        headers.remove_prefix(eol == std::string_view::npos ? headers.size() : eol + 2);
        if (line.empty()) {
            break;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            responses.append(kBadRequest);
            closed_ = true;
            return false;
        }
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (equalsIgnoreCase(name, "Content-Length")) {
            const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), content_length);
            if (ec != std::errc{} || ptr != value.data() + value.size()) {
                responses.append(kBadRequest);
                closed_ = true;
                return false;
            }
        } else if (equalsIgnoreCase(name, "Transfer-Encoding")) {
            // Chunked bodies cannot be framed by this parser; refuse them
            // rather than misread the rest of the stream.
            responses.append(kNotImplemented);
            closed_ = true;
            return false;
        } else if (equalsIgnoreCase(name, "Connection")) {
            if (hasToken(value, "close")) {
                closes = true;
            } else if (hasToken(value, "keep-alive")) {
                closes = false;
            }
        }
    }

    current_is_head_ = method == "HEAD";
    current_closes_ = closes;
    body_remaining_ = content_length;
    in_body_ = content_length > 0;
    return true;
}

void RequestParser::finishRequest(std::string& responses) {
    responses.append(current_closes_ ? kCloseHead : kKeepAliveHead);
    if (!current_is_head_) {
        responses.append(kBody);
    }
    if (current_closes_) {
        closed_ = true;
    }
}

}  // namespace http
