// RFC 9162 Merkle tree hashing, proof generation and proof verification.
#include "audit/merkle.h"

#include <bit>
#include <string>

namespace tosguard::audit {
namespace {

constexpr unsigned char kLeafPrefix = 0x00;
constexpr unsigned char kNodePrefix = 0x01;

// The largest power of two smaller than n (n >= 2): where the RFC splits a tree.
std::uint64_t SplitPoint(std::uint64_t n) { return std::bit_floor(n - 1); }

// The proof generators walk the RFC's recursion once; `root_of(begin, end)` supplies
// MTH(D[begin:end]), by full recomputation (free functions) or from cached subtrees
// (MerkleTree), so both produce the same proofs by construction of one algorithm.

// PATH(index, D[begin:end]), index relative to begin; nearest sibling first.
template <typename RootFn>
void Path(std::uint64_t index, std::uint64_t begin, std::uint64_t end, const RootFn& root_of,
          std::vector<Digest>& out) {
  const std::uint64_t n = end - begin;
  if (n == 1) return;
  const std::uint64_t k = SplitPoint(n);
  if (index < k) {
    Path(index, begin, begin + k, root_of, out);
    out.push_back(root_of(begin + k, end));
  } else {
    Path(index - k, begin + k, end, root_of, out);
    out.push_back(root_of(begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], have_root), 0 < m <= end - begin.
template <typename RootFn>
void SubProof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool have_root,
              const RootFn& root_of, std::vector<Digest>& out) {
  const std::uint64_t n = end - begin;
  if (m == n) {
    // The verifier knows this subtree's hash only when it is the old root itself.
    if (!have_root) out.push_back(root_of(begin, end));
    return;
  }
  const std::uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(m, begin, begin + k, have_root, root_of, out);
    out.push_back(root_of(begin + k, end));
  } else {
    SubProof(m - k, begin + k, end, false, root_of, out);
    out.push_back(root_of(begin, begin + k));
  }
}

template <typename RootFn>
Result<std::vector<Digest>> MakeInclusionProof(std::uint64_t index, std::uint64_t tree_size,
                                               const RootFn& root_of) {
  if (index >= tree_size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not below tree size " + std::to_string(tree_size));
  }
  std::vector<Digest> proof;
  Path(index, 0, tree_size, root_of, proof);
  return proof;
}

template <typename RootFn>
Result<std::vector<Digest>> MakeConsistencyProof(std::uint64_t m, std::uint64_t n,
                                                 const RootFn& root_of) {
  if (m > n) {
    return Status::InvalidArgument("first tree size " + std::to_string(m) +
                                   " is greater than second tree size " + std::to_string(n));
  }
  std::vector<Digest> proof;
  if (m > 0 && m < n) SubProof(m, 0, n, true, root_of, proof);
  return proof;
}

void ShiftBoth(std::uint64_t& fn, std::uint64_t& sn) {
  fn >>= 1;
  sn >>= 1;
}

// How many path entries the verification loop of §2.1.3.2 / §2.1.4.2 consumes, starting
// from fn and sn: the one proof length that can verify. The loop mirrors the RFC's.
std::uint64_t PathLength(std::uint64_t fn, std::uint64_t sn) {
  std::uint64_t count = 0;
  while (sn != 0) {
    if ((fn & 1) == 0 && fn == sn) {
      while ((fn & 1) == 0 && fn != 0) ShiftBoth(fn, sn);
    }
    ShiftBoth(fn, sn);
    ++count;
  }
  return count;
}

std::string Sizes(std::uint64_t m, std::uint64_t n) {
  return "sizes " + std::to_string(m) + " and " + std::to_string(n);
}

Status Mismatch(std::string_view what, const Digest& got, const Digest& want) {
  return Status::Corruption(std::string(what) + " mismatch: the proof leads to " + ToHex(got) +
                            ", expected " + ToHex(want));
}

}  // namespace

// One hashing context per thread, reused: a log of a million leaves hashes two million
// times, and a fresh context each time would be an allocation each time.
Digest LeafHash(std::string_view record) {
  thread_local Sha256 h;
  h.Update(&kLeafPrefix, 1);
  h.Update(record);
  return h.Finish();
}

Digest NodeHash(const Digest& left, const Digest& right) {
  thread_local Sha256 h;
  h.Update(&kNodePrefix, 1);
  h.Update(left.data(), left.size());
  h.Update(right.data(), right.size());
  return h.Finish();
}

Digest EmptyRoot() { return Sha256::Of(""); }

Digest RootOf(std::span<const Digest> leaf_hashes) {
  const std::uint64_t n = leaf_hashes.size();
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaf_hashes[0];
  const auto k = static_cast<std::size_t>(SplitPoint(n));
  return NodeHash(RootOf(leaf_hashes.first(k)), RootOf(leaf_hashes.subspan(k)));
}

Result<std::vector<Digest>> InclusionProof(std::span<const Digest> leaf_hashes,
                                           std::uint64_t index) {
  auto root_of = [leaf_hashes](std::uint64_t begin, std::uint64_t end) {
    return RootOf(leaf_hashes.subspan(static_cast<std::size_t>(begin),
                                      static_cast<std::size_t>(end - begin)));
  };
  return MakeInclusionProof(index, leaf_hashes.size(), root_of);
}

Result<std::vector<Digest>> ConsistencyProof(std::span<const Digest> leaf_hashes, std::uint64_t m) {
  auto root_of = [leaf_hashes](std::uint64_t begin, std::uint64_t end) {
    return RootOf(leaf_hashes.subspan(static_cast<std::size_t>(begin),
                                      static_cast<std::size_t>(end - begin)));
  };
  return MakeConsistencyProof(m, leaf_hashes.size(), root_of);
}

Status VerifyInclusion(std::uint64_t index, std::uint64_t tree_size, const Digest& leaf_hash,
                       std::span<const Digest> proof, const Digest& root) {
  // Step 1.
  if (index >= tree_size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not below tree size " + std::to_string(tree_size));
  }
  // The loop below fails a proof of the wrong length too; saying so up front names the
  // defect instead of a root mismatch.
  const std::uint64_t expected = PathLength(index, tree_size - 1);
  if (proof.size() != expected) {
    return Status::Corruption("inclusion proof has " + std::to_string(proof.size()) +
                              " hashes, expected " + std::to_string(expected) + " for leaf " +
                              std::to_string(index) + " of a tree of " + std::to_string(tree_size));
  }
  // Steps 2-4.
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) return Status::Internal("inclusion proof longer than its checked length");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) ShiftBoth(fn, sn);
      }
    } else {
      r = NodeHash(r, p);
    }
    ShiftBoth(fn, sn);
  }
  // Step 5.
  if (sn != 0) return Status::Internal("inclusion proof shorter than its checked length");
  if (r != root) return Mismatch("root", r, root);
  return Status::Ok();
}

Status VerifyConsistency(std::uint64_t m, std::uint64_t n, const Digest& root_m,
                         const Digest& root_n, std::span<const Digest> proof) {
  if (m > n) {
    return Status::InvalidArgument("first tree size " + std::to_string(m) +
                                   " is greater than second tree size " + std::to_string(n));
  }
  // Edge cases outside the RFC's 0 < m < n: nothing to prove, so nothing may be sent.
  if (m == 0 || m == n) {
    if (!proof.empty()) {
      return Status::Corruption("consistency proof has " + std::to_string(proof.size()) +
                                " hashes, expected 0 for " + Sizes(m, n));
    }
    if (m == 0 && root_m != EmptyRoot()) {
      return Status::Corruption("first root is not the empty tree's root for size 0");
    }
    if (m == n && root_m != root_n) {
      return Status::Corruption("roots differ for equal sizes " + std::to_string(n));
    }
    return Status::Ok();
  }

  // Steps 3-4 (done first to know the expected length).
  std::uint64_t fn = m - 1;
  std::uint64_t sn = n - 1;
  while ((fn & 1) != 0) ShiftBoth(fn, sn);
  const bool m_is_power_of_two = std::has_single_bit(m);
  const std::uint64_t expected = PathLength(fn, sn) + (m_is_power_of_two ? 0 : 1);
  // Step 1 is the expected >= 1 case of this check.
  if (proof.size() != expected) {
    return Status::Corruption("consistency proof has " + std::to_string(proof.size()) +
                              " hashes, expected " + std::to_string(expected) + " for " +
                              Sizes(m, n));
  }
  // Steps 2 and 5: the path starts with the old root when m is a power of two.
  std::span<const Digest> rest = proof;
  Digest fr = root_m;
  if (!m_is_power_of_two) {
    fr = rest.front();
    rest = rest.subspan(1);
  }
  Digest sr = fr;
  // Step 6.
  for (const Digest& c : rest) {
    if (sn == 0) return Status::Internal("consistency proof longer than its checked length");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) ShiftBoth(fn, sn);
      }
    } else {
      sr = NodeHash(sr, c);
    }
    ShiftBoth(fn, sn);
  }
  // Step 7.
  if (sn != 0) return Status::Internal("consistency proof shorter than its checked length");
  if (fr != root_m) return Mismatch("first root", fr, root_m);
  if (sr != root_n) return Mismatch("second root", sr, root_n);
  return Status::Ok();
}

void MerkleTree::Append(const Digest& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Every completed pair closes a subtree one level up, possibly a chain of them.
  std::size_t level = 0;
  std::uint64_t index = levels_[0].size() - 1;
  while ((index & 1) == 1) {
    const auto& row = levels_[level];
    const Digest parent = NodeHash(row[index - 1], row[index]);
    if (levels_.size() == level + 1) levels_.emplace_back();
    levels_[level + 1].push_back(parent);
    ++level;
    index >>= 1;
  }
}

Digest MerkleTree::SubtreeRoot(std::uint64_t begin, std::uint64_t end) const {
  const std::uint64_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if (std::has_single_bit(n)) {
    // An aligned run of 2^level leaves: cached.
    const int level = std::countr_zero(n);
    return levels_[static_cast<std::size_t>(level)][begin >> level];
  }
  const std::uint64_t k = SplitPoint(n);
  return NodeHash(SubtreeRoot(begin, begin + k), SubtreeRoot(begin + k, end));
}

Result<Digest> MerkleTree::RootAt(std::uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("tree size " + std::to_string(tree_size) +
                                   " is beyond the log's " + std::to_string(size()) + " leaves");
  }
  return SubtreeRoot(0, tree_size);
}

Result<std::vector<Digest>> MerkleTree::InclusionProof(std::uint64_t index,
                                                       std::uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("tree size " + std::to_string(tree_size) +
                                   " is beyond the log's " + std::to_string(size()) + " leaves");
  }
  auto root_of = [this](std::uint64_t begin, std::uint64_t end) { return SubtreeRoot(begin, end); };
  return MakeInclusionProof(index, tree_size, root_of);
}

Result<std::vector<Digest>> MerkleTree::ConsistencyProof(std::uint64_t m, std::uint64_t n) const {
  if (n > size()) {
    return Status::InvalidArgument("tree size " + std::to_string(n) + " is beyond the log's " +
                                   std::to_string(size()) + " leaves");
  }
  auto root_of = [this](std::uint64_t begin, std::uint64_t end) { return SubtreeRoot(begin, end); };
  return MakeConsistencyProof(m, n, root_of);
}

}  // namespace tosguard::audit
