# Intel DCAP parsers: quotes (v3/v4/v5), QE report certification data, TCB Info and QE identity
# JSON (with the PCS envelope split), the PCK certificate's SGX extension and OpenEnclave
# envelopes. Each target asserts a round trip.
vouch_fuzzer(dcap_quote SOURCES dcap_quote_fuzz.cc DEPS dcap)
vouch_fuzzer(dcap_certdata SOURCES dcap_certdata_fuzz.cc DEPS dcap)
vouch_fuzzer(dcap_tcb_info SOURCES dcap_tcb_info_fuzz.cc DEPS dcap)
vouch_fuzzer(dcap_qe_identity SOURCES dcap_qe_identity_fuzz.cc DEPS dcap)
vouch_fuzzer(dcap_pck SOURCES dcap_pck_fuzz.cc DEPS dcap)
vouch_fuzzer(dcap_oe SOURCES dcap_oe_fuzz.cc DEPS sgx dcap)
