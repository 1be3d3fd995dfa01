// Certificates for TLS tests, made at test time with the openssl CLI: a CA,
// a server certificate for 127.0.0.1/localhost and a client certificate it
// signed, plus a client certificate from an unrelated CA.
#ifndef HOLDFAST_TESTS_TESTING_TEST_CERTS_H_
#define HOLDFAST_TESTS_TESTING_TEST_CERTS_H_

#include <string>

namespace holdfast::testing {

struct TestCerts {
  std::string ca_pem;             // CA certificate (server and client certs chain to it)
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string stranger_cert, stranger_key;  // client cert from another CA
};

// Writes the files into `dir`. Returns an empty string on success, else the
// failing command and its output.
std::string MakeTestCerts(const std::string& dir, TestCerts* certs);

// Reads a whole file (for PEM contents).
std::string ReadTextFile(const std::string& path);

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_TESTING_TEST_CERTS_H_
