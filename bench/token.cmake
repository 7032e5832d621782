# Result-token issuing and checking, and JWE release (compare with BM_FloorEs256Sign).
vouch_bench_sources(SOURCES token_bench.cc DEPS token)
