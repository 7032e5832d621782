# The claim-rule policy compiler, linter and evaluator: input is "<policy text>[\0<claims JSON>]".
vouch_fuzzer(policy SOURCES policy_fuzz.cc DEPS policy)
# Key Vault secure key release policies: input is "<policy JSON>[\0<token claims JSON>]".
vouch_fuzzer(release_policy SOURCES policy_release_fuzz.cc DEPS policy)
