// RFC 6962 Merkle tree: SHA-256 leaf/node hashing, tree hash, proofs and their verification.
// SHA-256 comes from OpenSSL's low-level interface: it uses the CPU's SHA extensions and has no per-call
// provider lookup, which is what makes `audit verify` of ten million events fast enough.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "riskradar/core/merkle.h"

#include <openssl/sha.h>

#include <bit>
#include <cstring>

namespace riskradar::merkle {
namespace {

uint64_t LargestPowerOfTwoBelow(uint64_t n) {  // REQUIRES: n > 1
  return std::bit_floor(n - 1);
}

void SubProof(std::span<const Hash> d, uint64_t m, bool complete, std::vector<Hash>& out) {
  const uint64_t n = d.size();
  if (m == n) {
    if (!complete) out.push_back(TreeHash(d));
    return;
  }
  const uint64_t k = LargestPowerOfTwoBelow(n);
  if (m <= k) {
    SubProof(d.subspan(0, k), m, complete, out);
    out.push_back(TreeHash(d.subspan(k)));
  } else {
    SubProof(d.subspan(k), m - k, false, out);
    out.push_back(TreeHash(d.subspan(0, k)));
  }
}

void Path(std::span<const Hash> d, uint64_t m, std::vector<Hash>& out) {
  const uint64_t n = d.size();
  if (n <= 1) return;
  const uint64_t k = LargestPowerOfTwoBelow(n);
  if (m < k) {
    Path(d.subspan(0, k), m, out);
    out.push_back(TreeHash(d.subspan(k)));
  } else {
    Path(d.subspan(k), m - k, out);
    out.push_back(TreeHash(d.subspan(0, k)));
  }
}

}  // namespace

Hash LeafHash(std::string_view leaf_bytes) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  const unsigned char prefix = 0x00;
  SHA256_Update(&ctx, &prefix, 1);
  SHA256_Update(&ctx, leaf_bytes.data(), leaf_bytes.size());
  Hash h;
  SHA256_Final(h.data(), &ctx);
  return h;
}

// Not the one-shot SHA256(): in OpenSSL 3 it goes through EVP and fetches the algorithm from the provider
// (locks, a name lookup) on every call, which cost more than hashing the 65 bytes.
Hash NodeHash(const Hash& left, const Hash& right) {
  unsigned char buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, buf, sizeof buf);
  Hash h;
  SHA256_Final(h.data(), &ctx);
  return h;
}

Hash EmptyTreeHash() {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  Hash h;
  SHA256_Final(h.data(), &ctx);
  return h;
}

std::string ToHex(const Hash& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (size_t i = 0; i < 32; ++i) {
    out[2 * i] = kDigits[h[i] >> 4];
    out[2 * i + 1] = kDigits[h[i] & 15];
  }
  return out;
}

Result<Hash> FromHex(std::string_view hex) {
  if (hex.size() != 64) return Status::InvalidArgument("a SHA-256 hash is 64 hex digits");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash h;
  for (size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not a hex digit in hash");
    h[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return h;
}

Hash TreeHash(std::span<const Hash> leaves) {
  TreeBuilder b;
  for (const Hash& h : leaves) b.Append(h);
  return b.Root();
}

Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaves, uint64_t index) {
  if (index >= leaves.size()) return Status::InvalidArgument("leaf index is outside the tree");
  std::vector<Hash> out;
  Path(leaves, index, out);
  return out;
}

Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaves, uint64_t old_size) {
  if (old_size == 0 || old_size > leaves.size()) {
    return Status::InvalidArgument("old tree size must be between 1 and the current size");
  }
  std::vector<Hash> out;
  SubProof(leaves, old_size, true, out);
  return out;
}

bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size, std::span<const Hash> proof,
                     const Hash& root) {
  if (index >= tree_size) return false;
  uint64_t fn = index, sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root, const Hash& new_root,
                       std::span<const Hash> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();  // the empty tree is a prefix of every tree
  if (proof.empty()) return false;
  std::vector<Hash> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

void TreeBuilder::Append(const Hash& leaf_hash) {
  Hash h = leaf_hash;
  ++size_;
  // Each trailing zero bit of the new size is a pair of equal complete subtrees to merge.
  for (uint64_t n = size_; (n & 1) == 0; n >>= 1) {
    h = NodeHash(stack_.back(), h);
    stack_.pop_back();
  }
  stack_.push_back(h);
}

void TreeBuilder::AppendSubtree(const Hash& root, uint64_t subtree_size) {
  // The stack holds one root per set bit of size_; all bits below the subtree's are zero, so it merges like
  // a leaf one level up.
  Hash h = root;
  size_ += subtree_size;
  for (uint64_t n = size_ / subtree_size; (n & 1) == 0; n >>= 1) {
    h = NodeHash(stack_.back(), h);
    stack_.pop_back();
  }
  stack_.push_back(h);
}

Hash TreeBuilder::Root() const {
  if (stack_.empty()) return EmptyTreeHash();
  Hash h = stack_.back();
  for (size_t i = stack_.size() - 1; i-- > 0;) h = NodeHash(stack_[i], h);
  return h;
}

std::string TreeBuilder::Serialize() const {
  std::string out;
  out.reserve(stack_.size() * 32);
  for (const Hash& h : stack_) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

Result<TreeBuilder> TreeBuilder::Deserialize(uint64_t size, std::string_view bytes) {
  if (bytes.size() != static_cast<size_t>(std::popcount(size)) * 32) {
    return Status::Corruption("audit tree state does not match its size");
  }
  TreeBuilder b;
  b.size_ = size;
  for (size_t i = 0; i < bytes.size(); i += 32) {
    Hash h;
    std::memcpy(h.data(), bytes.data() + i, 32);
    b.stack_.push_back(h);
  }
  return b;
}

}  // namespace riskradar::merkle
