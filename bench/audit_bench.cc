// `audit verify` throughput (issue 5 goal: 10 million events in <= 60 s).
//
// Usage: audit_bench [events=1000000] [dir=$TMPDIR] [runs=3]
//
// The store DIR/rr-audit-bench-<events>.db is built on first use with AppendAuditBatch (10,000 events per
// transaction, realistic read_child events) and kept, so later runs time only VerifyAudit. Each run opens the
// store afresh and verifies it: every leaf recomputed from the stored fields, the Merkle tree rebuilt and
// compared with every signed checkpoint and the signed head. Prints wall and CPU time of each run and the
// medians (the machine is shared: CPU time is the better measure of the code). Delete the file to rebuild.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "riskradar/store/store.h"

namespace {

namespace fs = std::filesystem;
using riskradar::store::AuditEvent;

// User + system CPU seconds of this process (all threads): on a shared machine wall time also measures the
// neighbours.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string LoadAverage() {
  double l[3] = {0, 0, 0};
  if (getloadavg(l, 3) != 3) return "?";
  return fmt::format("{:.2f} {:.2f} {:.2f}", l[0], l[1], l[2]);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const fs::path dir = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path();
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
  fs::create_directories(dir);
  const std::string db = (dir / ("rr-audit-bench-" + std::to_string(n) + ".db")).string();
  riskradar::store::StoreOptions options;
  if (!fs::exists(db)) {
    auto store = riskradar::store::OpenStore(db + ".building", options);
    if (!store.ok()) {
      std::cerr << store.status().ToString() << "\n";
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = CpuSeconds();
    const int64_t chunk = 10000;  // a kept checkpoint about every 10,000 events
    std::vector<AuditEvent> events;
    for (int64_t done = 0; done < n; done += chunk) {
      events.clear();
      for (int64_t i = done; i < std::min(n, done + chunk); ++i) {
        AuditEvent e;
        e.at_utc = fmt::format("2025-06-{:02}T{:02}:{:02}:{:02}.{:03}Z", 1 + i / 86400000 % 28, i / 3600000 % 24,
                               i / 60000 % 60, i / 1000 % 60, i % 1000);
        e.actor = {"bcc-cs-practitioner-" + std::to_string(i % 50), "bcc-cs", "practitioner", "safeguarding"};
        e.action = "read_child";
        e.target = "person:" + std::to_string(i % 20000);
        e.details = R"({"access_basis":["agreement_and_relationship","own_agency"],"events_shown":12})";
        events.push_back(std::move(e));
      }
      if (auto s = (*store)->AppendAuditBatch(events); !s.ok()) {
        std::cerr << s.ToString() << "\n";
        return 1;
      }
    }
    store->reset();
    for (const char* suffix : {"", ".audit-key", ".audit-key.pub"}) {
      fs::rename(db + ".building" + suffix, db + suffix);
    }
    std::cout << fmt::format("built {} audit events in {:.1f} s wall, {:.1f} s CPU: {}\n", n, Since(start),
                             CpuSeconds() - cpu_start, db);
  }
  std::vector<double> walls, cpus;
  for (int run = 1; run <= runs; ++run) {
    const std::string load = LoadAverage();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = CpuSeconds();
    auto store = riskradar::store::OpenStore(db, options);
    if (!store.ok()) {
      std::cerr << store.status().ToString() << "\n";
      return 1;
    }
    auto check = (*store)->VerifyAudit();
    const double secs = Since(start), cpu = CpuSeconds() - cpu_start;
    if (!check.ok() || !check->ok) {
      std::cerr << "verify failed: " << (check.ok() ? check->problem : check.status().ToString()) << "\n";
      return 1;
    }
    if (check->events != n) {
      std::cerr << "the store holds " << check->events << " events, not " << n << "\n";
      return 1;
    }
    walls.push_back(secs);
    cpus.push_back(cpu);
    std::cout << fmt::format(
        "run {}: audit verify of {} events, {} checkpoints: {:.2f} s wall, {:.2f} s CPU "
        "({:.0f} events per wall second); load {}\n",
        run, check->events, check->checkpoints_checked, secs, cpu, n / secs, load);
  }
  const double wall = Median(walls), cpu = Median(cpus);
  std::cout << fmt::format(
      "median of {}: {:.2f} s wall, {:.2f} s CPU for {} events; scaled to 10 million: "
      "{:.1f} s wall, {:.1f} s CPU (goal <= 60 s); load now {}\n",
      runs, wall, cpu, n, wall * 1e7 / static_cast<double>(n), cpu * 1e7 / static_cast<double>(n), LoadAverage());
  return 0;
}
