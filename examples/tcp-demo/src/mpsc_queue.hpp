// Lock-free multi-producer / single-consumer queue (Dmitry Vyukov's
// node-based design). Producers are any thread calling
// IoUringExecutor::scheduleOn; the single consumer is the worker that owns the
// queue, so the consumer side needs no atomics beyond the acquire load.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <utility>

template <typename T>
class MpscQueue {
public:
    MpscQueue() : head_(new Node), tail_(head_.load(std::memory_order_relaxed)) {}

    MpscQueue(const MpscQueue&) = delete;
    MpscQueue& operator=(const MpscQueue&) = delete;

    ~MpscQueue() {
        // Only called after the consumer thread has been joined.
        while (tryDequeue()) {
        }
        delete tail_;
    }

    // Safe to call from any number of threads concurrently.
    void enqueue(T value) {
        Node* node = new Node{std::move(value)};
        size_.fetch_add(1, std::memory_order_relaxed);
        // The exchange is the linearisation point; between it and the store
        // below the consumer may briefly see the queue as empty. That is fine
        // because every producer wakes the consumer *after* linking its node.
        Node* prev = head_.exchange(node, std::memory_order_acq_rel);
        prev->next.store(node, std::memory_order_release);
    }

    // Consumer thread only.
    std::optional<T> tryDequeue() {
        Node* tail = tail_;
        Node* next = tail->next.load(std::memory_order_acquire);
        if (next == nullptr) {
            return std::nullopt;
        }
        // `next` becomes the new stub; its payload moves out to the caller.
        std::optional<T> value{std::move(next->value)};
        tail_ = next;
        delete tail;
        size_.fetch_sub(1, std::memory_order_relaxed);
        return value;
    }

    // A hint only: may lag behind concurrent enqueue/dequeue calls.
    [[nodiscard]] std::size_t size_approx() const noexcept {
        return size_.load(std::memory_order_relaxed);
    }

private:
    struct Node {
        T value{};
        std::atomic<Node*> next{nullptr};
    };

    // Producers and the consumer touch different ends; keep them on separate
    // cache lines so enqueue does not bounce the consumer's line.
    alignas(64) std::atomic<Node*> head_;
    alignas(64) Node* tail_;
    alignas(64) std::atomic<std::size_t> size_{0};
};
