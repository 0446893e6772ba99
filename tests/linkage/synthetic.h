// A small synthetic person generator for linkage tests: people with 1-4 agency
// records each, corrupted the way agency extracts differ (typos, swaps, moves, gaps).
#pragma once

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "riskradar/core/identifiers.h"
#include "riskradar/linkage/names.h"
#include "riskradar/linkage/person.h"

namespace riskradar::linkage::testing {

struct SyntheticPeople {
  std::vector<PersonRecord> records;
  std::vector<int> person;  // ground truth per record
};

inline std::vector<std::string> ReadColumn(const std::string& path, size_t column, size_t limit,
                                           std::vector<double>* weights = nullptr) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> out;
  while (out.size() < limit && std::getline(in, line)) {
    std::vector<std::string> cols;
    size_t start = 0;
    while (true) {
      const size_t comma = line.find(',', start);
      cols.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (cols.size() <= column) continue;
    out.push_back(cols[column]);
    if (weights != nullptr) weights->push_back(std::stod(cols[2]));
  }
  return out;
}

inline SyntheticPeople MakeSyntheticPeople(int people, uint64_t seed) {
  const std::string dir = DefaultReferenceDir() + "/names/";
  const auto forenames = ReadColumn(dir + "given_names_ew_2000_2015.csv", 0, 600);
  std::vector<double> surname_weights;
  const auto surnames = ReadColumn(dir + "surnames_gb_sdglinkage.csv", 1, 2000, &surname_weights);
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  std::discrete_distribution<size_t> pick_surname(surname_weights.begin(), surname_weights.end());
  const std::string unit_letters = "ABDEFGHJLNPQRSTUWXYZ";
  // GCC 12 at -O3 reports a false -Wrestrict inside std::string's insert for `"B" + std::string` (GCC bug
  // 105651). The expression stays as it is: the order of its random draws defines the generated people.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
  auto postcode = [&] {
    return "B" + std::to_string(uniform(1, 40)) + " " + std::to_string(uniform(1, 9)) +
           unit_letters[static_cast<size_t>(uniform(0, 19))] + unit_letters[static_cast<size_t>(uniform(0, 19))];
  };
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  auto nhs = [&] {
    while (true) {
      std::string digits;
      for (int i = 0; i < 9; ++i) digits.push_back(static_cast<char>('0' + uniform(i == 0 ? 4 : 0, 9)));
      const int check = NhsCheckDigit(digits);
      if (check >= 0) return digits + static_cast<char>('0' + check);
    }
  };
  auto typo = [&](std::string s) {
    if (s.size() < 3) return s;
    const size_t i = static_cast<size_t>(uniform(1, static_cast<int>(s.size()) - 2));
    switch (uniform(0, 2)) {
      case 0:
        std::swap(s[i], s[i + 1]);
        break;
      case 1:
        s[i] = static_cast<char>('a' + uniform(0, 25));
        break;
      default:
        s.erase(i, 1);
        break;
    }
    return s;
  };
  const char* sources[] = {"bcc-cs", "wmp", "uhb-ae", "school"};
  SyntheticPeople out;
  for (int p = 0; p < people; ++p) {
    PersonRecord base;
    base.forename = forenames[static_cast<size_t>(uniform(0, static_cast<int>(forenames.size()) - 1))];
    std::string surname = surnames[pick_surname(rng)];
    surname[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(surname[0])));
    base.surname = surname;
    base.dob = Date::FromYmd(uniform(2005, 2015), uniform(1, 12), uniform(1, 28));
    base.sex = chance(0.5) ? Sex::kFemale : Sex::kMale;
    base.postcode = postcode();
    if (chance(0.6)) base.nhs_number = nhs();
    int copies = 1;
    while (copies < 4 && chance(0.45)) ++copies;
    for (int k = 0; k < copies; ++k) {
      PersonRecord r = base;
      r.id = static_cast<int64_t>(out.records.size());
      r.source = sources[uniform(0, 3)];
      if (k > 0) {
        if (chance(0.08)) r.forename = typo(r.forename);
        if (chance(0.08)) r.surname = typo(r.surname);
        if (chance(0.02)) std::swap(r.forename, r.surname);
        if (chance(0.2)) {
          for (char& c : r.surname) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (chance(0.10)) {
          r.dob.reset();
        } else if (chance(0.03) && r.dob->day() <= 12) {
          r.dob = Date::FromYmd(r.dob->year(), r.dob->day(), r.dob->month());
        } else if (chance(0.05)) {
          r.dob = r.dob->AddDays(uniform(1, 20));
        }
        if (chance(0.25)) r.postcode = postcode();
        if (chance(0.10)) r.postcode.clear();
        if (chance(0.4)) r.nhs_number.clear();
        if (chance(0.05)) r.sex = Sex::kUnknown;
      }
      out.records.push_back(r);
      out.person.push_back(p);
    }
  }
  return out;
}

}  // namespace riskradar::linkage::testing
