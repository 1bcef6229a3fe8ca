// The `tosguard` command: global options, logging, and the subcommands.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>

#include <spdlog/pattern_formatter.h>

#include "base/build_info.h"
#include "base/json_writer.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/evidence.h"

#ifdef TOSGUARD_JEMALLOC
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen);
#endif

namespace {

// Which allocator serves the process (the debug log names it).
std::string AllocatorName() {
#ifdef TOSGUARD_JEMALLOC
  const char* version = nullptr;
  std::size_t size = sizeof version;
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr) {
    return std::string("jemalloc ") + version;
  }
  return "jemalloc (version unknown)";
#else
  return "the C library's malloc";
#endif
}

// %j: the log message as a JSON string, escaped (messages can quote hostile input).
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string out;
    tosguard::AppendJsonString(out, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return spdlog::details::make_unique<JsonMessageFlag>();
  }
};

// %s: the message with control characters made visible, so no terminal escape in a
// logged file name or value reaches the terminal.
class SafeMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string out =
        tosguard::SafeExcerpt(std::string_view(msg.payload.data(), msg.payload.size()), 1 << 16);
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return spdlog::details::make_unique<SafeMessageFlag>();
  }
};

void SetUpLogging(const tosguard::cli::CliContext& ctx) {
  auto logger = spdlog::stderr_color_mt("tosguard");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (ctx.log_format == "json") {
    formatter->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","message":%j})");
  } else {
    formatter->add_flag<SafeMessageFlag>('s').set_pattern("%^%l%$: %s");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(ctx.log_level));
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  tosguard::cli::SetCommandLine(argc, argv);
  using namespace tosguard::cli;
#if defined(__GLIBC__) && !defined(TOSGUARD_JEMALLOC)
  // Ingest allocates and frees many multi-megabyte buffers (chunks, per-chunk tables).
  // glibc would map each with mmap and unmap it on free, so every reuse faults in fresh
  // zeroed pages; keeping them in the heap lets freed buffers be reused as they are.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  CliContext ctx;
  CLI::App app{"tosguard: terms-of-service compliance rules over AI usage logs, with evidence"};
  app.set_version_flag("--version",
                       std::string("tosguard ") + tosguard::kVersion + " (" +
                           tosguard::kGitRevision + ")");
  app.require_subcommand(1);
  app.add_option("--format", ctx.format, "Results on stdout: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  app.add_option("--log-format", ctx.log_format, "Log format on stderr: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", ctx.log_level, "Log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.footer(
      "Exit codes: 0 success, 1 findings/check errors/failing tests, 2 usage or configuration "
      "error, 3 input problems (unreadable input, quarantine over limit), 4 integrity failure, "
      "70 internal error. See docs/cli.md.");
  app.parse_complete_callback([&ctx] {
    SetUpLogging(ctx);
    spdlog::debug("allocator: {}", AllocatorName());
  });

  AddIngestCommand(app, ctx);
  AddCheckCommand(app, ctx);
  AddFmtCommand(app, ctx);
  AddScanCommand(app, ctx);
  AddExplainCommand(app, ctx);
  AddTestCommand(app, ctx);
  AddKeygenCommand(app, ctx);
  AddVerifyCommand(app, ctx);
  AddReportCommand(app, ctx);
  AddFindingsCommand(app, ctx);
  AddReviewCommand(app, ctx);
  AddBatchCommand(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tosguard: internal error: %s\n", e.what());
    return kExitInternal;
  }
  return ctx.exit_code;
}
