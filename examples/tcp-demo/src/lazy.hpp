// Lazy<T>: a minimal C++20 coroutine task.
//
// - Lazy: the body does not run until the task is co_awaited or started.
// - co_await resumes the awaiting coroutine by symmetric transfer, so chains of
//   awaits do not grow the native stack.
// - start() detaches the task: the frame frees itself when it finishes, which
//   is how per-connection handlers are launched without an owner.
#pragma once

#include <coroutine>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>

template <typename T = void>
class Lazy;

namespace lazy_detail {

struct PromiseBase {
    std::coroutine_handle<> continuation;
    std::exception_ptr exception;
    bool detached = false;

    struct FinalAwaiter {
        bool await_ready() const noexcept { return false; }

        template <typename Promise>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
            PromiseBase& promise = self.promise();
            if (promise.detached) {
                // Nobody will ever look at the result of a detached task, so an
                // escaped exception is reported here instead of vanishing.
                if (promise.exception) {
                    reportDetachedException(promise.exception);
                }
                self.destroy();
                return std::noop_coroutine();
            }
            return promise.continuation ? promise.continuation : std::noop_coroutine();
        }

        void await_resume() const noexcept {}
    };

    std::suspend_always initial_suspend() const noexcept { return {}; }
    FinalAwaiter final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }

    void rethrowIfFailed() const {
        if (exception) {
            std::rethrow_exception(exception);
        }
    }

    static void reportDetachedException(const std::exception_ptr& error) noexcept {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "tcp_demo: detached task failed: %s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "tcp_demo: detached task failed: unknown exception\n");
        }
    }
};

template <typename T>
struct Promise : PromiseBase {
    std::optional<T> value;

    Lazy<T> get_return_object() noexcept;

    template <typename U>
    void return_value(U&& result) {
        value.emplace(std::forward<U>(result));
    }

    T result() {
        rethrowIfFailed();
        return std::move(*value);
    }
};

template <>
struct Promise<void> : PromiseBase {
    Lazy<void> get_return_object() noexcept;
    void return_void() const noexcept {}
    void result() const { rethrowIfFailed(); }
};

}  // namespace lazy_detail

template <typename T>
class [[nodiscard]] Lazy {
public:
    using promise_type = lazy_detail::Promise<T>;
    using Handle = std::coroutine_handle<promise_type>;

    explicit Lazy(Handle handle) noexcept : handle_(handle) {}
    Lazy(Lazy&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Lazy& operator=(Lazy&& other) noexcept {
        if (this != &other) {
            reset();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    Lazy(const Lazy&) = delete;
    Lazy& operator=(const Lazy&) = delete;
    ~Lazy() { reset(); }

    // Awaiting a Lazy runs it to completion and yields its result (or
    // rethrows its exception) in the awaiting coroutine.
    auto operator co_await() && noexcept {
        struct Awaiter {
            Handle handle;
            bool await_ready() const noexcept { return !handle || handle.done(); }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
                handle.promise().continuation = awaiting;
                return handle;
            }
            T await_resume() { return handle.promise().result(); }
        };
        return Awaiter{handle_};
    }

    // Fire-and-forget: runs on the calling thread until the first suspension;
    // the frame destroys itself at completion.
    void start() && {
        Handle handle = std::exchange(handle_, {});
        handle.promise().detached = true;
        handle.resume();
    }

private:
    void reset() noexcept {
        if (handle_) {
            std::exchange(handle_, {}).destroy();
        }
    }

    Handle handle_;
};

namespace lazy_detail {

template <typename T>
Lazy<T> Promise<T>::get_return_object() noexcept {
    return Lazy<T>{Lazy<T>::Handle::from_promise(*this)};
}

inline Lazy<void> Promise<void>::get_return_object() noexcept {
    return Lazy<void>{Lazy<void>::Handle::from_promise(*this)};
}

}  // namespace lazy_detail
