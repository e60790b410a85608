#include "server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "http.hpp"
#include "io_ops.hpp"

namespace {

// Writes all of `data`, looping over short sends. False if the peer is gone
// or the executor is shutting down.
Lazy<bool> sendAll(int fd, std::string_view data) {
    while (!data.empty()) {
        const int sent = co_await io::v1::send(fd, data.data(), data.size());
        if (sent <= 0) {
            co_return false;
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
    co_return true;
}

}  // namespace

int openListener(const ListenAddress& address, std::string& error) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (inet_pton(AF_INET, address.host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(address.port);
        length = sizeof *v4;
    } else if (inet_pton(AF_INET6, address.host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(address.port);
        length = sizeof *v6;
    } else {
        error = "invalid --bind address '" + address.host + "' (expected a numeric IPv4/IPv6 address)";
        return -EINVAL;
    }

    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        const int err = errno;
        error = std::string("socket: ") + std::strerror(err);
        return -err;
    }
    // Lets a restarted demo rebind while old connections sit in TIME_WAIT; a
    // live listener on the port still makes bind() fail with EADDRINUSE.
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&storage), length) < 0 || ::listen(fd, SOMAXCONN) < 0) {
        const int err = errno;
        error = "cannot listen on " + address.host + ":" + std::to_string(address.port) + ": " +
                std::strerror(err);
        if (err == EADDRINUSE) {
            error += " (is another tcp_demo running? try --port)";
        }
        ::close(fd);
        return -err;
    }
    return fd;
}

std::string describeListener(int listen_fd) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&storage), &length) < 0) {
        return "?";
    }
    std::array<char, INET6_ADDRSTRLEN> host{};
    if (storage.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        inet_ntop(AF_INET6, &v6->sin6_addr, host.data(), host.size());
        return "[" + std::string(host.data()) + "]:" + std::to_string(ntohs(v6->sin6_port));
    }
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    inet_ntop(AF_INET, &v4->sin_addr, host.data(), host.size());
    return std::string(host.data()) + ":" + std::to_string(ntohs(v4->sin_port));
}

Lazy<void> acceptLoop(IoUringExecutor* executor, int listen_fd) {
    std::size_t next_context = 0;
    int last_error = 0;
    for (;;) {
        // Accepted sockets keep the kernel defaults: Nagle stays on (no
        // TCP_NODELAY) -- one of the demo's intentional omissions.
        const int client_fd = co_await io::v1::accept(listen_fd);
        if (client_fd < 0) {
            if (client_fd == -ECANCELED || executor->stopping()) {
                break;
            }
            // Transient (EMFILE, ECONNABORTED, ...): report each new kind once
            // and keep accepting.
            if (client_fd != last_error) {
                std::fprintf(stderr, "tcp_demo: accept: %s\n", std::strerror(-client_fd));
                last_error = client_fd;
            }
            continue;
        }
        last_error = 0;
        // Connections are spread round-robin over the workers.
        const std::size_t target = next_context++ % executor->contextCount();
        if (!executor->scheduleOn(target, [executor, client_fd] { handleClient(executor, client_fd).start(); })) {
            ::close(client_fd);
            break;
        }
    }
}

Lazy<void> handleClient(IoUringExecutor* executor, int client_fd) {
    // The worker the accept loop picked; requests are always read here.
    const IoUringExecutor::Context* self = IoUringExecutor::current();
    const std::size_t home = self != nullptr ? self->id() : 0;
    http::RequestParser parser;
    std::array<char, 8192> buffer;
    std::string responses;

    for (;;) {
        const int received = co_await io::v1::recv(client_fd, buffer.data(), buffer.size());
        if (received <= 0) {
            break;  // 0: orderly close by the peer; < 0: error or shutdown
        }
        responses.clear();
        const http::Next next =
            parser.consume(std::string_view(buffer.data(), static_cast<std::size_t>(received)), responses);
        if (responses.empty() && next == http::Next::KeepReading) {
            continue;  // partial request; wait for the rest
        }

        // Deliberately naive hand-off: responses are written by the *next*
        // worker and the connection then hops back home for its next read.
        // Every request therefore crosses threads twice, each time through
        // scheduleOn() -> wakeThread() -> write(eventfd).
        if (!co_await executor->resumeOn(executor->nextContext())) {
            break;  // executor is stopping
        }
        if (!co_await sendAll(client_fd, responses) || next == http::Next::CloseAfterSend) {
            break;
        }
        if (!co_await executor->resumeOn(home)) {
            break;
        }
    }
    ::close(client_fd);
}
