#include "service/worker_pool.h"

namespace vouch::service {

WorkerPool::WorkerPool(std::size_t threads) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    t.join();
  }
}

void WorkerPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

std::size_t WorkerPool::pending() {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    // Tasks catch their own exceptions (service.cc answers 500); this is the last line, so a
    // stray throw costs one task and not the process.
    try {
      task();
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing left to tell
    }
    task = nullptr;  // what it holds goes before the pool counts it done
    bool idle = false;
    {
      std::lock_guard lock(mu_);
      --running_;
      idle = running_ == 0 && queue_.empty();
    }
    if (idle) {
      idle_cv_.notify_all();
    }
  }
}

}  // namespace vouch::service
