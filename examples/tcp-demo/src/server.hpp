// The demo server proper: listening socket, accept loop and the per-connection
// HTTP handler, all as coroutines on an IoUringExecutor.
#pragma once

#include <cstdint>
#include <string>

#include "executor.hpp"
#include "lazy.hpp"

struct ListenAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
};

// Binds and listens. On failure returns -errno and fills `error`.
int openListener(const ListenAddress& address, std::string& error);

// "127.0.0.1:8080" / "[::1]:8080" for the socket's actual local address.
std::string describeListener(int listen_fd);

Lazy<void> acceptLoop(IoUringExecutor* executor, int listen_fd);
Lazy<void> handleClient(IoUringExecutor* executor, int client_fd);
