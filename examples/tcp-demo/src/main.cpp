// tcp_demo: a deliberately naive io_uring HTTP/1.1 "hello world" server used
// as the profiling target for Perf Lens. See README.md for what is naive on
// purpose and where.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "executor.hpp"
#include "server.hpp"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 2;  // io_uring unusable or port taken
constexpr std::size_t kMaxThreads = 256;

struct Options {
    ListenAddress address;
    std::size_t threads = 2;
};

void printUsage(std::FILE* out) {
    std::fprintf(out,
                 "usage: tcp_demo [--port N] [--threads N] [--bind ADDR]\n"
                 "\n"
                 "HTTP/1.1 keep-alive \"Hello, World!\" server on io_uring (Perf Lens demo target).\n"
                 "\n"
                 "  --port N      TCP port to listen on (default 8080; 0 = any free port)\n"
                 "  --threads N   worker threads, one io_uring each (default 2, max %zu)\n"
                 "  --bind ADDR   numeric IPv4/IPv6 address (default 127.0.0.1, loopback only)\n"
                 "  --help        show this help\n",
                 kMaxThreads);
}

template <typename T>
std::optional<T> parseNumber(std::string_view text, T min, T max) {
    T value{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size() || value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

// Returns an exit code to stop with, or nullopt to run.
std::optional<int> parseArgs(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            printUsage(stdout);
            return 0;
        }
        // Accept both "--flag value" and "--flag=value".
        std::string_view name = arg;
        std::optional<std::string_view> value;
        if (const std::size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        }
        if (name != "--port" && name != "--threads" && name != "--bind") {
            std::fprintf(stderr, "tcp_demo: unknown argument '%s'\n", argv[i]);
            printUsage(stderr);
            return kExitUsage;
        }
        if (!value) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "tcp_demo: %s needs a value\n", argv[i]);
                return kExitUsage;
            }
            value = argv[++i];
        }
        if (name == "--port") {
            const auto port = parseNumber<unsigned>(*value, 0, 65535);
            if (!port) {
                std::fprintf(stderr, "tcp_demo: invalid --port '%.*s'\n", int(value->size()), value->data());
                return kExitUsage;
            }
            options.address.port = static_cast<std::uint16_t>(*port);
        } else if (name == "--threads") {
            const auto threads = parseNumber<std::size_t>(*value, 1, kMaxThreads);
            if (!threads) {
                std::fprintf(stderr, "tcp_demo: invalid --threads '%.*s' (1..%zu)\n", int(value->size()),
                             value->data(), kMaxThreads);
                return kExitUsage;
            }
            options.threads = *threads;
        } else {
            options.address.host = std::string(*value);
        }
    }
    return std::nullopt;
}

// Each connection costs one fd; the common 1024 soft limit would make
// `wrk -c 1000` fail with EMFILE, so use whatever the hard limit allows.
void raiseFdLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (const auto exit_code = parseArgs(argc, argv, options)) {
        return *exit_code;
    }
    raiseFdLimit();

    // Block the shutdown signals before any worker exists (threads inherit
    // the mask) so only sigwait() below ever sees them.
    sigset_t shutdown_signals;
    sigemptyset(&shutdown_signals);
    sigaddset(&shutdown_signals, SIGINT);
    sigaddset(&shutdown_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    std::string error;
    const int listen_fd = openListener(options.address, error);
    if (listen_fd < 0) {
        std::fprintf(stderr, "tcp_demo: %s\n", error.c_str());
        return kExitUnavailable;
    }

    int exit_code = 0;
    try {
        IoUringExecutor executor(options.threads);
        executor.start();
        executor.scheduleOn(0, [&executor, listen_fd] { acceptLoop(&executor, listen_fd).start(); });

        std::printf("tcp_demo listening on %s with %zu threads (pid %d)\n", describeListener(listen_fd).c_str(),
                    options.threads, static_cast<int>(::getpid()));
        std::fflush(stdout);

        int signal_number = 0;
        sigwait(&shutdown_signals, &signal_number);
        std::fprintf(stderr, "tcp_demo: %s received, shutting down\n", strsignal(signal_number));
        executor.stop();
    } catch (const IoUringUnavailable& e) {
        std::fprintf(stderr, "tcp_demo: io_uring is unavailable: %s\n", e.what());
        if (e.error() == EPERM) {
            std::fprintf(stderr, "tcp_demo: hint: check /proc/sys/kernel/io_uring_disabled and seccomp "
                                 "(containers often block io_uring)\n");
        } else if (e.error() == ENOMEM) {
            std::fprintf(stderr, "tcp_demo: hint: raise the locked-memory limit (ulimit -l)\n");
        }
        exit_code = kExitUnavailable;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tcp_demo: fatal: %s\n", e.what());
        exit_code = 1;
    }
    ::close(listen_fd);
    return exit_code;
}
