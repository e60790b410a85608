// io::v1 -- awaitable socket operations for coroutines running on an
// IoUringExecutor worker.
//
//     int n = co_await io::v1::recv(fd, buf, len);
//
// Each operation is submitted to the calling worker's ring and the coroutine
// is resumed from that worker's loop when the completion arrives. The result
// is the CQE's res: >= 0 on success, -errno on failure, -ECANCELED if the
// executor is shutting down.
#pragma once

#include <cstddef>

#include "executor.hpp"

namespace io::v1 {

class recv : IoRequest {
public:
    recv(int fd, void* buffer, std::size_t length, int flags = 0) noexcept
        : fd_(fd), buffer_(buffer), length_(length), flags_(flags) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> waiter) noexcept;
    int await_resume() const noexcept { return result; }

private:
    int fd_;
    void* buffer_;
    std::size_t length_;
    int flags_;
};

class send : IoRequest {
public:
    send(int fd, const void* buffer, std::size_t length, int flags = 0) noexcept
        : fd_(fd), buffer_(buffer), length_(length), flags_(flags) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> waiter) noexcept;
    int await_resume() const noexcept { return result; }

private:
    int fd_;
    const void* buffer_;
    std::size_t length_;
    int flags_;
};

// Yields the accepted fd (close-on-exec) or -errno.
class accept : IoRequest {
public:
    explicit accept(int listen_fd) noexcept : listen_fd_(listen_fd) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> waiter) noexcept;
    int await_resume() const noexcept { return result; }

private:
    int listen_fd_;
};

}  // namespace io::v1
