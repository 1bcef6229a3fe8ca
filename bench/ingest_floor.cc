// The simdjson parse floor: the least work any JSONL ingest must do, for comparison.
//
// Reads a plain JSONL file in 1 MiB blocks, splits it into lines and parses each line
// with simdjson's On-Demand API on one thread. Modes:
//   parse   iterate every field of every object and take each value's raw token
//           (structural validation of every line; no field is interpreted)
//   fields  additionally read the canonical event's required fields as typed values
//           (event_id, ts, account_id, model, status as strings)
//   rules   additionally read every event field the rules of rules/acme/ use, typed:
//           the strings above and api_key_id, endpoint, status, client_ip, country,
//           user_agent, device_id, text; output_tokens and max_tokens as integers; and
//           the nested params object (logprobs as a bool, top_logprobs and
//           logit_bias_size as integers). The scan benchmark's floor (scan_bench.sh).
// It prints lines, failures and a checksum so the work cannot be optimised away.
#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace od = simdjson::ondemand;

struct Totals {
  std::uint64_t lines = 0;
  std::uint64_t failures = 0;
  std::uint64_t checksum = 0;
};

enum class Mode { kParse, kFields, kRules };

bool IsRequired(std::string_view key) {
  return key == "event_id" || key == "ts" || key == "account_id" || key == "model" || key == "status";
}

bool IsRuleString(std::string_view key) {
  return IsRequired(key) || key == "api_key_id" || key == "endpoint" || key == "client_ip" ||
         key == "country" || key == "user_agent" || key == "device_id" || key == "text";
}

// Reads one typed value into the checksum; false on a type error.
bool ReadTyped(std::string_view key, od::value v, Totals& t) {
  if (IsRuleString(key)) {
    std::string_view s;
    if (v.get_string().get(s)) return false;
    t.checksum += s.size();
  } else if (key == "output_tokens" || key == "max_tokens" || key == "top_logprobs" ||
             key == "logit_bias_size") {
    std::int64_t i = 0;
    if (v.get_int64().get(i)) return false;
    t.checksum += static_cast<std::uint64_t>(i);
  } else if (key == "logprobs") {
    bool b = false;
    if (v.get_bool().get(b)) return false;
    t.checksum += b ? 1 : 0;
  } else if (key == "params") {
    od::object params;
    if (v.get_object().get(params)) return false;
    for (auto field : params) {
      std::string_view k;
      od::value pv;
      if (field.unescaped_key().get(k) || field.value().get(pv)) return false;
      if (k == "logprobs" || k == "top_logprobs" || k == "logit_bias_size") {
        if (!ReadTyped(k, pv, t)) return false;
      } else {
        t.checksum += pv.raw_json_token().size();
      }
    }
  } else {
    t.checksum += v.raw_json_token().size();
  }
  return true;
}

void ParseLine(od::parser& parser, const char* data, std::size_t len, std::size_t capacity,
               Mode mode, Totals& t) {
  ++t.lines;
  od::document doc;
  if (parser.iterate(data, len, capacity).get(doc)) {
    ++t.failures;
    return;
  }
  od::object obj;
  if (doc.get_object().get(obj)) {
    ++t.failures;
    return;
  }
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      ++t.failures;
      return;
    }
    od::value v;
    if (field.value().get(v)) {
      ++t.failures;
      return;
    }
    if (mode == Mode::kRules) {
      if (!ReadTyped(key, v, t)) {
        ++t.failures;
        return;
      }
    } else if (mode == Mode::kFields && IsRequired(key)) {
      std::string_view s;
      if (v.get_string().get(s)) {
        ++t.failures;
        return;
      }
      t.checksum += s.size();
    } else {
      t.checksum += v.raw_json_token().size();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view name = argc == 3 ? argv[1] : "";
  if (name != "parse" && name != "fields" && name != "rules") {
    std::fprintf(stderr, "usage: tosguard-ingest-floor parse|fields|rules FILE.jsonl\n");
    return 2;
  }
  const Mode mode = name == "parse" ? Mode::kParse : name == "fields" ? Mode::kFields : Mode::kRules;
  std::FILE* f = std::fopen(argv[2], "rb");
  if (f == nullptr) {
    std::perror(argv[2]);
    return 1;
  }
  od::parser parser;
  Totals t;
  constexpr std::size_t kBlock = 1 << 20;
  std::vector<char> buf(kBlock * 2 + simdjson::SIMDJSON_PADDING);
  std::size_t have = 0;
  for (;;) {
    const std::size_t n = std::fread(buf.data() + have, 1, kBlock, f);
    have += n;
    const bool eof = n == 0;
    std::size_t start = 0;
    for (;;) {
      const void* nl = std::memchr(buf.data() + start, '\n', have - start);
      if (nl == nullptr) break;
      const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
      ParseLine(parser, buf.data() + start, end - start, buf.size() - start, mode, t);
      start = end + 1;
    }
    if (eof) {
      if (start < have) ParseLine(parser, buf.data() + start, have - start, buf.size() - start, mode, t);
      break;
    }
    std::memmove(buf.data(), buf.data() + start, have - start);
    have -= start;
    if (have + kBlock + simdjson::SIMDJSON_PADDING > buf.size()) buf.resize(have * 2 + kBlock + simdjson::SIMDJSON_PADDING);
  }
  std::fclose(f);
  std::printf("lines %llu failures %llu checksum %llu\n", static_cast<unsigned long long>(t.lines),
              static_cast<unsigned long long>(t.failures), static_cast<unsigned long long>(t.checksum));
  return 0;
}
