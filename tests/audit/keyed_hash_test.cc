// Tests of the keyed hashes of log leaves: RFC 4231 vectors, domain separation, keys.
#include "audit/keyed_hash.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/audit/audit_test_util.h"

using namespace tosguard;
using namespace tosguard::audit;
using namespace tosguard::audit::testing;

namespace {

std::vector<std::uint8_t> Key(std::size_t n, std::uint8_t fill = 0x5a) {
  return std::vector<std::uint8_t>(n, fill);
}

std::vector<std::uint8_t> TextBytes(std::string_view s) {
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

}  // namespace

TEST_CASE("HMAC-SHA256: RFC 4231 test cases 2 and 6") {
  // Test case 2: a key shorter than the block.
  CHECK(ToHex(HmacSha256(TextBytes("Jefe"), "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, which HMAC hashes first.
  CHECK(
      ToHex(HmacSha256(Key(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("keyed hash: HMAC of domain, a NUL byte and the value") {
  const auto key = Key(32);
  auto hasher = KeyedHasher::Create(key);
  REQUIRE(hasher.ok());
  const Digest h = hasher->Hash("account", "alice@example.com");
  using namespace std::string_literals;
  CHECK(h == HmacSha256(key, "account\0alice@example.com"s));
  auto once = KeyedHash(key, "account", "alice@example.com");
  REQUIRE(once.ok());
  CHECK(*once == h);
  // Not the bare HMAC of the value, nor its plain hash: without the key nothing links.
  CHECK(h != HmacSha256(key, "alice@example.com"));
  CHECK(h != Sha256::Of("alice@example.com"));
  // The same value from two independent implementations:
  //   printf 'account\0alice@example.com' | openssl dgst -sha256 -mac HMAC -macopt hexkey:5a5a...
  // and Python's hmac module (the example of docs/evidence.md).
  CHECK(ToHex(h) == "12a8b9c4c267c402eef88ab595f8d3d0a422d216a2ed65c3dc44067755338876");
  // An empty value is a value.
  CHECK(hasher->Hash("account", "") == HmacSha256(key, "account\0"s));
}

TEST_CASE("keyed hash: domains and keys separate") {
  const auto key = Key(32);
  auto hasher = KeyedHasher::Create(key);
  REQUIRE(hasher.ok());
  const Digest account = hasher->Hash("account", "alice");
  CHECK(hasher->Hash("prompt", "alice") != account);
  // The separator keeps the boundary between domain and value from moving.
  CHECK(hasher->Hash("accoun", "talice") != account);
  CHECK(hasher->Hash("account", "alice") == account);

  auto other = KeyedHasher::Create(Key(32, 0xa5));
  REQUIRE(other.ok());
  CHECK(other->Hash("account", "alice") != account);

  // A domain with a NUL byte would make "a\0b" + "c" and "a" + "b\0c" the same input.
  CHECK(KeyedHash(key, std::string_view("a\0b", 3), "c").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(KeyedHash(key, "", "c").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("keyed hash: keys shorter than 32 bytes are refused") {
  CHECK(KeyedHasher::Create(Key(31)).status().code() == StatusCode::kInvalidArgument);
  CHECK(KeyedHasher::Create(Key(31)).status().message() ==
        "a keyed-hash key needs at least 32 bytes, this one has 31");
  CHECK(KeyedHasher::Create({}).status().code() == StatusCode::kInvalidArgument);
  CHECK(KeyedHash(TextBytes("Jefe"), "account", "alice").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(KeyedHasher::Create(Key(32)).ok());
  CHECK(KeyedHasher::Create(Key(131)).ok());
}

TEST_CASE("keyed hash: one hasher serves several threads") {
  auto hasher = KeyedHasher::Create(Key(64));
  REQUIRE(hasher.ok());
  std::vector<Digest> expected;
  for (int i = 0; i < 200; ++i) expected.push_back(hasher->Hash("id", std::to_string(i)));
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (hasher->Hash("id", std::to_string(i)) != expected[static_cast<std::size_t>(i)]) {
          ++wrong[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == std::vector<int>(4, 0));
}
