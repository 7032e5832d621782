# JMESPath compile and search (the policy language's JmesPath() function).
vouch_bench_sources(SOURCES jmespath_bench.cc DEPS jmespath)
