// Tests of the RFC 9162 Merkle tree: published vectors, every proof of small trees, the
// cached tree against the recursive definition, and mutated proofs that must all fail.
#include "audit/merkle.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/audit/audit_test_util.h"

using namespace tosguard;
using namespace tosguard::audit;
using namespace tosguard::audit::testing;

namespace {

// The reference vectors of transparency-dev/merkle (github.com/transparency-dev/merkle),
// the Go library behind Trillian and Certificate Transparency logs, which took them from
// the C++ CT reference implementation: leaf inputs, node hashes and roots from
// testonly/constants.go; inclusion and consistency proofs from testonly/reference_test.go
// and proof/verify_test.go; the single-leaf vector from rfc6962/rfc6962_test.go.

std::vector<std::string> LeafInputs() {
  return {BytesText(""),
          BytesText("00"),
          BytesText("10"),
          BytesText("2021"),
          BytesText("3031"),
          BytesText("40414243"),
          BytesText("5051525354555657"),
          BytesText("606162636465666768696a6b6c6d6e6f")};
}

// NodeHashes(): level 0 (the leaves) to level 3 (the root of all eight).
const std::vector<std::vector<Digest>>& NodeHashes() {
  static const std::vector<std::vector<Digest>> kNodes = {
      Ds({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
          "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
          "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
          "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"}),
      Ds({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"}),
      Ds({"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}),
      Ds({"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"}),
  };
  return kNodes;
}

// RootHashes(), indexed by tree size 0..8.
const std::vector<Digest>& RootHashes() {
  static const std::vector<Digest> kRoots =
      Ds({"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"});
  return kRoots;
}

std::vector<Digest> ReferenceLeafHashes() {
  std::vector<Digest> out;
  for (const auto& in : LeafInputs()) out.push_back(LeafHash(in));
  return out;
}

struct InclusionVector {
  std::uint64_t index;
  std::uint64_t size;
  std::vector<Digest> proof;
};

// TestRefInclusionProof (0-based indices); verify_test.go's inclusionProofs are the same
// proofs with 1-based leaf numbers, plus (2, 3), which is here too.
const std::vector<InclusionVector>& InclusionVectors() {
  static const std::vector<InclusionVector> kVectors = {
      {0, 1, {}},
      {0, 2, Ds({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"})},
      {1, 2, Ds({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"})},
      {2, 3, Ds({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Ds({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {0, 8,
       Ds({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Ds({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  return kVectors;
}

struct ConsistencyVector {
  std::uint64_t m;
  std::uint64_t n;
  std::vector<Digest> proof;
};

// TestRefConsistencyProof and verify_test.go's consistencyProofs (which adds 6 -> 7).
const std::vector<ConsistencyVector>& ConsistencyVectors() {
  static const std::vector<ConsistencyVector> kVectors = {
      {1, 1, {}},
      {1, 8,
       Ds({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {2, 5,
       Ds({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 8,
       Ds({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {6, 7,
       Ds({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  return kVectors;
}

// 64 distinct leaves for the exhaustive tests.
std::vector<Digest> ManyLeaves(std::size_t n) {
  std::vector<Digest> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(LeafHash("record " + std::to_string(i)));
  return out;
}

std::span<const Digest> Prefix(const std::vector<Digest>& v, std::uint64_t n) {
  return std::span<const Digest>(v).first(static_cast<std::size_t>(n));
}

}  // namespace

TEST_CASE("hashes: RFC 6962 known answers") {
  CHECK(ToHex(EmptyRoot()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ToHex(LeafHash("")) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  CHECK(ToHex(LeafHash("L123456")) ==
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  // The leaf and node prefixes keep a leaf from passing for a node and vice versa.
  const Digest a = LeafHash("Hello");
  const Digest b = LeafHash("World");
  std::string both(a.begin(), a.end());
  both.append(b.begin(), b.end());
  CHECK(NodeHash(a, b) != LeafHash(both));
  CHECK(NodeHash(a, b) != NodeHash(b, a));
}

TEST_CASE("hashes: every node hash of the 8-leaf reference tree") {
  const auto& nodes = NodeHashes();
  const auto leaves = ReferenceLeafHashes();
  REQUIRE(leaves == nodes[0]);
  for (std::size_t level = 1; level < nodes.size(); ++level) {
    for (std::size_t i = 0; i < nodes[level].size(); ++i) {
      INFO("level " << level << " node " << i);
      CHECK(NodeHash(nodes[level - 1][2 * i], nodes[level - 1][2 * i + 1]) == nodes[level][i]);
    }
  }
}

TEST_CASE("roots: reference roots for sizes 0 to 8") {
  const auto leaves = ReferenceLeafHashes();
  MerkleTree tree;
  CHECK(tree.Root() == EmptyRoot());
  for (const auto& h : leaves) tree.Append(h);
  for (std::uint64_t n = 0; n <= 8; ++n) {
    INFO("size " << n);
    CHECK(ToHex(RootOf(Prefix(leaves, n))) == ToHex(RootHashes()[n]));
    auto at = tree.RootAt(n);
    REQUIRE(at.ok());
    CHECK(*at == RootHashes()[n]);
  }
  CHECK(tree.Root() == RootHashes()[8]);
  CHECK(tree.leaf(3) == leaves[3]);
  CHECK(tree.RootAt(9).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("inclusion: reference proofs are generated and verify") {
  const auto leaves = ReferenceLeafHashes();
  MerkleTree tree;
  for (const auto& h : leaves) tree.Append(h);
  for (const auto& v : InclusionVectors()) {
    INFO("leaf " << v.index << " of " << v.size);
    auto proof = InclusionProof(Prefix(leaves, v.size), v.index);
    REQUIRE(proof.ok());
    CHECK(*proof == v.proof);
    auto cached = tree.InclusionProof(v.index, v.size);
    REQUIRE(cached.ok());
    CHECK(*cached == v.proof);
    const Status s =
        VerifyInclusion(v.index, v.size, leaves[v.index], v.proof, RootHashes()[v.size]);
    CHECK(s.ok());
    CHECK(s.message() == "");
  }
}

TEST_CASE("consistency: reference proofs are generated and verify") {
  const auto leaves = ReferenceLeafHashes();
  MerkleTree tree;
  for (const auto& h : leaves) tree.Append(h);
  for (const auto& v : ConsistencyVectors()) {
    INFO("sizes " << v.m << " and " << v.n);
    auto proof = ConsistencyProof(Prefix(leaves, v.n), v.m);
    REQUIRE(proof.ok());
    CHECK(*proof == v.proof);
    auto cached = tree.ConsistencyProof(v.m, v.n);
    REQUIRE(cached.ok());
    CHECK(*cached == v.proof);
    const Status s = VerifyConsistency(v.m, v.n, RootHashes()[v.m], RootHashes()[v.n], v.proof);
    CHECK(s.ok());
  }
}

TEST_CASE("inclusion: reasons of failures and bad arguments") {
  const auto leaves = ReferenceLeafHashes();
  const auto& v = InclusionVectors()[6];  // leaf 5 of 8, 3 hashes
  std::vector<Digest> short_proof(v.proof.begin(), v.proof.end() - 1);
  Status s = VerifyInclusion(5, 8, leaves[5], short_proof, RootHashes()[8]);
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message() == "inclusion proof has 2 hashes, expected 3 for leaf 5 of a tree of 8");

  s = VerifyInclusion(5, 8, leaves[4], v.proof, RootHashes()[8]);
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message().rfind("root mismatch: the proof leads to ", 0) == 0);
  CHECK(s.message().find(", expected " + ToHex(RootHashes()[8])) != std::string::npos);

  s = VerifyInclusion(8, 8, leaves[5], v.proof, RootHashes()[8]);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() == "leaf index 8 is not below tree size 8");
  CHECK(VerifyInclusion(0, 0, leaves[0], {}, EmptyRoot()).code() == StatusCode::kInvalidArgument);

  // A single-leaf tree: the root is the leaf hash and the proof is empty.
  CHECK(VerifyInclusion(0, 1, leaves[0], {}, leaves[0]).ok());
  CHECK_FALSE(VerifyInclusion(0, 1, leaves[0], {}, EmptyRoot()).ok());
  CHECK_FALSE(VerifyInclusion(0, 1, EmptyRoot(), {}, leaves[0]).ok());

  CHECK(InclusionProof(leaves, 8).status().code() == StatusCode::kInvalidArgument);
  CHECK(InclusionProof({}, 0).status().code() == StatusCode::kInvalidArgument);
  MerkleTree tree;
  for (const auto& h : leaves) tree.Append(h);
  CHECK(tree.InclusionProof(3, 9).status().code() == StatusCode::kInvalidArgument);
  CHECK(tree.InclusionProof(3, 3).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("consistency: edge cases and reasons of failures") {
  const Digest r1 = LeafHash("don't care 1");
  const Digest r2 = LeafHash("don't care 2");
  const std::vector<Digest> none;
  const std::vector<Digest> one = {EmptyRoot()};
  // Equal sizes need equal roots and an empty proof.
  CHECK(VerifyConsistency(1, 1, r2, r2, none).ok());
  CHECK(VerifyConsistency(1, 1, r1, r2, none).message() == "roots differ for equal sizes 1");
  CHECK(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), none).ok());
  CHECK_FALSE(VerifyConsistency(0, 0, r1, r2, none).ok());
  CHECK(VerifyConsistency(1, 1, EmptyRoot(), EmptyRoot(), one).message() ==
        "consistency proof has 1 hashes, expected 0 for sizes 1 and 1");
  // Any tree extends the empty tree, whose root is fixed.
  CHECK(VerifyConsistency(0, 5, EmptyRoot(), r2, none).ok());
  CHECK(VerifyConsistency(0, 5, r1, r2, none).message() ==
        "first root is not the empty tree's root for size 0");
  CHECK_FALSE(VerifyConsistency(0, 1, EmptyRoot(), EmptyRoot(), one).ok());
  // Time travel to the past.
  CHECK(VerifyConsistency(2, 1, r1, r2, none).code() == StatusCode::kInvalidArgument);
  CHECK(VerifyConsistency(1, 0, r1, r2, none).code() == StatusCode::kInvalidArgument);
  // A growing tree needs a proof.
  CHECK(VerifyConsistency(1, 2, r1, r2, none).message() ==
        "consistency proof has 0 hashes, expected 1 for sizes 1 and 2");

  const auto& v = ConsistencyVectors()[3];  // 6 -> 8
  Status s = VerifyConsistency(6, 8, RootHashes()[6], RootHashes()[7], v.proof);
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message().rfind("second root mismatch: ", 0) == 0);
  s = VerifyConsistency(6, 8, RootHashes()[5], RootHashes()[8], v.proof);
  CHECK(s.message().rfind("first root mismatch: ", 0) == 0);

  const auto leaves = ReferenceLeafHashes();
  CHECK(ConsistencyProof(Prefix(leaves, 5), 6).status().code() == StatusCode::kInvalidArgument);
  auto empty = ConsistencyProof(Prefix(leaves, 5), 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  MerkleTree tree;
  for (const auto& h : leaves) tree.Append(h);
  CHECK(tree.ConsistencyProof(3, 9).status().code() == StatusCode::kInvalidArgument);
  CHECK(tree.ConsistencyProof(4, 3).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("reference check: every proof of every tree up to 64 leaves") {
  constexpr std::uint64_t kMax = 64;
  const auto leaves = ManyLeaves(kMax);
  MerkleTree tree;
  std::vector<Digest> roots = {EmptyRoot()};
  for (std::uint64_t n = 1; n <= kMax; ++n) {
    tree.Append(leaves[n - 1]);
    roots.push_back(RootOf(Prefix(leaves, n)));
    // The cached root of the whole tree, as it grows, is the recursive definition's.
    REQUIRE(tree.Root() == roots[n]);
  }
  std::size_t checked = 0;
  for (std::uint64_t n = 0; n <= kMax; ++n) {
    auto at = tree.RootAt(n);
    REQUIRE(at.ok());
    REQUIRE(*at == roots[n]);
    for (std::uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(Prefix(leaves, n), i);
      auto cached = tree.InclusionProof(i, n);
      REQUIRE(proof.ok());
      REQUIRE(cached.ok());
      REQUIRE(*proof == *cached);
      const Status s = VerifyInclusion(i, n, leaves[i], *proof, roots[n]);
      if (!s.ok()) FAIL("leaf " << i << " of " << n << ": " << s.ToString());
      ++checked;
    }
    for (std::uint64_t m = 0; m <= n; ++m) {
      auto proof = ConsistencyProof(Prefix(leaves, n), m);
      auto cached = tree.ConsistencyProof(m, n);
      REQUIRE(proof.ok());
      REQUIRE(cached.ok());
      REQUIRE(*proof == *cached);
      const Status s = VerifyConsistency(m, n, roots[m], roots[n], *proof);
      if (!s.ok()) FAIL("sizes " << m << " and " << n << ": " << s.ToString());
      ++checked;
    }
  }
  // 64·65/2 inclusion proofs and 65·66/2 consistency proofs.
  CHECK(checked == 2080 + 2145);
}

namespace {

// Variants of a proof that must not verify: one bit flipped in every byte of every hash
// (bit = byte position mod 8, so every bit position occurs), each hash dropped, a hash
// inserted at each position (a stranger, or a copy of a neighbour), adjacent hashes
// swapped.
std::vector<std::pair<std::string, std::vector<Digest>>> MutatedProofs(
    const std::vector<Digest>& proof, const std::vector<Digest>& strangers) {
  std::vector<std::pair<std::string, std::vector<Digest>>> out;
  for (std::size_t h = 0; h < proof.size(); ++h) {
    for (std::size_t byte = 0; byte < 32; ++byte) {
      auto p = proof;
      p[h][byte] ^= static_cast<std::uint8_t>(1u << (byte % 8));
      out.emplace_back("hash " + std::to_string(h) + " byte " + std::to_string(byte) + " flipped",
                       std::move(p));
    }
    auto dropped = proof;
    dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(h));
    out.emplace_back("hash " + std::to_string(h) + " dropped", std::move(dropped));
    if (h + 1 < proof.size()) {
      auto swapped = proof;
      std::swap(swapped[h], swapped[h + 1]);
      out.emplace_back("hashes " + std::to_string(h) + " and " + std::to_string(h + 1) + " swapped",
                       std::move(swapped));
    }
  }
  for (std::size_t at = 0; at <= proof.size(); ++at) {
    std::vector<Digest> extra = strangers;
    if (at > 0) extra.push_back(proof[at - 1]);
    if (at < proof.size()) extra.push_back(proof[at]);
    for (const Digest& x : extra) {
      auto p = proof;
      p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), x);
      out.emplace_back("hash inserted at " + std::to_string(at), std::move(p));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("mutation: no altered inclusion proof verifies") {
  constexpr std::uint64_t kMax = 40;
  const auto leaves = ManyLeaves(kMax);
  MerkleTree tree;
  for (const auto& h : leaves) tree.Append(h);
  std::vector<Digest> roots;
  for (std::uint64_t n = 0; n <= kMax; ++n) roots.push_back(*tree.RootAt(n));

  std::size_t tried = 0;
  std::vector<std::string> accepted;
  auto expect_failure = [&](const std::string& what, std::uint64_t index, std::uint64_t size,
                            const Digest& leaf, const std::vector<Digest>& proof,
                            const Digest& root) {
    ++tried;
    if (VerifyInclusion(index, size, leaf, proof, root).ok()) accepted.push_back(what);
  };

  for (std::uint64_t n = 1; n <= kMax; ++n) {
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::vector<Digest> proof = *tree.InclusionProof(i, n);
      const Digest& leaf = leaves[i];
      const std::string at = "leaf " + std::to_string(i) + " of " + std::to_string(n) + ": ";
      REQUIRE(VerifyInclusion(i, n, leaf, proof, roots[n]).ok());

      for (const auto& [what, p] : MutatedProofs(proof, {roots[n], leaf, EmptyRoot()})) {
        expect_failure(at + what, i, n, leaf, p, roots[n]);
      }
      // Wrong index: every other position, with this leaf or with that position's leaf.
      for (std::uint64_t j = 0; j < n + 2; ++j) {
        if (j == i) continue;
        expect_failure(at + "index " + std::to_string(j), j, n, leaf, proof, roots[n]);
        if (j < n) {
          expect_failure(at + "leaf and index " + std::to_string(j), j, n, leaves[j], proof,
                         roots[n]);
        }
      }
      // Wrong size: every other size with its true root, and transparency-dev's doubled
      // and halved sizes with this root (see the consistency test for why not every size
      // with this root).
      for (std::uint64_t m = i + 1; m <= kMax; ++m) {
        if (m == n) continue;
        expect_failure(at + "size " + std::to_string(m) + " with its root", i, m, leaf, proof,
                       roots[m]);
      }
      expect_failure(at + "size doubled", i, 2 * n, leaf, proof, roots[n]);
      expect_failure(at + "size halved", i, n / 2, leaf, proof, roots[n]);
      // Wrong leaf: every other leaf, a stranger, the root.
      for (std::uint64_t j = 0; j < kMax; ++j) {
        if (j != i)
          expect_failure(at + "leaf " + std::to_string(j), i, n, leaves[j], proof, roots[n]);
      }
      expect_failure(at + "stranger leaf", i, n, LeafHash("WrongLeaf"), proof, roots[n]);
      if (n > 1) expect_failure(at + "root as leaf", i, n, roots[n], proof, roots[n]);
      // Wrong root: every other size's root, the empty root, a bit flipped.
      for (std::uint64_t m = 0; m <= kMax; ++m) {
        if (m != n)
          expect_failure(at + "root of " + std::to_string(m), i, n, leaf, proof, roots[m]);
      }
      Digest flipped = roots[n];
      flipped[17] ^= 0x40;
      expect_failure(at + "root bit flipped", i, n, leaf, proof, flipped);
    }
  }
  INFO(accepted.size() << " of " << tried << " mutations accepted, first: "
                       << (accepted.empty() ? "" : accepted.front()));
  CHECK(accepted.empty());
  CHECK(tried > 100000);
}

TEST_CASE("mutation: no altered consistency proof verifies") {
  constexpr std::uint64_t kMax = 40;
  const auto leaves = ManyLeaves(kMax);
  MerkleTree tree;
  for (const auto& h : leaves) tree.Append(h);
  std::vector<Digest> roots;
  for (std::uint64_t n = 0; n <= kMax; ++n) roots.push_back(*tree.RootAt(n));

  std::size_t tried = 0;
  std::vector<std::string> accepted;
  auto expect_failure = [&](const std::string& what, std::uint64_t m, std::uint64_t n,
                            const Digest& root_m, const Digest& root_n,
                            const std::vector<Digest>& proof) {
    ++tried;
    if (VerifyConsistency(m, n, root_m, root_n, proof).ok()) accepted.push_back(what);
  };

  for (std::uint64_t n = 2; n <= kMax; ++n) {
    for (std::uint64_t m = 1; m < n; ++m) {
      const std::vector<Digest> proof = *tree.ConsistencyProof(m, n);
      const std::string at = "sizes " + std::to_string(m) + " and " + std::to_string(n) + ": ";
      REQUIRE(VerifyConsistency(m, n, roots[m], roots[n], proof).ok());

      for (const auto& [what, p] : MutatedProofs(proof, {roots[m], roots[n], EmptyRoot()})) {
        expect_failure(at + what, m, n, roots[m], roots[n], p);
      }
      expect_failure(at + "empty proof", m, n, roots[m], roots[n], {});
      // Wrong first size: with the same roots, and with that size's true root.
      for (std::uint64_t k = 0; k <= n + 1; ++k) {
        if (k == m) continue;
        expect_failure(at + "first size " + std::to_string(k), k, n, roots[m], roots[n], proof);
        if (k < n) {
          expect_failure(at + "first size " + std::to_string(k) + " with its root", k, n, roots[k],
                         roots[n], proof);
        }
      }
      // Wrong second size: every other size with its true root, and transparency-dev's
      // doubled and halved sizes with this root. (Another size with this same root is no
      // test: the algorithm sees only the shape of the path, and sizes 3 and 4 seen from
      // size 1 have the same shape; the checkpoint's signature binds size to root.)
      for (std::uint64_t k = 0; k <= kMax; ++k) {
        if (k == n) continue;
        expect_failure(at + "second size " + std::to_string(k) + " with its root", m, k, roots[m],
                       roots[k], proof);
      }
      expect_failure(at + "second size doubled", m, 2 * n, roots[m], roots[n], proof);
      expect_failure(at + "second size halved", m, n / 2, roots[m], roots[n], proof);
      // Wrong roots: swapped, other sizes' roots, the empty root, a flipped bit.
      expect_failure(at + "roots swapped", m, n, roots[n], roots[m], proof);
      for (std::uint64_t k = 0; k <= kMax; ++k) {
        if (k != m)
          expect_failure(at + "first root of " + std::to_string(k), m, n, roots[k], roots[n],
                         proof);
        if (k != n)
          expect_failure(at + "second root of " + std::to_string(k), m, n, roots[m], roots[k],
                         proof);
      }
      Digest flipped_m = roots[m];
      flipped_m[0] ^= 0x01;
      Digest flipped_n = roots[n];
      flipped_n[31] ^= 0x80;
      expect_failure(at + "first root bit flipped", m, n, flipped_m, roots[n], proof);
      expect_failure(at + "second root bit flipped", m, n, roots[m], flipped_n, proof);
    }
  }
  INFO(accepted.size() << " of " << tried << " mutations accepted, first: "
                       << (accepted.empty() ? "" : accepted.front()));
  CHECK(accepted.empty());
  CHECK(tried > 100000);
}

TEST_CASE("tree: appending keeps every earlier root and proof") {
  // Roots and proofs of a prefix do not change as the log grows: what a checkpoint
  // committed to stays provable.
  const auto leaves = ManyLeaves(300);
  MerkleTree tree;
  std::vector<Digest> roots = {tree.Root()};
  for (const auto& h : leaves) {
    tree.Append(h);
    roots.push_back(tree.Root());
  }
  CHECK(tree.size() == 300);
  for (std::uint64_t n : {1u, 2u, 3u, 100u, 127u, 128u, 129u, 255u, 256u, 257u, 300u}) {
    INFO("size " << n);
    CHECK(*tree.RootAt(n) == roots[n]);
    CHECK(RootOf(Prefix(leaves, n)) == roots[n]);
    for (std::uint64_t i : {std::uint64_t{0}, n / 3, n - 1}) {
      auto p = tree.InclusionProof(i, n);
      REQUIRE(p.ok());
      CHECK(VerifyInclusion(i, n, leaves[i], *p, roots[n]).ok());
    }
    auto c = tree.ConsistencyProof(n / 2, 300);
    REQUIRE(c.ok());
    CHECK(VerifyConsistency(n / 2, 300, roots[n / 2], roots[300], *c).ok());
  }
}
