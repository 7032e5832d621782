#include "crypto/ossl.h"

#include <openssl/err.h>

namespace vouch::ossl {

std::string drain_errors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
  }
  return out;
}

Error take_error(ErrorKind kind, CheckId check, std::string what) {
  std::string queue = drain_errors();
  if (!queue.empty()) {
    what += " (" + queue + ")";
  }
  return Error{kind, check, std::move(what)};
}

}  // namespace vouch::ossl
