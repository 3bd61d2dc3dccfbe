// Seeded random edits of a text, for tests that compare two readers on near-valid input: each
// edit replaces, inserts or removes one character, the new ones drawn from `alphabet`.
#pragma once

#include <random>
#include <string>
#include <string_view>

namespace hp::testing {

inline std::string Mutate(std::string text, std::mt19937& rng, std::string_view alphabet,
                          int max_edits) {
  int edits = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_edits));
  for (int e = 0; e < edits && !text.empty(); e++) {
    size_t pos = rng() % text.size();
    char c = alphabet[rng() % alphabet.size()];
    switch (rng() % 3) {
      case 0:
        text[pos] = c;
        break;
      case 1:
        text.insert(text.begin() + static_cast<long>(pos), c);
        break;
      default:
        text.erase(pos, 1);
        break;
    }
  }
  return text;
}

}  // namespace hp::testing
