#pragma once

namespace vouch::dcap {

// Overloaded{lambdas...} builds one visitor for std::visit over a closed variant.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace vouch::dcap
