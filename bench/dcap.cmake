# BM_SgxQuoteVerifyWarm / BM_TdxQuoteVerifyWarm / BM_SgxQuoteVerifyCold (and claims mapping) on
# the real dcap-qvl quotes and collateral, read from ../shared/vectors at run time (skipped with a
# message when absent). The dcap-qvl collateral converter is compiled in directly (it needs only
# dcap and collateral), so vouch-bench does not link the gtest-based vouch_testing library.
vouch_bench_sources(SOURCES dcap_bench.cc ../testing/dcap_qvl_collateral.cc
                    DEPS sgx tdx dcap collateral)
set_source_files_properties(dcap_bench.cc PROPERTIES
  COMPILE_DEFINITIONS "VOUCH_BENCH_SOURCE_DIR=\"${PROJECT_SOURCE_DIR}\"")
