#include "tests/report/reference_csv.h"

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace holdfast::reference {

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    rows.push_back(std::move(fields));
  }
  return rows;
}

int64_t Int(const std::string& s) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(s, &v)) {
    std::cerr << "bad integer '" << s << "'\n";
    std::exit(2);
  }
  return v;
}

double Real(const std::string& s) {
  double v = 0;
  if (!absl::SimpleAtod(s, &v)) {
    std::cerr << "bad number '" << s << "'\n";
    std::exit(2);
  }
  return v;
}

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s << "\n";
    std::exit(1);
  }
}

}  // namespace holdfast::reference
