// The Catch2 main shared by every test program.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  // ctest runs one test per entry by its name. Without these, an entry whose name
  // matches no test would pass without running anything, and so would a test that
  // checks nothing.
  Catch::ConfigData& data = session.configData();
  data.warnings = static_cast<Catch::WarnAbout::What>(data.warnings | Catch::WarnAbout::NoTests |
                                                      Catch::WarnAbout::NoAssertions);
  return session.run();
}
