#include "lib/config/version.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace holdfast::config {

std::string ConfigVersion(const holdfast::v1::Config& effective) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    effective.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  // One-shot SHA256() is slow per call (docs/hashing.md) but runs once per load.
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  const std::string hex =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 8));
  return "cfg-" + hex;
}

}  // namespace holdfast::config
