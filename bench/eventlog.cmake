# BM_EventLogReplay / BM_EventLogVerify: a firmware-sized crypto-agile log built in-process. The
# builder is compiled in directly (it needs only base and crypto), so vouch-bench does not link
# the gtest-based vouch_testing library and reads nothing from ../shared.
vouch_bench_sources(SOURCES eventlog_bench.cc ../testing/eventlog_builder.cc DEPS tpm_eventlog)
