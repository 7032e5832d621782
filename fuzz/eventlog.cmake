# fuzz_eventlog: TCG / CCEL event log replay and verification against a quote.
vouch_fuzzer(eventlog SOURCES eventlog_fuzz.cc DEPS tpm_eventlog)
