# Store operations on the embedded SQLite backend (the service's per-request database work).
vouch_bench_sources(SOURCES store_bench.cc DEPS store)
