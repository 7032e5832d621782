vouch_bench_sources(SOURCES tpm_bench.cc DEPS tpm)
