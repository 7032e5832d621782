# The appraisal policy engine: compile, evaluate (with and without the explain trace), lint, hash,
# version 1.2 functions over an event log, and key release policies.
vouch_bench_sources(SOURCES policy_bench.cc DEPS policy)
