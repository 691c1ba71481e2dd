#include "cli/table.hpp"

#include <algorithm>

namespace tshost::cli {

void Table::print(std::ostream& out) const {
    std::vector<size_t> width;
    for (const auto& row : rows_) {
        width.resize(std::max(width.size(), row.size()), 0);
        for (size_t i = 0; i < row.size(); ++i) {
            width[i] = std::max(width[i], row[i].size());
        }
    }
    for (const auto& row : rows_) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(width[i] - row[i].size() + 2, ' ');
            }
        }
        out << line << '\n';
    }
}

}  // namespace tshost::cli
