# json_nesting_depth (base/json_depth.h) against the depth of nlohmann's parse.
vouch_fuzzer(json_depth SOURCES json_depth_fuzz.cc DEPS base)
target_link_libraries(fuzz_json_depth PRIVATE nlohmann_json::nlohmann_json)
# parse_json (base/json_parse.h, simdjson) against nlohmann's parse of the same bytes.
vouch_fuzzer(json_parse SOURCES json_parse_fuzz.cc DEPS base)
target_link_libraries(fuzz_json_parse PRIVATE nlohmann_json::nlohmann_json)
