vouch_bench_sources(SOURCES floor_bench.cc DEPS crypto)
