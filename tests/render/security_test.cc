// Hostile report content cannot become markup: static checks of the HTML (an allow-list
// of elements and attributes) and of the Markdown, and a headless Chromium that loads the
// hostile report and must run no script and make no request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audit/fuzz/html_check.h"
#include "audit/render/render.h"
#include "tests/support/temp_dir.h"

using namespace tosguard;
using namespace tosguard::audit;
using tosguard::audit::fuzz::HtmlProblems;
using tosguard::audit::fuzz::kCsp;
using tosguard::testing::TempDir;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

std::string Sample(const std::string& name) {
  std::ifstream f(std::string(TOSGUARD_SOURCE_DIR) + "/tests/render/data/" + name,
                  std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string Title(std::string_view html) {
  const auto start = html.find("<title>");
  const auto end = html.find("</title>");
  if (start == std::string_view::npos || end == std::string_view::npos) return "(no title)";
  return std::string(html.substr(start + 7, end - start - 7));
}

// A local HTTP server that answers every request with 204 and records its request line:
// the canary of the browser test (the hostile report points its URLs here).
class Canary {
 public:
  Canary() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Canary() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  Canary(const Canary&) = delete;
  Canary& operator=(const Canary&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      char buf[2048];
      const ssize_t n = recv(client, buf, sizeof buf, 0);
      std::string request(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request.substr(0, request.find('\r')));
      }
      constexpr std::string_view kReply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
      (void)!send(client, kReply.data(), kReply.size(), MSG_NOSIGNAL);
      close(client);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// Loads `html` in headless Chromium (as a file:// URL) and returns the DOM after scripts
// would have run. Fails the test, saying how to install it, when Chromium is missing.
std::string DumpDom(const TempDir& dir, const std::string& name, const std::string& html) {
  if (!std::filesystem::exists(kChromium)) {
    FAIL("chromium is not installed at " << kChromium << ": run scripts/setup.sh");
  }
  const std::string page = dir.Write(name + ".html", html);
  const std::string dom = (dir.path() / (name + ".dom")).string();
  const std::string log = (dir.path() / (name + ".log")).string();
  const std::string profile = (dir.path() / "profile").string();
  const std::string command =
      "timeout 60 " + std::string(kChromium) +
      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
      " --disable-extensions --disable-background-networking --virtual-time-budget=2000"
      " --user-data-dir='" +
      profile + "' --dump-dom 'file://" + page + "' >'" + dom + "' 2>'" + log + "'";
  const int rc = std::system(command.c_str());
  INFO("chromium log: " << dir.Read(name + ".log"));
  REQUIRE(rc == 0);
  std::string out = dir.Read(name + ".dom");
  REQUIRE(out.find("</html>") != std::string::npos);
  return out;
}

}  // namespace

TEST_CASE("the HTML checker finds markup that a hostile string could inject") {
  const std::string head =
      "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
      "content=\"" +
      std::string(kCsp) + "\"><style>p{}</style></head><body>";
  CHECK(HtmlProblems(head + "<p>fine &lt;script&gt;</p></body></html>").empty());
  for (const char* injected :
       {"<script>x</script>", "<img src=x onerror=alert(1)>", "<p onclick='x'>",
        "<svg onload=alert(1)>", "<a href=\"javascript:alert(1)\">", "<iframe src=x>",
        "<p class=\"a\" style=\"background:url(http://x)\">", "<link href=//x>", "</style><style>",
        "<svg></svg><svg>", "<rect fill=\"url(http://x)\">", "\x1b[31m", "\u202E"}) {
    INFO(injected);
    CHECK_FALSE(HtmlProblems(head + injected + "</body></html>").empty());
  }
  CHECK_FALSE(HtmlProblems("<html><style></style><p>no policy</p></html>").empty());
}

TEST_CASE("the HTML of the hostile report holds its payloads as text only") {
  auto r = RenderReportHtml(Sample("report_hostile.json"));
  REQUIRE(r.ok());
  const std::string& html = *r;
  CHECK(HtmlProblems(html) == std::vector<std::string>{});
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<iframe") == std::string::npos);
  CHECK(html.find("<a ") == std::string::npos);
  CHECK(html.find("href=\"") == std::string::npos);
  CHECK(html.find("src=\"") == std::string::npos);
  // The payloads are there, escaped, in every string field (a field is named before its payload).
  CHECK(html.find("case.title: &lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;&lt;img "
                  "src=x onerror=alert(1)&gt;&lt;/style&gt;") != std::string::npos);
  CHECK(html.find("&quot;&gt;&lt;svg onload=alert(1)&gt;") != std::string::npos);
  CHECK(html.find("\\x1B[31mRED\\x1B[0m \\u202Eevil\\u202C \\u2066iso\\u2069 \\u0085") !=
        std::string::npos);
  CHECK(html.find("&amp;amp; &amp;lt;b&amp;gt;") != std::string::npos);
  CHECK(html.find("revealed.scope: &lt;script&gt;") != std::string::npos);
  CHECK(html.find("evidence.excerpt: &lt;script&gt;") != std::string::npos);
  for (const char* field : {"generated_at",
                            "examiner",
                            "case.finding",
                            "case.tags[0]",
                            "clause.text",
                            "acceptances[3].source",
                            "narrative[2]",
                            "facts[2].held",
                            "metrics[1].type",
                            "detectors[0].versions[1]",
                            "accounts.links[1].identifier",
                            "timeline[55].outcome",
                            "evidence.method",
                            "evidence.items[4].shown[1].value",
                            "waivers[0].basis",
                            "exemption",
                            "methodology[1]",
                            "limitations[0]",
                            "reviews[1].reason",
                            "custody[1].why",
                            "reproduce.command",
                            "reproduce.by",
                            "reproduce.inputs[1].file",
                            "integrity.origin",
                            "integrity.checkpoint.text",
                            "integrity.leaves[1].proof[5]"}) {
    INFO(field);
    CHECK(html.find(std::string(field) + ": &lt;script&gt;") != std::string::npos);
  }
}

TEST_CASE("the Markdown of the hostile report holds its payloads as literal text") {
  auto r = RenderReportMarkdown(Sample("report_hostile.json"));
  REQUIRE(r.ok());
  const std::string& md = *r;
  CHECK(md.find('<') == std::string::npos);
  CHECK(md.find('\x1b') == std::string::npos);
  CHECK(md.find("\u202E") == std::string::npos);
  CHECK(md.find("\u2066") == std::string::npos);
  CHECK(md.find("](") == std::string::npos);
  CHECK(md.find("case\\.title\\: &lt;script&gt;document\\.title\\='PWNED'&lt;/script&gt;") !=
        std::string::npos);
  CHECK(md.find("\\`code\\` \\[link\\]\\(javascript\\:alert\\(1\\)\\)") != std::string::npos);
  CHECK(md.find("\\| table \\|") != std::string::npos);
  CHECK(md.find("\\\\x1B\\[31mRED") != std::string::npos);
  CHECK(md.find("http\\:\\/\\/{{CANARY}}") == std::string::npos);  // braces are escaped too
  CHECK(md.find("www\\.example\\.com") != std::string::npos);
  // No line opens a structure except the renderer's own headings, tables and lists.
  std::istringstream lines(md);
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    ++n;
    INFO("line " << n << ": " << line);
    if (line.empty() || line == "---") continue;
    if (line.rfind("# Evidence report: finding ", 0) == 0 || line.rfind("## ", 0) == 0 ||
        line.rfind("### ", 0) == 0 || line.rfind("| ", 0) == 0 || line.rfind("- ", 0) == 0 ||
        line.rfind("**", 0) == 0) {
      continue;
    }
    const char c = line[0];
    const auto digits = line.find_first_not_of("0123456789");
    const bool structural =
        c == '#' || c == '>' || c == '-' || c == '*' || c == '+' || c == '=' || c == '`' ||
        c == '~' || c == ' ' || c == '\t' || c == '|' || c == '<' || c == '_' || c == '[' ||
        c == '!' ||
        (digits > 0 && digits != std::string::npos && (line[digits] == '.' || line[digits] == ')'));
    CHECK_FALSE(structural);
  }
  // Table rows keep their columns: a hostile '|' is escaped, a newline is shown as \n.
  lines.clear();
  lines.str(md);
  while (std::getline(lines, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    std::size_t bars = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;
      } else if (line[i] == '|') {
        ++bars;
      }
    }
    INFO(line);
    CHECK(bars >= 3);
    CHECK(bars <= 10);
  }
}

TEST_CASE("headless Chromium runs no script and makes no request for the hostile report") {
  TempDir dir("tosguard-render");
  Canary canary;
  const auto started = std::chrono::steady_clock::now();

  // Control: an unsafe page proves that this harness sees a script that runs and a
  // request that is made; without it the checks below could not fail.
  const std::string unsafe =
      "<!DOCTYPE html><html><head><title>original</title></head><body>"
      "<script>document.title='PWNED'</script><img src=\"http://" +
      canary.host() + "/control\"></body></html>";
  const std::string unsafe_dom = DumpDom(dir, "control", unsafe);
  CHECK(Title(unsafe_dom) == "PWNED");
  REQUIRE(canary.requests().size() == 1);
  CHECK(canary.requests()[0] == "GET /control HTTP/1.1");

  // The hostile report, its URLs pointing at the canary.
  const std::string json = ReplaceAll(Sample("report_hostile.json"), "{{CANARY}}", canary.host());
  auto html = RenderReportHtml(json);
  REQUIRE(html.ok());
  REQUIRE(html->find("src=&quot;http://" + canary.host() + "/iframe&quot;&gt;") !=
          std::string::npos);
  const std::string dom = DumpDom(dir, "hostile", *html);
  CHECK(HtmlProblems(dom) == std::vector<std::string>{});
  for (const char* element : {"<script", "<img", "<iframe", "<link", "<a ", "<svg onload"}) {
    CHECK(dom.find(element) == std::string::npos);
  }
  std::size_t svgs = 0;
  for (auto at = dom.find("<svg"); at != std::string::npos; at = dom.find("<svg", at + 1)) ++svgs;
  CHECK(svgs == 1);
  CHECK(dom.find("<svg class=\"timeline\"") != std::string::npos);
  // The payloads are text in the DOM (the serializer writes quotes in text unescaped).
  CHECK(dom.find("case.title: &lt;script&gt;document.title='PWNED'&lt;/script&gt;") !=
        std::string::npos);
  CHECK(dom.find("&lt;svg onload=alert(1)&gt;") != std::string::npos);
  // document.title is the report's own: a script that ran would have set it.
  const std::string title = ReplaceAll(ReplaceAll(Title(*html), "&#39;", "'"), "&quot;", "\"");
  CHECK(Title(dom) == title);
  CHECK(Title(dom).rfind("Evidence report case.finding: ", 0) == 0);

  // Defence in depth: the page's Content-Security-Policy alone blocks script and requests
  // that got into it unescaped.
  auto full = RenderReportHtml(Sample("report_full.json"));
  REQUIRE(full.ok());
  std::string injected = *full;
  injected.replace(injected.find("<body>") + 6, 0,
                   "<script>document.title='PWNED'</script><img src=\"http://" + canary.host() +
                       "/csp\"><link rel=\"stylesheet\" href=\"http://" + canary.host() +
                       "/csp-css\">");
  const std::string csp_dom = DumpDom(dir, "csp", injected);
  CHECK(Title(csp_dom) == Title(*full));

  CHECK(canary.requests() == std::vector<std::string>{"GET /control HTTP/1.1"});
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("three Chromium runs took " << seconds << " s");
  CHECK(seconds < 20);
}
