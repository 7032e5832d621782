# The relying party's and KBS mode's request parsers, compiled straight from src/service like
# service.cmake does (the rest of the service needs Boost and the store, which the fuzz build
# leaves out).
vouch_fuzzer(rp_request
  SOURCES rp_request_fuzz.cc ${PROJECT_SOURCE_DIR}/src/service/rp_request.cc
  DEPS base)
target_link_libraries(fuzz_rp_request PRIVATE nlohmann_json::nlohmann_json)

