// Ed25519 keys and signatures through OpenSSL's EVP interface: what the fleet config verifier
// checks on the car and what `fleetclip config keygen|sign` produce on the engineer's side.
// Public keys are the raw 32 bytes (as in TrustedKey.ed25519_public_key), signatures the raw 64
// bytes; private keys are PKCS#8 PEM files. Thread-safe: no shared state.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace fleetclip::config {

inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

// True when `signature` is a valid Ed25519 signature of `message` by `public_key` (raw 32 bytes).
// A key or signature of the wrong size does not verify.
bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature);

// A private key. Move-only owner of the OpenSSL key.
class Ed25519PrivateKey {
 public:
  static Result<Ed25519PrivateKey> Generate();
  // From PKCS#8 PEM text ("-----BEGIN PRIVATE KEY-----"); fails on another key type.
  static Result<Ed25519PrivateKey> FromPem(std::string_view pem);

  std::string ToPem() const;         // PKCS#8 "-----BEGIN PRIVATE KEY-----"
  std::string PublicKeyPem() const;  // SubjectPublicKeyInfo "-----BEGIN PUBLIC KEY-----"
  std::string PublicKey() const;     // raw 32 bytes
  Result<std::string> Sign(std::string_view message) const;  // raw 64 bytes

 private:
  struct Free {
    void operator()(void* key) const;
  };
  explicit Ed25519PrivateKey(void* key) : key_(key) {}
  std::unique_ptr<void, Free> key_;  // EVP_PKEY*
};

}  // namespace fleetclip::config
