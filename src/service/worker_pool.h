#pragma once

// WorkerPool runs request handlers off the server's I/O threads. Handlers verify evidence (CPU);
// MAA attestations hand their commit to the store's committing thread and return, and the token
// is signed on a worker once it is committed (Attestor::Deps::defer); other routes may still
// wait for the database or a collateral source, hence a few more workers than cores. Many more
// workers only add context switches (measured in docs/benchmarks.md).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vouch::service {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();  // finishes queued work, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::function<void()> task);
  // Tasks waiting for a worker (for load shedding).
  std::size_t pending();
  // Returns once no task is queued or running (tasks posted meanwhile included).
  void wait_idle();

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::size_t running_ = 0;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vouch::service
