// Loading a rule pack: files, imports, parse, check, compile.
#include "dsl/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dsl/compiler/compiler.h"
#include "dsl/parser/parser.h"

namespace tosguard::dsl {
namespace {

namespace fs = std::filesystem;

// `path` made absolute with `..` resolved, and with `links` its symbolic links too (for
// files read from the file system; a custom reader's files are resolved by name only).
fs::path Resolved(const fs::path& path, bool links) {
  std::error_code ec;
  const fs::path abs = fs::absolute(path.empty() ? fs::path(".") : path, ec);
  if (ec) return path.lexically_normal();
  if (!links) return abs.lexically_normal();
  const fs::path canonical = fs::weakly_canonical(abs, ec);
  return ec ? abs.lexically_normal() : canonical;
}

// Whether resolved path `p` is `dir` or lies below it.
bool Inside(const fs::path& p, const fs::path& dir) {
  auto d = dir.begin();
  auto q = p.begin();
  for (; d != dir.end(); ++d, ++q) {
    if (d->empty()) continue;  // a trailing separator
    if (q == p.end() || *d != *q) return false;
  }
  return true;
}

class Loader {
 public:
  // Imports stay inside the folders of the files in `roots` (those given to load).
  Loader(const ReadFileFn& read, Diagnostics* diags, RuleSet* out,
         const std::vector<std::string>& roots, bool links)
      : read_(read), diags_(diags), out_(out), links_(links) {
    for (const std::string& r : roots) folders_.push_back(Resolved(fs::path(r).parent_path(), links));
  }

  // Loads `path` (already resolved); `from` is the import that named it, if any.
  void Load(const std::string& path, std::optional<Loc> from) {
    std::string key = fs::path(path).lexically_normal().generic_string();
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] == key) {
        std::string chain;
        for (std::size_t j = i; j < stack_.size(); ++j) chain += stack_[j] + " -> ";
        chain += key;
        Report(from, path, "import cycle: " + chain);
        return;
      }
    }
    if (loaded_.count(key)) return;
    loaded_[key] = true;
    Result<std::string> text = read_(path);
    if (!text.ok()) {
      Report(from, path, "cannot read '" + path + "': " + text.status().message());
      return;
    }
    std::uint32_t index = out_->sources.Add(key, std::move(text).value());
    out_->files.push_back(ParseFile(out_->sources, index, diags_));
    // Copy: loading imports appends to files and may move this one.
    std::vector<Import> imports = out_->files.back().imports;
    stack_.push_back(key);
    for (const auto& imp : imports) {
      fs::path p(imp.path);
      if (imp.path.empty() || p.is_absolute()) {
        out_->sources.Error(diags_, imp.loc, "imports are relative to the importing file; '" +
                                                 imp.path + "' is not");
        continue;
      }
      fs::path resolved = (fs::path(key).parent_path() / p).lexically_normal();
      // An import must not read what the pack was not given: through `..` or a symbolic
      // link it could otherwise reach any file (and a parse error would quote its lines).
      const fs::path target = Resolved(resolved, links_);
      if (std::none_of(folders_.begin(), folders_.end(),
                       [&](const fs::path& f) { return Inside(target, f); })) {
        out_->sources.Error(diags_, imp.loc,
                            "imports stay inside the folders of the rule files given; '" +
                                imp.path + "' leads outside them");
        continue;
      }
      Load(resolved.generic_string(), imp.loc);
    }
    stack_.pop_back();
  }

 private:
  void Report(std::optional<Loc> from, const std::string& path, std::string message) {
    if (from) {
      out_->sources.Error(diags_, *from, std::move(message));
    } else {
      diags_->Error(path, 0, 0, std::move(message));
    }
  }

  const ReadFileFn& read_;
  Diagnostics* diags_;
  RuleSet* out_;
  bool links_;
  std::vector<fs::path> folders_;  // resolved
  std::vector<std::string> stack_;
  std::map<std::string, bool> loaded_;
};

}  // namespace

Result<std::string> ReadRuleFile(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("no such file");
  if (!fs::is_regular_file(st)) return Status::InvalidArgument("not a regular file");
  auto size = fs::file_size(path, ec);
  if (ec) return Status::IoError(ec.message());
  if (size > kMaxFileBytes) {
    return Status::ResourceExhausted("file too large: " + std::to_string(size) +
                                     " bytes (the limit is " + std::to_string(kMaxFileBytes) + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError("read failed");
  std::string text = ss.str();
  if (text.size() > kMaxFileBytes) return Status::ResourceExhausted("file too large");
  return text;
}

namespace {

std::optional<RuleSet> Load(const std::vector<std::string>& paths, const CheckEnv& env,
                            const ReadFileFn& read, bool links, Diagnostics* diags,
                            SourceSet* read_files) {
  RuleSet rs;
  std::size_t errors_before = diags->ErrorCount();
  bool ok = true;
  try {
    Loader loader(read, diags, &rs, paths, links);
    for (const auto& p : paths) loader.Load(p, std::nullopt);
    // A file that failed to parse is not checked: its tree may be partial.
    if (diags->ErrorCount() > errors_before) {
      ok = false;
    } else {
      CheckedPack pack = CheckPack(rs.sources, rs.files, env, diags);
      if (diags->ErrorCount() > errors_before) {
        ok = false;
      } else {
        rs.plan = Compile(pack, rs.sources);
      }
    }
  } catch (const std::exception& e) {
    diags->Error("", 0, 0, std::string("internal error while loading rules: ") + e.what());
    ok = false;
  }
  if (read_files) *read_files = rs.sources;
  if (!ok) return std::nullopt;
  return rs;
}

}  // namespace

std::optional<RuleSet> LoadRulesWith(const std::vector<std::string>& paths, const CheckEnv& env,
                                     const ReadFileFn& read, Diagnostics* diags,
                                     SourceSet* read_files) {
  return Load(paths, env, read, /*links=*/false, diags, read_files);
}

std::optional<RuleSet> LoadRules(const std::vector<std::string>& paths, const CheckEnv& env,
                                 Diagnostics* diags, SourceSet* read_files) {
  return Load(paths, env, ReadRuleFile, /*links=*/true, diags, read_files);
}

}  // namespace tosguard::dsl
