// Process spawning for CLI end-to-end tests.
#include "tests/cli/cli_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "tests/support/temp_dir.h"

extern char** environ;

namespace tosguard::testing {

std::string SourceDir() { return TOSGUARD_SOURCE_DIR; }
std::string TosguardBinary() { return TOSGUARD_BIN; }

namespace {

// The directories MakeTempDir made, removed when the test program exits (kept when
// TOSGUARD_KEEP_TEMP is set, to look at what a failing test left).
class MadeDirs {
 public:
  ~MadeDirs() {
    if (std::getenv("TOSGUARD_KEEP_TEMP") == nullptr) return;
    for (auto& dir : dirs_) (void)dir.release();  // not removed
  }
  std::string Add(const std::string& prefix) {
    const std::lock_guard<std::mutex> lock(mu_);
    dirs_.push_back(std::make_unique<TempDir>(prefix));
    return dirs_.back()->str();
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<TempDir>> dirs_;
};

MadeDirs& Made() {
  static MadeDirs made;
  return made;
}

}  // namespace

std::string MakeTempDir(const std::string& prefix) { return Made().Add(prefix); }

void WriteFile(const std::string& path, const std::string& content) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  std::ofstream f(path, std::ios::binary);
  f << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CommandResult RunTosguard(const std::vector<std::string>& args, const std::string& stdin_text,
                          const std::string& cwd) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
    posix_spawn_file_actions_addclose(&actions, fd);
  }
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  const std::string binary = TosguardBinary();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) throw std::runtime_error("cannot start " + binary);

  CommandResult result;
  std::size_t written = 0;
  if (stdin_text.empty()) {
    close(in_pipe[1]);
    in_pipe[1] = -1;
  }
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {in_pipe[1], POLLOUT, 0}};
    const nfds_t n = in_pipe[1] >= 0 ? 3 : 2;
    if (poll(fds, n, 60000) <= 0) break;  // a hung child fails the test by its output
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
    if (n == 3 && fds[2].revents != 0) {
      const ssize_t put = write(in_pipe[1], stdin_text.data() + written, stdin_text.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if (put < 0 || written == stdin_text.size()) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
      }
    }
  }
  if (in_pipe[1] >= 0) close(in_pipe[1]);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace tosguard::testing
