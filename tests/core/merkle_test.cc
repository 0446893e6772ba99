// RFC 6962 Merkle tree: known answers from Certificate Transparency's test leaves, cross-checked against an
// independent, deliberately naive implementation (recursive, libsodium SHA-256) written here.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

#include "riskradar/core/merkle.h"

namespace riskradar::merkle {
namespace merkle_test {

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// The eight leaves used by Certificate Transparency's merkle tree tests.
const std::vector<std::string>& CtLeaves() {
  static const std::vector<std::string> leaves = {Unhex(""),
                                                  Unhex("00"),
                                                  Unhex("10"),
                                                  Unhex("2021"),
                                                  Unhex("3031"),
                                                  Unhex("40414243"),
                                                  Unhex("5051525354555657"),
                                                  Unhex("606162636465666768696a6b6c6d6e6f")};
  return leaves;
}

// Independent reference: the recursive definition of RFC 6962 section 2.1, straight from the text.
std::string Sha256(const std::string& bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}
std::string RefMth(const std::vector<std::string>& d, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return Sha256("");
  if (n == 1) return Sha256(std::string(1, '\0') + d[begin]);
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return Sha256(std::string(1, '\1') + RefMth(d, begin, begin + k) + RefMth(d, begin + k, end));
}
std::string Hex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::vector<Hash> LeafHashes(size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(LeafHash(CtLeaves()[i]));
  return out;
}

Hash H(const std::string& hex) { return *FromHex(hex); }

// Tree hashes of the first n CT leaves (n = 1..8), as published in CT's merkle_tree_test.
const char* kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

TEST(Merkle, EmptyTreeIsHashOfEmptyString) {
  EXPECT_EQ(ToHex(EmptyTreeHash()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(TreeHash({})), ToHex(EmptyTreeHash()));
}

TEST(Merkle, TreeHashesMatchCertificateTransparencyAndTheReference) {
  ASSERT_EQ(sodium_init() >= 0, true);
  for (size_t n = 1; n <= 8; ++n) {
    const auto leaves = LeafHashes(n);
    EXPECT_EQ(ToHex(TreeHash(leaves)), kRoots[n - 1]) << "n=" << n;
    EXPECT_EQ(Hex(RefMth(CtLeaves(), 0, n)), kRoots[n - 1]) << "reference disagrees with CT at n=" << n;
  }
}

TEST(Merkle, IncrementalBuilderMatchesReferenceForManySizes) {
  std::vector<std::string> data;
  TreeBuilder b;
  for (size_t n = 1; n <= 70; ++n) {
    data.push_back("leaf " + std::to_string(n));
    b.Append(LeafHash(data.back()));
    ASSERT_EQ(ToHex(b.Root()), Hex(RefMth(data, 0, n))) << n;
    auto copy = TreeBuilder::Deserialize(b.size(), b.Serialize());
    ASSERT_TRUE(copy.ok());
    ASSERT_EQ(copy->Root(), b.Root());
  }
  EXPECT_FALSE(TreeBuilder::Deserialize(3, std::string(32, 'x')).ok());
}

// What a parallel verifier relies on: complete subtrees appended whole give the same tree as their leaves
// one by one, and the compact range at any size inside a chunk is the compact range at the chunk's (aligned)
// start followed by the compact range of the chunk's leaves so far.
TEST(Merkle, SubtreesAppendedWholeAndSplicedCompactRangesMatchTheReference) {
  std::vector<std::string> data;
  for (size_t n = 1; n <= 100; ++n) data.push_back("leaf " + std::to_string(n));
  for (uint64_t chunk : {1u, 2u, 4u, 8u, 16u}) {
    TreeBuilder whole;
    for (size_t lo = 0; lo < data.size(); lo += chunk) {
      const size_t hi = std::min(data.size(), static_cast<size_t>(lo + chunk));
      TreeBuilder local;
      for (size_t i = lo; i < hi; ++i) {
        local.Append(LeafHash(data[i]));
        if (local.size() == chunk) break;  // a complete chunk is appended whole below
        // The tree of the first i+1 leaves, from the boundary's range and the chunk's own range.
        auto spliced = TreeBuilder::Deserialize(i + 1, whole.Serialize() + local.Serialize());
        ASSERT_TRUE(spliced.ok()) << "chunk " << chunk << " size " << i + 1;
        ASSERT_EQ(ToHex(spliced->Root()), Hex(RefMth(data, 0, i + 1))) << "chunk " << chunk << " size " << i + 1;
      }
      if (hi - lo == chunk) {
        whole.AppendSubtree(local.Root(), chunk);
      } else {
        whole = *TreeBuilder::Deserialize(hi, whole.Serialize() + local.Serialize());
      }
      ASSERT_EQ(whole.size(), hi);
      ASSERT_EQ(ToHex(whole.Root()), Hex(RefMth(data, 0, hi))) << "chunk " << chunk << " size " << hi;
    }
  }
}

// Audit paths from CT's test (CT numbers leaves from 1; here they are 0-based).
TEST(Merkle, InclusionProofsMatchKnownAnswers) {
  struct Case {
    uint64_t index, size;
    std::vector<std::string> path;
  };
  const std::vector<Case> cases = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const Case& c : cases) {
    const auto leaves = LeafHashes(c.size);
    auto proof = InclusionProof(leaves, c.index);
    ASSERT_TRUE(proof.ok());
    std::vector<std::string> got;
    for (const Hash& h : *proof) got.push_back(ToHex(h));
    EXPECT_EQ(got, c.path) << c.index << "/" << c.size;
    EXPECT_TRUE(VerifyInclusion(leaves[c.index], c.index, c.size, *proof, H(kRoots[c.size - 1])));
    // A wrong index, leaf or root fails.
    EXPECT_FALSE(VerifyInclusion(LeafHash("not a leaf"), c.index, c.size, *proof, H(kRoots[c.size - 1])));
    if (c.size > 1) {
      EXPECT_FALSE(VerifyInclusion(leaves[c.index], (c.index + 1) % c.size, c.size, *proof, H(kRoots[c.size - 1])));
    }
  }
  EXPECT_FALSE(InclusionProof(LeafHashes(3), 3).ok());
}

TEST(Merkle, ConsistencyProofsMatchKnownAnswers) {
  struct Case {
    uint64_t old_size, new_size;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const Case& c : cases) {
    const auto leaves = LeafHashes(c.new_size);
    auto proof = ConsistencyProof(leaves, c.old_size);
    ASSERT_TRUE(proof.ok());
    std::vector<std::string> got;
    for (const Hash& h : *proof) got.push_back(ToHex(h));
    EXPECT_EQ(got, c.proof) << c.old_size << "->" << c.new_size;
    EXPECT_TRUE(
        VerifyConsistency(c.old_size, c.new_size, H(kRoots[c.old_size - 1]), H(kRoots[c.new_size - 1]), *proof));
    if (c.old_size != c.new_size) {
      EXPECT_FALSE(
          VerifyConsistency(c.old_size, c.new_size, H(kRoots[c.new_size - 1]), H(kRoots[c.new_size - 1]), *proof));
    }
  }
}

// Every (old, new) pair and every leaf up to 20: generated proofs verify, tampered ones do not.
TEST(Merkle, AllSmallProofsRoundTrip) {
  std::vector<Hash> leaves;
  for (int i = 0; i < 20; ++i) leaves.push_back(LeafHash("event " + std::to_string(i)));
  for (uint64_t n = 1; n <= leaves.size(); ++n) {
    std::span<const Hash> tree(leaves.data(), n);
    const Hash root = TreeHash(tree);
    for (uint64_t i = 0; i < n; ++i) {
      auto p = InclusionProof(tree, i);
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(VerifyInclusion(tree[i], i, n, *p, root));
      if (!p->empty()) {
        auto bad = *p;
        bad[0][0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(tree[i], i, n, bad, root));
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto p = ConsistencyProof(tree, m);
      ASSERT_TRUE(p.ok());
      const Hash old_root = TreeHash(tree.subspan(0, m));
      EXPECT_TRUE(VerifyConsistency(m, n, old_root, root, *p)) << m << "->" << n;
      if (!p->empty()) {
        auto bad = *p;
        bad.back()[5] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, old_root, root, bad)) << m << "->" << n;
      }
    }
  }
}

}  // namespace merkle_test
}  // namespace riskradar::merkle
