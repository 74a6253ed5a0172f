// OpenSSL EVP implementation of daemon/config/ed25519.h. Ed25519 is one-shot: EVP_DigestSign /
// EVP_DigestVerify with a null digest over the whole message.
#include "daemon/config/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace fleetclip::config {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

EVP_PKEY* Key(void* k) { return static_cast<EVP_PKEY*>(k); }

Error OpenSslError(const std::string& what) {
  char buf[256] = "unknown error";
  if (const unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return Error(ErrorCode::kInvalidArgument, what + ": " + buf);
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

}  // namespace

void Ed25519PrivateKey::Free::operator()(void* key) const { EVP_PKEY_free(Key(key)); }

bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes || signature.size() != kEd25519SignatureBytes)
    return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()),
      &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const bool ok = key && ctx &&
                  EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                                   message.size()) == 1;
  ERR_clear_error();
  return ok;
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  EVP_PKEY* key = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    return OpenSslError("generate Ed25519 key");
  }
  return Ed25519PrivateKey(key);
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr) return OpenSslError("read PEM private key");
  Ed25519PrivateKey owned(key);
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    return Error(ErrorCode::kInvalidArgument, "the private key is not an Ed25519 key");
  }
  return owned;
}

std::string Ed25519PrivateKey::ToPem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), Key(key_.get()), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Ed25519PrivateKey::PublicKeyPem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), Key(key_.get())) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Ed25519PrivateKey::PublicKey() const {
  std::string out(kEd25519PublicKeyBytes, '\0');
  size_t n = out.size();
  if (EVP_PKEY_get_raw_public_key(Key(key_.get()), reinterpret_cast<unsigned char*>(out.data()),
                                  &n) != 1) {
    return {};
  }
  out.resize(n);
  return out;
}

Result<std::string> Ed25519PrivateKey::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t n = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, Key(key_.get())) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n, Bytes(message),
                     message.size()) != 1) {
    return OpenSslError("Ed25519 sign");
  }
  sig.resize(n);
  return sig;
}

}  // namespace fleetclip::config
