// Attacks on the sign-in throttle through the real server (issue 11 items 3 and 9): parallel attempts past the
// limit, lockout from one address or from many, and the audit of throttled and over-long attempts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <functional>
#include <thread>
#include <vector>

#include "server_fixture.h"

namespace riskradar::server {
namespace signin_throttle_test {

class SignInThrottleTest : public ServerFixture {
 protected:
  static void SetUpTestSuite() {
    tune_options_ = [](ServerOptions& o) { o.workers = 16; };
    ServerFixture::SetUpTestSuite();
  }

  static int64_t Scalar(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
    const int64_t v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
  }

  // A sign-in POSTed from a chosen loopback source address (127.0.0.0/8 is all local on Linux), so one test
  // can act as several clients. Returns the HTTP status, or -1 when no answer came within 10 s.
  static int PostFrom(const std::string& source, const json& body) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<uint16_t>(port_));
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
      ::close(fd);
      return -1;
    }
    const std::string text = body.dump();
    const std::string request =
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nContent-Length: " +
        std::to_string(text.size()) + "\r\n\r\n" + text;
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      ::close(fd);
      return -1;
    }
    char buf[64] = {};
    const ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (n < 12 || std::string(buf, 9) != "HTTP/1.1 ") return -1;
    return std::atoi(buf + 9);
  }

  static json Body(const std::string& user, const std::string& password, const std::string& code = "000000") {
    return {{"user", user}, {"password", password}, {"totp", code}};
  }

  // Password checks done for `user`: every attempt that got past the throttle ends as exactly one of these.
  static int64_t PasswordChecks(const std::string& user) {
    return CountAudit("login", user, "failed") + CountAudit("login", user, "ok") +
           Scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'login' AND outcome = 'refused' AND user_name = '" +
                  user + "' AND details LIKE '%one-time code%'");
  }

  // Runs `n` sign-ins at once (all released together by a barrier); returns the statuses.
  std::vector<int> Parallel(int n, const std::function<json(int)>& body) {
    std::vector<int> status(n, 0);
    std::barrier start(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        const std::string text = body(i).dump();
        start.arrive_and_wait();
        auto r = Client().Post("/api/login", text, "application/json");
        status[i] = r ? r->status : -1;
      });
    }
    for (auto& t : threads) t.join();
    return status;
  }
};

// Item 3: the slot is reserved before the password work, so 40 attempts at once cost exactly 5 checks.
TEST_F(SignInThrottleTest, FortyParallelWrongPasswordsGetExactlyTheLimitsWorthOfChecks) {
  const std::string user = "wmp-practitioner";
  const auto status = Parallel(40, [&](int) { return Body(user, "not the password, but long enough"); });
  EXPECT_EQ(std::count(status.begin(), status.end(), 401), 5);
  EXPECT_EQ(std::count(status.begin(), status.end(), 429), 35);
  EXPECT_EQ(PasswordChecks(user), 5);
  // Every refusal by the throttle is audited too.
  EXPECT_EQ(CountAudit("login", user, "throttled"), 35);
  // Once the limit is reached the right password with a fresh code does not get in.
  now_ += 31;
  auto r = PostLogin(user, kPassword, *TotpCode(secrets_[user], now_));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_EQ(r->get_header_value("Retry-After"), "900");
  EXPECT_EQ(PasswordChecks(user), 5);
}

// Item 3: a batch mixing wrong and right passwords: the failed checks stop at the limit. A successful
// sign-in gives its own slot back (so a user's own sign-ins never lock them out), which lets exactly one more
// attempt be checked per success; nothing else gets past the limit.
TEST_F(SignInThrottleTest, AMixedBatchPastTheLimitGetsNoMoreChecksThanTheLimit) {
  const std::string user = "bcc-practitioner";
  now_ += 31;
  const std::string code = *TotpCode(secrets_[user], now_);
  const auto status = Parallel(
      40, [&](int i) { return i % 4 == 0 ? Body(user, kPassword, code) : Body(user, "wrong password, long enough"); });
  const int64_t ok = std::count(status.begin(), status.end(), 200);
  const int64_t throttled = std::count(status.begin(), status.end(), 429);
  EXPECT_LE(ok, 1);  // one code, single use
  EXPECT_EQ(CountAudit("login", user, "ok"), ok);
  EXPECT_LE(CountAudit("login", user, "failed"), 5);
  EXPECT_LE(40 - throttled, 5 + ok);  // answers that got past the throttle: the limit, plus one per success
  EXPECT_GE(throttled, 34);
  EXPECT_EQ(CountAudit("login", user, "throttled"), throttled);
}

// Item 9: five failures from one address block that address for the name, not the user at their own address.
TEST_F(SignInThrottleTest, OneAddressCannotLockAUserOutEverywhere) {
  const std::string user = "nhs-practitioner";
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(PostFrom("127.0.0.2", Body(user, "guess number " + std::to_string(i) + "!!")), 401);
  EXPECT_EQ(PostFrom("127.0.0.2", Body(user, "guess number six!!")), 429);
  now_ += 31;
  EXPECT_EQ(PostFrom("127.0.0.1", Body(user, kPassword, *TotpCode(secrets_[user], now_))), 200);
}

// Item 9: one address trying many names is stopped by the per-address limit (20), whatever the names.
TEST_F(SignInThrottleTest, OneAddressTryingManyNamesIsStoppedAtTheAddressLimit) {
  int unauthorised = 0, throttled = 0;
  for (int i = 0; i < 25; ++i) {
    const int st = PostFrom("127.0.0.3", Body("spray-" + std::to_string(i), "Summer2026!Summer2026!"));
    unauthorised += st == 401;
    throttled += st == 429;
  }
  EXPECT_EQ(unauthorised, 20);
  EXPECT_EQ(throttled, 5);
  // Another address is unaffected.
  EXPECT_EQ(PostFrom("127.0.0.4", Body("spray-24", "Summer2026!Summer2026!")), 401);
}

// Item 9: attempts from many addresses fill the account-wide limit (50): new addresses are then refused, but
// the user still signs in from the address they signed in from before.
TEST_F(SignInThrottleTest, ManyAddressesCannotLockTheUserOutOfTheirUsualAddress) {
  const std::string user = "wmp-manager";
  Login(user);  // from 127.0.0.1: now a trusted address for this user
  for (int a = 10; a < 20; ++a) {
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(PostFrom("127.0.0." + std::to_string(a), Body(user, "distributed guess " + std::to_string(i))), 401);
    }
  }
  EXPECT_EQ(PostFrom("127.0.0.30", Body(user, "distributed guess 99")), 429);
  now_ += 31;
  EXPECT_EQ(PostFrom("127.0.0.30", Body(user, kPassword, *TotpCode(secrets_[user], now_))), 429);
  now_ += 31;
  EXPECT_EQ(PostFrom("127.0.0.1", Body(user, kPassword, *TotpCode(secrets_[user], now_))), 200);
  // The lock is a sliding window: once it has passed, new addresses may try again.
  now_ += 15 * 60 + 1;
  EXPECT_EQ(PostFrom("127.0.0.30", Body(user, kPassword, *TotpCode(secrets_[user], now_))), 200);
}

// Item 9: an over-long user name is refused and audited with its length and a hash, never its content.
TEST_F(SignInThrottleTest, OverLongNamesAreAuditedWithoutTheirContent) {
  const std::string hostile = "EVILMARKER<script>" + std::string(300, 'x') + "\r\nforged: line";
  const int64_t before = Scalar("SELECT COUNT(*) FROM audit_event WHERE target = 'user:(over-long name)'");
  auto r = PostLogin(hostile, "whatever password here", "123456");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event WHERE target = 'user:(over-long name)' AND outcome = 'refused' "
                   "AND details LIKE '%\"name_length\":" +
                   std::to_string(hostile.size()) + "%'"),
            before + 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event WHERE (details || user_name || target) LIKE '%EVILMARKER%'"), 0);
}

}  // namespace signin_throttle_test
}  // namespace riskradar::server
