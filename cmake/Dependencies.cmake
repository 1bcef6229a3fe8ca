# Every third-party dependency, all from Debian's packages (see scripts/setup.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(zstd REQUIRED CONFIG)
find_package(simdjson REQUIRED CONFIG)
find_package(yaml-cpp REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(Boost 1.74 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# jemalloc is the command's allocator (docs/performance.md: less memory and fewer fresh
# pages than glibc's for ingest's per-thread chunk tables). Sanitizers bring their own
# allocator, so their builds keep the C library's.
if(TOSGUARD_JEMALLOC AND NOT TOSGUARD_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  add_compile_definitions(TOSGUARD_JEMALLOC=1)
endif()
if(TOSGUARD_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED CONFIG)
endif()

if(TARGET zstd::libzstd_shared)
  set(TOSGUARD_ZSTD zstd::libzstd_shared)
else()
  set(TOSGUARD_ZSTD zstd::libzstd_static)
endif()
