// Content hashing and the per-process keyed point that picks a stand-in record (issue 11 item 6).
#include "riskradar/core/hash.h"

#include <gtest/gtest.h>

#include <set>

namespace riskradar {
namespace hash_test {

TEST(HashTest, HashHexIsBlake2b256) {
  // BLAKE2b-256 of the empty string and of "abc" (RFC 7693's algorithm, 32-byte digest).
  EXPECT_EQ(HashHex(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(HashHex("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

TEST(HashTest, TheKeyedPointIsStableInAProcessNonNegativeAndSpread) {
  std::set<int64_t> points;
  for (int64_t id = -50; id < 950; ++id) {
    const int64_t p = ProcessKeyedPoint(id);
    EXPECT_GE(p, 0) << id;
    EXPECT_EQ(ProcessKeyedPoint(id), p) << "the same point for the same id while the process runs";
    points.insert(p);
  }
  EXPECT_EQ(points.size(), 1000u) << "1,000 ids, 1,000 different 63-bit points";
  // Spread: about half the points in the lower half of the range (binomial, 1,000 draws: 500 +- 16 sd).
  int lower = 0;
  for (int64_t p : points) lower += p < (int64_t{1} << 62);
  EXPECT_GT(lower, 400);
  EXPECT_LT(lower, 600);
}

}  // namespace hash_test
}  // namespace riskradar

namespace riskradar {
namespace hash_test {

TEST(KeyedHashHex, StableUnderOneKeyAndDifferentUnderAnother) {
  const std::string key(32, 'k');
  EXPECT_EQ(KeyedHashHex(key, "person 12", 16), KeyedHashHex(key, "person 12", 16));
  EXPECT_EQ(KeyedHashHex(key, "person 12", 16).size(), 32u);
  EXPECT_NE(KeyedHashHex(key, "person 12", 16), KeyedHashHex(key, "person 13", 16));
  EXPECT_NE(KeyedHashHex(key, "person 12", 16), KeyedHashHex(std::string(32, 'j'), "person 12", 16));
  EXPECT_NE(KeyedHashHex(key, "person 12"), HashHex("person 12")) << "keyed, not the plain hash";
  // A key outside libsodium's 16..64 bytes is folded to 32 bytes first, not refused.
  EXPECT_EQ(KeyedHashHex("short", "x").size(), 64u);
  EXPECT_NE(KeyedHashHex("short", "x"), KeyedHashHex("shorter", "x"));
}

}  // namespace hash_test
}  // namespace riskradar
