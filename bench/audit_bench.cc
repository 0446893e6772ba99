// `audit verify` throughput: builds a store with N audit events (bulk append, one signature) and times
// VerifyAudit, which recomputes every leaf, the Merkle tree and checks the signed checkpoints.
// Usage: audit_bench [events=1000000] [dir=/tmp]. Prints events/s and the extrapolation to 10 million.
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "riskradar/store/store.h"

namespace {

namespace fs = std::filesystem;
using riskradar::store::AuditEvent;

// User + system CPU seconds of this process: on a shared machine the wall clock also measures the neighbours.
double CpuSeconds() {
  rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const fs::path dir = fs::path(argc > 2 ? argv[2] : fs::temp_directory_path().string()) /
                       ("rr-audit-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string db = (dir / "audit.db").string();
  riskradar::store::StoreOptions options;
  options.checkpoint_interval = 100000;
  {
    auto store = riskradar::store::OpenStore(db, options);
    if (!store.ok()) {
      std::cerr << store.status().ToString() << "\n";
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    const int64_t chunk = 100000;
    for (int64_t done = 0; done < n; done += chunk) {
      std::vector<AuditEvent> events;
      for (int64_t i = done; i < std::min(n, done + chunk); ++i) {
        AuditEvent e;
        e.at_utc = "2025-06-01T12:00:00.000Z";
        e.actor = {"bcc-practitioner-" + std::to_string(i % 50), "bcc", "practitioner", "safeguarding"};
        e.action = "read_child";
        e.target = "person:" + std::to_string(i % 20000);
        e.details = R"({"basis":["own_agency"],"events_shown":12})";
        events.push_back(std::move(e));
      }
      if (auto s = (*store)->AppendAuditBatch(events); !s.ok()) {
        std::cerr << s.ToString() << "\n";
        return 1;
      }
    }
    std::cout << fmt::format("built {} audit events in {:.1f} s\n", n, Since(start));
  }
  auto store = riskradar::store::OpenStore(db, options);
  if (!store.ok()) return 1;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  auto check = (*store)->VerifyAudit();
  const double secs = Since(start), cpu = CpuSeconds() - cpu_start;
  if (!check.ok() || !check->ok) {
    std::cerr << "verify failed: " << (check.ok() ? check->problem : check.status().ToString()) << "\n";
    return 1;
  }
  const double rate = static_cast<double>(check->events) / secs;
  std::cout << fmt::format("audit verify: {} events, {} checkpoints in {:.2f} s wall ({:.2f} s CPU) = {:.0f} events/s; "
                           "at this rate 10 million take {:.1f} s wall, {:.1f} s CPU (goal <= 60 s)\n",
                           check->events, check->checkpoints_checked, secs, cpu, rate, 1e7 / rate,
                           cpu * 1e7 / static_cast<double>(check->events));
  store->reset();
  fs::remove_all(dir);
  return 0;
}
