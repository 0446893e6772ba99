// RFC 6962 Merkle tree hashing, inclusion and consistency proofs, over SHA-256.
// The audit log's leaves are hashed here so `audit verify` and proofs share one definition.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::merkle {

using Hash = std::array<unsigned char, 32>;

// SHA-256(0x00 || leaf): the leaf hash of RFC 6962 section 2.1.
Hash LeafHash(std::string_view leaf_bytes);
// SHA-256(0x01 || left || right): an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256 of the empty string: the hash of an empty tree.
Hash EmptyTreeHash();

std::string ToHex(const Hash& h);
Result<Hash> FromHex(std::string_view hex);

// MTH(D[n]) from the leaf hashes, per RFC 6962 section 2.1.
Hash TreeHash(std::span<const Hash> leaves);

// PATH(m, D[n]): the audit path of leaf `index` (0-based) in the tree of `leaves`.
Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaves, uint64_t index);
// PROOF(m, D[n]): proves the tree of the first `old_size` leaves is a prefix of the tree of all `leaves`.
Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaves, uint64_t old_size);

// Verifiers (RFC 9162 sections 2.1.3.2 and 2.1.4.2); they need only the hashes, never the leaves.
bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size, std::span<const Hash> proof,
                     const Hash& root);
bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root, const Hash& new_root,
                       std::span<const Hash> proof);

// Builds MTH incrementally as leaves are appended in order, keeping only the
// roots of the complete subtrees (at most log2(n) hashes): the "compact range".
class TreeBuilder {
 public:
  void Append(const Hash& leaf_hash);
  // Appends a complete subtree of `subtree_size` leaves (a power of two) with root `root`, as if its leaves
  // were appended one by one. REQUIRES: size() is a multiple of subtree_size.
  void AppendSubtree(const Hash& root, uint64_t subtree_size);
  uint64_t size() const { return size_; }
  Hash Root() const;
  // The compact range as bytes (32 per subtree, left to right) and back, for persistence.
  std::string Serialize() const;
  static Result<TreeBuilder> Deserialize(uint64_t size, std::string_view bytes);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> stack_;  // roots of complete subtrees, largest (leftmost) first
};

}  // namespace riskradar::merkle
