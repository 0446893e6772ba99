// String comparators and phonetic encoders used by record linkage, ported to
// agree with jellyfish's test vectors (tests/linkage/data). Strings are compared
// by Unicode code point: UTF-8 inputs are decoded first (ASCII takes a fast path).
#pragma once

#include <string>
#include <string_view>

namespace riskradar::linkage {

// UTF-8 <-> code points. Invalid bytes decode to U+FFFD so comparison never fails.
std::u32string DecodeUtf8(std::string_view text);
std::string EncodeUtf8(std::u32string_view text);

// Jaro similarity in [0, 1]; 0 when either string is empty.
double JaroSimilarity(std::u32string_view a, std::u32string_view b);
double JaroSimilarity(std::string_view a, std::string_view b);

// Jaro-Winkler: the prefix boost (scale 0.1, prefix up to 4) applies only
// when Jaro > 0.7, as in jellyfish. long_tolerance adds Winkler's extra
// adjustment for long strings that agree beyond the prefix.
double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b, bool long_tolerance = false);
double JaroWinklerSimilarity(std::string_view a, std::string_view b, bool long_tolerance = false);

// Edit distances (insert, delete, substitute = 1).
int LevenshteinDistance(std::u32string_view a, std::u32string_view b);
int LevenshteinDistance(std::string_view a, std::string_view b);
// True (unrestricted) Damerau-Levenshtein: transpositions of adjacent
// characters cost 1 even when further edits touch them (CA -> ABC is 2).
int DamerauLevenshteinDistance(std::u32string_view a, std::u32string_view b);
int DamerauLevenshteinDistance(std::string_view a, std::string_view b);
// Optimal string alignment (restricted Damerau-Levenshtein; CA -> ABC is 3).
int OsaDistance(std::u32string_view a, std::u32string_view b);
int OsaDistance(std::string_view a, std::string_view b);

// Phonetic codes, UTF-8 in and out, following jellyfish's rules (Soundex and
// Metaphone decompose accents first; NYSIIS upper-cases without decomposing).
std::string Soundex(std::string_view text);
std::string Nysiis(std::string_view text);
std::string Metaphone(std::string_view text);

}  // namespace riskradar::linkage
