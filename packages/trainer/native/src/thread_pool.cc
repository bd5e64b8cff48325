// A small persistent thread pool for splitting one batched product over a few cores. Workers sleep on a
// condition variable between calls; the calling thread works too. The pool is intentionally leaked, so
// process exit never waits on (or destroys) a sleeping worker.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "gemm.h"

namespace brevity {
namespace {

class Pool {
 public:
  void run(int n, int threads, void (*fn)(void *, int), void *ctx) {
    std::lock_guard<std::mutex> call_lock(call_mu_);  // one product at a time (several JS threads)
    const int helpers = std::min(threads, n) - 1;
    grow(helpers);
    {
      std::lock_guard<std::mutex> lk(mu_);
      fn_ = fn;
      ctx_ = ctx;
      n_ = n;
      next_.store(0);
      active_ = helpers;
      wanted_ = helpers;
      generation_++;
    }
    cv_.notify_all();
    drain();
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [this] { return active_ == 0; });
  }

 private:
  void grow(int count) {
    while (static_cast<int>(workers_.size()) < count) {
      const int id = static_cast<int>(workers_.size());
      workers_.emplace_back([this, id] { loop(id); });
      workers_.back().detach();
    }
  }

  void drain() {
    for (int i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) fn_(ctx_, i);
  }

  void loop(int id) {
    unsigned long seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return generation_ != seen; });
        seen = generation_;
        if (id >= wanted_) continue;  // this call uses fewer threads
      }
      drain();
      std::lock_guard<std::mutex> lk(mu_);
      if (--active_ == 0) done_cv_.notify_one();
    }
  }

  std::mutex call_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  void (*fn_)(void *, int) = nullptr;
  void *ctx_ = nullptr;
  int n_ = 0, active_ = 0, wanted_ = 0;
  unsigned long generation_ = 0;
  std::atomic<int> next_{0};
};

}  // namespace

void parallel_for(int n, int threads, void (*fn)(void *ctx, int i), void *ctx) {
  if (threads <= 1 || n <= 1) {
    for (int i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  static Pool *pool = new Pool();
  pool->run(n, threads, fn, ctx);
}

}  // namespace brevity
