# SEV-SNP report verification against the P-384 floor (docs/adr/0007-p384-verify.md). The report
# benchmarks use the real go-sev-guest Milan capture from ../shared/vectors (skipped when absent).
vouch_bench_sources(SOURCES sevsnp_bench.cc DEPS sevsnp collateral)
set_source_files_properties(sevsnp_bench.cc PROPERTIES
  COMPILE_DEFINITIONS "VOUCH_DEFAULT_VECTORS_DIR=\"${PROJECT_SOURCE_DIR}/../shared/vectors\"")
