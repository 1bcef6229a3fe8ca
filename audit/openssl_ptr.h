// Owning pointers to OpenSSL objects: one deleter template for every *_free function.
#pragma once

#include <memory>

namespace tosguard::audit {

template <auto Free>
struct OpenSslFree {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

// e.g. OpenSslPtr<EVP_PKEY, EVP_PKEY_free>
template <typename T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree<Free>>;

}  // namespace tosguard::audit
