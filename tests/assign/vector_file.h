// Reads the tab-separated vector files written by gen_vectors.py (the
// independent Python reference). Test-only.
#ifndef HOLDFAST_TESTS_ASSIGN_VECTOR_FILE_H_
#define HOLDFAST_TESTS_ASSIGN_VECTOR_FILE_H_

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace holdfast::testing {

// One data row, addressed by the column names of the file's header line.
class VectorRow {
 public:
  VectorRow(const std::vector<std::string>* header, std::vector<std::string> cells)
      : header_(header), cells_(std::move(cells)) {}
  // Returns the cell in column `name`, or "" (and the test fails on use) if absent.
  const std::string& operator[](absl::string_view name) const {
    for (size_t i = 0; i < header_->size() && i < cells_.size(); ++i) {
      if ((*header_)[i] == name) return cells_[i];
    }
    static const std::string* const kEmpty = new std::string();
    return *kEmpty;
  }
  size_t size() const { return cells_.size(); }

 private:
  const std::vector<std::string>* header_;
  std::vector<std::string> cells_;
};

struct VectorFile {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> cells;
  std::vector<VectorRow> Rows() const {
    std::vector<VectorRow> rows;
    for (const auto& c : cells) rows.emplace_back(&header, c);
    return rows;
  }
};

// Reads `path`: '#' lines are comments, the first other line is the header.
// Returns an empty file (no header) when `path` cannot be opened.
inline VectorFile ReadVectorFile(const std::string& path) {
  VectorFile file;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    if (file.header.empty()) {
      file.header = std::move(cells);
    } else {
      file.cells.push_back(std::move(cells));
    }
  }
  return file;
}

// Path of a file next to this header in the source tree.
inline std::string TestDataPath(absl::string_view name) {
  return std::string(HF_ASSIGN_TESTDATA_DIR) + "/" + std::string(name);
}

// Decodes lower-case hex ("" -> "").
inline std::string FromHex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_ASSIGN_VECTOR_FILE_H_
