#pragma once

// Single-byte flips over every signed region of a DCAP quote and its collateral: the quote
// header and body (quote signature), the QE report (QE report signature), the attestation key and
// QE authentication data (QE report binding), the PCK chain's certificates, the TCB Info and QE
// identity bodies and signatures, their signing chains and both CRLs. Each flipped input must
// fail verification; the helper returns a description of every flip that did not. Line breaks in
// PEM text are not signed (a PEM decoder ignores text between blocks) and are not flipped.

#include <string>
#include <vector>

#include "evidence/dcap/verify.h"

namespace vouch::testing {

struct FlipReport {
  std::size_t flips = 0;              // how many flipped inputs were verified
  std::vector<std::string> accepted;  // "<region>@<offset>" for each that still verified
};

// `step` > 1 samples the large text regions (chains, JSON bodies, CRLs); the binary quote regions
// are always flipped at every byte.
FlipReport flip_every_signed_region(const dcap::Verifier& verifier, dcap::TeeKind tee,
                                    ByteSpan quote, const dcap::QuoteCollateral& collateral,
                                    Timestamp at, std::size_t step);

}  // namespace vouch::testing
