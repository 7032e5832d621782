# The service's request parsers, compiled straight from src/service (the rest of the service needs
# Boost and the store, which the fuzz build leaves out).
vouch_fuzzer(maa_attest_request
  SOURCES maa_attest_request_fuzz.cc ${PROJECT_SOURCE_DIR}/src/service/maa_request.cc
          ${PROJECT_SOURCE_DIR}/src/service/rp_request.cc  # parse_json_object_body
  DEPS appraisal)
target_link_libraries(fuzz_maa_attest_request PRIVATE nlohmann_json::nlohmann_json)
