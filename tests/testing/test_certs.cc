#include "tests/testing/test_certs.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

constexpr char kOpenssl[] = "/usr/bin/openssl";

// P-256 keys: generated in milliseconds, unlike RSA.
std::string Run(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kOpenssl};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunCommand(argv, {}, 30);
  if (r.exit_code == 0) return "";
  std::string line;
  for (const auto& a : argv) line += a + " ";
  return line + "\n" + r.out + r.err;
}

std::string MakeCa(const std::string& key, const std::string& cert, const std::string& cn) {
  return Run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + cn});
}

std::string MakeLeaf(const std::string& dir, const std::string& name, const std::string& ca_cert,
                     const std::string& ca_key, const std::string& extensions) {
  const std::string ext = dir + "/" + name + ".ext";
  std::ofstream(ext) << extensions << "\n";
  if (std::string e = Run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                           "-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".csr",
                           "-subj", "/CN=" + name});
      !e.empty()) {
    return e;
  }
  return Run({"x509", "-req", "-in", dir + "/" + name + ".csr", "-CA", ca_cert, "-CAkey", ca_key,
              "-CAcreateserial", "-out", dir + "/" + name + ".pem", "-days", "2", "-extfile", ext});
}

}  // namespace

std::string MakeTestCerts(const std::string& dir, TestCerts* certs) {
  certs->ca_pem = dir + "/ca.pem";
  const std::string ca_key = dir + "/ca.key";
  if (std::string e = MakeCa(ca_key, certs->ca_pem, "holdfast-test-ca"); !e.empty()) return e;
  if (std::string e = MakeLeaf(dir, "server", certs->ca_pem, ca_key,
                               "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
      !e.empty()) {
    return e;
  }
  if (std::string e = MakeLeaf(dir, "client", certs->ca_pem, ca_key, "extendedKeyUsage=clientAuth");
      !e.empty()) {
    return e;
  }
  const std::string other_ca = dir + "/other-ca.pem", other_key = dir + "/other-ca.key";
  if (std::string e = MakeCa(other_key, other_ca, "some-other-ca"); !e.empty()) return e;
  if (std::string e = MakeLeaf(dir, "stranger", other_ca, other_key, "extendedKeyUsage=clientAuth");
      !e.empty()) {
    return e;
  }
  certs->server_cert = dir + "/server.pem";
  certs->server_key = dir + "/server.key";
  certs->client_cert = dir + "/client.pem";
  certs->client_key = dir + "/client.key";
  certs->stranger_cert = dir + "/stranger.pem";
  certs->stranger_key = dir + "/stranger.key";
  return "";
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace holdfast::testing
