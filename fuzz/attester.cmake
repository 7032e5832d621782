# The attester's /dev/sev-guest response parser. tsm.cc needs only base (no tss2), so it is
# compiled in directly: the fuzz build leaves out the attester library, which links tss2-esys.
vouch_fuzzer(snp_guest_response
  SOURCES snp_guest_response_fuzz.cc ${PROJECT_SOURCE_DIR}/src/attester/tsm.cc
  DEPS base)
