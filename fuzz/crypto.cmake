vouch_fuzzer(x509 SOURCES x509_fuzz.cc DEPS crypto)
vouch_fuzzer(jwk SOURCES jwk_fuzz.cc DEPS crypto)
vouch_fuzzer(encoding SOURCES encoding_fuzz.cc DEPS base)
