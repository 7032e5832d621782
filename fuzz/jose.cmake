vouch_fuzzer(jws_parse SOURCES jose_jws_fuzz.cc DEPS jose)
vouch_fuzzer(jwe_parse SOURCES jose_jwe_fuzz.cc DEPS jose)
