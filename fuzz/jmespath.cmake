# JMESPath expression compiler and evaluator: input is "<expression>\0<JSON document>".
vouch_fuzzer(jmespath SOURCES jmespath_fuzz.cc DEPS jmespath)
