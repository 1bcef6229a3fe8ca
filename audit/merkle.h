// The transparency log's Merkle tree (RFC 9162 §2.1): hashes, roots, inclusion and
// consistency proofs, and their verification.
//
// Leaves are SHA-256(0x00 ‖ record), interior nodes SHA-256(0x01 ‖ left ‖ right); a tree of
// n leaves splits at the largest power of two smaller than n. The free functions below
// follow the RFC's recursive definitions over a span of leaf hashes and cost O(n) hashes a
// call; MerkleTree caches every complete subtree so that roots and proofs of any prefix
// cost O(log n) or O(log² n). Both produce the same bytes (the tests check it).
//
// Sizes and indices are std::uint64_t as in the RFC. Nothing here is thread-safe for
// concurrent mutation; const member functions may be called from several threads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/sha256.h"
#include "base/status.h"

namespace tosguard::audit {

using tosguard::Digest;

// SHA-256(0x00 ‖ record): the hash of one leaf (RFC 9162 §2.1.1).
Digest LeafHash(std::string_view record);

// SHA-256(0x01 ‖ left ‖ right): the hash of an interior node.
Digest NodeHash(const Digest& left, const Digest& right);

// SHA-256 of the empty string: the root of a tree without leaves.
Digest EmptyRoot();

// MTH(D[n]) of the leaves whose hashes are given, in order; EmptyRoot() for none.
// O(n) node hashes, recursion depth O(log n).
Digest RootOf(std::span<const Digest> leaf_hashes);

// PATH(index, D[n]) (RFC 9162 §2.1.3.1): the audit path proving that leaf `index` is in
// the tree of all `leaf_hashes`, nearest sibling first. InvalidArgument when `index` is
// not below the number of leaves. O(n) node hashes.
Result<std::vector<Digest>> InclusionProof(std::span<const Digest> leaf_hashes,
                                           std::uint64_t index);

// PROOF(m, D[n]) (RFC 9162 §2.1.4.1): proves that the tree of the first `m` leaves is a
// prefix of the tree of all n = leaf_hashes.size() leaves. Empty when m is 0 or n;
// InvalidArgument when m > n. O(n) node hashes.
Result<std::vector<Digest>> ConsistencyProof(std::span<const Digest> leaf_hashes, std::uint64_t m);

// Checks an inclusion proof with the algorithm of RFC 9162 §2.1.3.2. Ok when `leaf_hash`
// is leaf `index` of the tree of `tree_size` leaves whose root is `root`. Otherwise
// InvalidArgument (index not below tree_size) or Corruption with the precise reason:
// "inclusion proof has 2 hashes, expected 3 for leaf 5 of a tree of 8" or "root
// mismatch: ...". O(log n).
Status VerifyInclusion(std::uint64_t index, std::uint64_t tree_size, const Digest& leaf_hash,
                       std::span<const Digest> proof, const Digest& root);

// Checks a consistency proof with the algorithm of RFC 9162 §2.1.4.2. Ok when the tree of
// size m with root `root_m` is a prefix of the tree of size n with root `root_n`.
// The RFC's algorithm covers 0 < m < n; the edge cases are: m == 0 needs an empty proof
// and root_m == EmptyRoot(); m == n needs an empty proof and equal roots. m > n is
// InvalidArgument; every other failure is Corruption with the reason ("consistency proof
// has 3 hashes, expected 4 for sizes 6 and 8", "first root mismatch", ...). O(log n).
Status VerifyConsistency(std::uint64_t m, std::uint64_t n, const Digest& root_m,
                         const Digest& root_n, std::span<const Digest> proof);

// An append-only tree of leaf hashes that answers for any prefix size, as a store that
// has issued checkpoints for several sizes must.
//
// It keeps every complete subtree hash: level 0 holds the leaves, level k the hashes of
// the aligned runs of 2^k leaves, so memory is about 2n digests (64 MB for a million
// leaves). Append is amortised O(1) node hashes; RootAt is O(log n); an inclusion or
// consistency proof is O(log² n) in the worst case (each partial right edge is rebuilt
// from O(log n) cached subtrees), never a rehash of the leaves.
class MerkleTree {
 public:
  MerkleTree() = default;

  // Appends one leaf hash (a LeafHash of the record, computed by the caller).
  void Append(const Digest& leaf_hash);

  std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // The hash of leaf `index`; index must be below size().
  const Digest& leaf(std::uint64_t index) const { return levels_[0][index]; }

  // The root of the whole tree; EmptyRoot() when there are no leaves.
  Digest Root() const { return SubtreeRoot(0, size()); }
  // The root of the tree of the first `tree_size` leaves. InvalidArgument when
  // tree_size > size().
  Result<Digest> RootAt(std::uint64_t tree_size) const;

  // InclusionProof() for leaf `index` in the tree of the first `tree_size` leaves.
  // InvalidArgument unless index < tree_size <= size().
  Result<std::vector<Digest>> InclusionProof(std::uint64_t index, std::uint64_t tree_size) const;
  // ConsistencyProof() between the first `m` and the first `n` leaves.
  // InvalidArgument unless m <= n <= size().
  Result<std::vector<Digest>> ConsistencyProof(std::uint64_t m, std::uint64_t n) const;

 private:
  // MTH of leaves [begin, end) where begin is a multiple of the smallest power of two
  // not below end - begin (every subtree of the RFC's recursion is of that shape).
  Digest SubtreeRoot(std::uint64_t begin, std::uint64_t end) const;

  std::vector<std::vector<Digest>> levels_;
};

}  // namespace tosguard::audit
