// The group-commit audit writer (see AuditWriter in store.h): callers queue an event and sleep; one thread
// takes everything queued, appends it in one transaction with one signed head and one fsync
// (SqliteStore::CommitAuditGroup), and wakes each caller with its own outcome. While a commit is in flight
// the next callers queue up, so the batch grows with the load and the fsync is shared by all of them.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "riskradar/store/operations.h"
#include "sqlite_store.h"

namespace riskradar::store {
namespace {

// One transaction holds at most this many events: bounds its size and the retries after a failed batch.
constexpr size_t kMaxBatch = 1024;
// The WAL size (in 4 KiB frames) at which the checkpointer copies it back into the database: SQLite's own
// auto-checkpoint threshold, but run on another thread.
constexpr int kCheckpointFrames = 1000;

class SqliteAuditWriter final : public AuditWriter {
 public:
  SqliteAuditWriter(std::unique_ptr<SqliteStore> store, std::unique_ptr<SqliteStore> checkpointer)
      : store_(std::move(store)), checkpointer_(std::move(checkpointer)) {
    // The checkpoint (copying the WAL back, with an fsync of the database file) would otherwise run inside
    // a group commit now and then, and every request waiting on that commit would wait for it too.
    // (PostgreSQL checkpoints on its own: no hook, no thread.)
    if (store_->sqlite() != nullptr && checkpointer_ && checkpointer_->sqlite() != nullptr) {
      store_->sqlite()->SetWalCommitHook(&SqliteAuditWriter::OnCommit, this);
      checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~SqliteAuditWriter() override { Close(); }

  Result<int64_t> Append(const AuditEvent& event) override {
    Pending p(event);
    {
      std::lock_guard lock(mu_);
      if (closed_) return Status::FailedPrecondition("the audit log is closed");
      queue_.push_back(&p);
    }
    wake_.notify_one();
    // A plain mutex and condition variable: std::binary_semaphore spins on sched_yield first, which with
    // dozens of waiting request threads burns the CPU the commit needs.
    std::unique_lock lock(p.mu);
    p.cv.wait(lock, [&p] { return p.done; });
    return std::move(p.result);
  }

  size_t QueueDepth() {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

  void Close() override {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    wake_.notify_one();
    checkpoint_wake_.notify_one();
    std::call_once(joined_, [this] {
      thread_.join();
      if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
    });
  }

 private:
  struct Pending {
    explicit Pending(const AuditEvent& e) : event(&e) {}
    const AuditEvent* event;
    Result<int64_t> result = Status::Internal("audit event not committed");
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };

  void Run() {
    std::vector<Pending*> batch;
    std::vector<const AuditEvent*> events;
    while (true) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [this] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;  // closed, and everything queued before is committed
        const size_t n = std::min(queue_.size(), kMaxBatch);
        batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      }
      events.clear();
      for (Pending* p : batch) events.push_back(p->event);
      std::vector<Result<int64_t>> results = store_->CommitAuditGroup(events);
      for (size_t i = 0; i < batch.size(); ++i) {
        Pending& p = *batch[i];
        std::lock_guard lock(p.mu);  // held while notifying: the caller frees `p` as soon as it sees `done`
        p.result = i < results.size() ? std::move(results[i]) : Status::Internal("audit batch lost an event");
        p.done = true;
        p.cv.notify_one();
      }
    }
  }

  static void OnCommit(void* self, int frames) {
    if (frames < kCheckpointFrames) return;
    auto* w = static_cast<SqliteAuditWriter*>(self);
    {
      std::lock_guard lock(w->mu_);
      w->checkpoint_wanted_ = true;
    }
    w->checkpoint_wake_.notify_one();
  }

  void CheckpointLoop() {
    while (true) {
      {
        std::unique_lock lock(mu_);
        checkpoint_wake_.wait(lock, [this] { return checkpoint_wanted_ || closed_; });
        if (closed_) return;  // the last connection to close checkpoints the rest
        checkpoint_wanted_ = false;
      }
      // PASSIVE: never waits for readers or the writer; what it cannot copy now is copied next time.
      (void)checkpointer_->sqlite()->CheckpointPassive();
    }
  }

  std::unique_ptr<SqliteStore> store_;         // used by the writer thread only
  std::unique_ptr<SqliteStore> checkpointer_;  // used by the checkpoint thread only
  std::mutex mu_;
  std::condition_variable wake_, checkpoint_wake_;
  std::vector<Pending*> queue_;
  bool closed_ = false;
  bool checkpoint_wanted_ = false;
  std::once_flag joined_;
  std::thread thread_, checkpoint_thread_;
};

}  // namespace

Result<std::shared_ptr<AuditWriter>> OpenAuditWriter(std::string_view location, const StoreOptions& options) {
  StoreOptions own = options;
  own.audit_writer.reset();  // the writer's own connection appends directly
  RR_ASSIGN_OR_RETURN(auto store, OpenSqliteStore(location, own));
  std::unique_ptr<SqliteStore> checkpointer;
  if (store->sqlite() != nullptr) {
    RR_ASSIGN_OR_RETURN(checkpointer, OpenSqliteStore(location, own));
  }
  return std::shared_ptr<AuditWriter>(std::make_shared<SqliteAuditWriter>(std::move(store), std::move(checkpointer)));
}

size_t AuditQueueDepth(AuditWriter& writer) {
  auto* sqlite = dynamic_cast<SqliteAuditWriter*>(&writer);
  return sqlite ? sqlite->QueueDepth() : 0;
}

}  // namespace riskradar::store
