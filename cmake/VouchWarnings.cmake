# Warning set for Vouch's own code (third-party headers are included as system headers).
set(VOUCH_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion
    -Wimplicit-fallthrough -Wcast-qual -Wformat=2 -Wundef)
if(VOUCH_WERROR)
  list(APPEND VOUCH_WARNINGS -Werror)
endif()
