vouch_fuzzer(tpm_attest SOURCES tpm_attest_fuzz.cc DEPS tpm)
vouch_fuzzer(tpm_signature SOURCES tpm_signature_fuzz.cc DEPS tpm)
vouch_fuzzer(tpm_public SOURCES tpm_public_fuzz.cc DEPS tpm)
vouch_fuzzer(tpm_pcr_values SOURCES tpm_pcr_values_fuzz.cc DEPS tpm)
