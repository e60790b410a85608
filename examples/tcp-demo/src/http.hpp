// Just enough HTTP/1.1 for a keep-alive benchmark target: requests are framed
// by the end of their head (CRLF CRLF) plus an optional Content-Length body,
// and every request gets the same fixed "Hello, World!" response.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace http {

enum class Next {
    KeepReading,     // connection stays open
    CloseAfterSend,  // Connection: close, HTTP/1.0 without keep-alive, or a bad request
};

// Incremental request parser for one connection. Bytes may arrive split at any
// point, and several pipelined requests may arrive in one read; each complete
// request appends its response to `responses` in order.
class RequestParser {
public:
    Next consume(std::string_view data, std::string& responses);

private:
    // Returns false if the head is malformed or unsupported (response queued).
    bool handleHead(std::string_view head, std::string& responses);
    void finishRequest(std::string& responses);

    std::string partial_head_;  // head bytes carried over from earlier reads
    std::size_t body_remaining_ = 0;
    bool in_body_ = false;
    bool current_is_head_ = false;   // HEAD request: headers only
    bool current_closes_ = false;    // close after the current request
    bool closed_ = false;            // no further requests on this connection
};

}  // namespace http
