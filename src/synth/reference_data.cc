// Loads the reference name and geography lists (see reference_data.h) and
// builds the weighted pools; curated tables fill the gaps the README lists.
#include "reference_data.h"

#include <set>

#include "text.h"

namespace riskradar::synth {

std::string_view ToString(NameOrigin origin) {
  switch (origin) {
    case NameOrigin::kWhiteBritish:
      return "white_british";
    case NameOrigin::kSouthAsian:
      return "south_asian";
    case NameOrigin::kBlackAfricanCaribbean:
      return "black_african_caribbean";
    case NameOrigin::kEastEuropean:
      return "east_european";
    case NameOrigin::kOther:
      return "other";
  }
  return "other";
}

namespace {

constexpr int kWb = 0, kSa = 1, kBac = 2, kEe = 3, kOt = 4;

// British South Asian given names (Pakistani, Bangladeshi, Indian heritage) that
// the national lists under-represent; weights come from the ONS counts where present.
const char* const kSouthAsianGivenMale[] = {
    "Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed", "Ibrahim",  "Yusuf",    "Hamza", "Zain",
    "Zayn",     "Ayaan",    "Ali",      "Hassan",  "Bilal",    "Imran",    "Umar",     "Usman", "Abdul",
    "Abdullah", "Ismail",   "Yahya",    "Musa",    "Idris",    "Rayyan",   "Haris",    "Arham", "Harpreet",
    "Gurpreet", "Jaspreet", "Arjun",    "Rohan",   "Aarav",    "Kabir",    "Rahul",    "Sahil", "Amir",
    "Faisal",   "Tariq",    "Adnan",    "Shahid",  "Zubair",   "Waqas",    "Kamran",   "Asif",  "Sajid",
    "Nadeem",   "Rizwan",   "Junaid",   "Arif",    "Khalid",   "Saif",     "Zakariya", "Rehan", "Ahmed",
    "Ahmad",    "Hussain",  "Aryan",    "Jasdeep", "Mandeep",  "Sukhdeep", "Vikram",   "Ravi",  "Sunny"};
const char* const kSouthAsianGivenFemale[] = {
    "Aisha",   "Ayesha",  "Fatima",   "Fatimah", "Zainab",  "Maryam",   "Mariam",  "Hafsa", "Aaliyah",
    "Amira",   "Khadija", "Khadijah", "Sana",    "Iqra",    "Noor",     "Safa",    "Hana",  "Simran",
    "Priya",   "Anaya",   "Inaya",    "Zara",    "Zahra",   "Alisha",   "Amna",    "Eman",  "Hiba",
    "Laiba",   "Mehreen", "Rabia",    "Sadia",   "Samina",  "Shazia",   "Nadia",   "Nazia", "Rukhsana",
    "Parveen", "Shabana", "Tahira",   "Yasmin",  "Harleen", "Manpreet", "Navdeep", "Kiran", "Anjali",
    "Pooja",   "Riya",    "Tanvi",    "Jasmeet", "Ameera",  "Halima"};

struct WeightedName {
  const char* name;
  double weight;
  int sex;
};  // sex: -1 both, 0 female, 1 male
const WeightedName kSouthAsianSurnames[] = {
    {"Khan", 10, -1},     {"Ali", 8, -1},     {"Hussain", 8, -1},   {"Ahmed", 8, -1},   {"Begum", 6, 0},
    {"Akhtar", 5, -1},    {"Mahmood", 4, -1}, {"Iqbal", 4, -1},     {"Rashid", 3, -1},  {"Malik", 4, -1},
    {"Butt", 3, -1},      {"Shah", 4, -1},    {"Bibi", 3, 0},       {"Aslam", 3, -1},   {"Javed", 2, -1},
    {"Chowdhury", 2, -1}, {"Rahman", 4, -1},  {"Islam", 3, -1},     {"Uddin", 3, 1},    {"Miah", 3, 1},
    {"Patel", 8, -1},     {"Singh", 6, 1},    {"Kaur", 6, 0},       {"Sandhu", 2, -1},  {"Gill", 2, -1},
    {"Sidhu", 1, -1},     {"Bains", 1, -1},   {"Dhillon", 1, -1},   {"Sharma", 2, -1},  {"Mistry", 2, -1},
    {"Chauhan", 1, -1},   {"Parmar", 1, -1},  {"Kumar", 2, 1},      {"Mirza", 2, -1},   {"Qureshi", 2, -1},
    {"Siddiqui", 1, -1},  {"Anwar", 2, -1},   {"Bashir", 2, -1},    {"Hanif", 2, -1},   {"Nawaz", 2, -1},
    {"Rafiq", 2, -1},     {"Yousaf", 2, -1},  {"Zaman", 2, -1},     {"Hassan", 2, -1},  {"Mohammed", 2, -1},
    {"Ahmad", 2, -1},     {"Hussein", 1, -1}, {"Choudhury", 1, -1}, {"Hossain", 2, -1}, {"Sheikh", 1, -1},
    {"Sadiq", 2, -1},     {"Mehmood", 1, -1}, {"Arshad", 2, -1},    {"Ashraf", 2, -1},  {"Latif", 2, -1},
    {"Nazir", 2, -1},     {"Bhatti", 1, -1},  {"Raja", 1, -1},      {"Kauser", 1, 0},   {"Bi", 1, 0}};

// Spelling groups for transliterated names (no open list exists; see names/README.md).
const std::vector<std::vector<std::string>> kTransliterationGroups = {
    {"Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed", "Mohamad"},
    {"Hussain", "Hussein", "Husain"},
    {"Ahmed", "Ahmad"},
    {"Akhtar", "Akhter", "Akter"},
    {"Chowdhury", "Choudhury", "Chaudhry", "Chaudhary"},
    {"Begum", "Begam"},
    {"Mahmood", "Mehmood", "Mahmud"},
    {"Yusuf", "Yousuf", "Yousaf", "Yusef"},
    {"Ibrahim", "Ebrahim"},
    {"Hassan", "Hasan"},
    {"Aisha", "Ayesha", "Aysha"},
    {"Fatima", "Fatimah"},
    {"Khadija", "Khadijah"},
    {"Maryam", "Mariam"},
    {"Zainab", "Zaynab"},
    {"Usman", "Osman"},
    {"Umar", "Omar"},
    {"Rahman", "Rehman"},
    {"Iqbal", "Ikbal"},
    {"Siddiqui", "Siddiqi"},
    {"Qureshi", "Quraishi"},
    {"Zain", "Zayn"},
    {"Abdullah", "Abdulla"},
    {"Sheikh", "Shaikh"},
    {"Hossain", "Hosain"}};

// Surnames kept out of the white British pool (they are drawn through their own origin).
const std::set<std::string> kNotWhiteBritishSurnames = {
    "patel",  "khan",  "ali",     "hussain",   "ahmed",   "begum",  "singh", "kaur",    "akhtar", "rahman",   "islam",
    "uddin",  "miah",  "mahmood", "iqbal",     "shah",    "malik",  "bibi",  "butt",    "ahmad",  "mohammed", "hassan",
    "sharma", "kumar", "mistry",  "chowdhury", "hussein", "rashid", "aslam", "hossain", "sandhu", "gill",     "dhillon",
    "bains",  "sidhu", "mirza",   "qureshi",   "anwar",   "bashir", "nawaz", "akram",   "yousaf", "chauhan",  "parmar",
    "nguyen", "wang",  "li",      "zhang",     "chen",    "liu",    "yang",  "huang",   "wu",     "lin"};

double ToDouble(const std::string& text) {
  if (text.empty()) return 0;
  try {
    return std::stod(text);
  } catch (...) {
    return 0;
  }
}

int SexIndex(std::string_view code) {
  if (code == "F") return 0;
  if (code == "M") return 1;
  return -1;
}

void AddToSexes(std::array<NamePool, 2>& pools, int sex, const std::string& name, double weight) {
  for (int s = 0; s < 2; ++s) {
    if (sex < 0 || sex == s) pools[s].Add(name, weight);
  }
}

// Appends `from` to `to`, scaled so that `from` makes up `share` of the final weight.
void Blend(NamePool& to, const NamePool& from, double share) {
  double to_total = 0, from_total = 0;
  for (double w : to.weights) to_total += w;
  for (double w : from.weights) from_total += w;
  if (from_total <= 0) return;
  const double target = to_total <= 0 ? 1.0 : to_total * share / (1.0 - share);
  for (size_t i = 0; i < from.names.size(); ++i) to.Add(from.names[i], from.weights[i] * target / from_total);
}

// Polish feminine surname forms (Kowalski -> Kowalska).
std::string FeminisePolish(const std::string& name) {
  for (std::string_view ending : {"ski", "cki", "dzki"}) {
    if (name.size() > ending.size() && name.compare(name.size() - ending.size(), ending.size(), ending) == 0) {
      return name.substr(0, name.size() - 1) + "a";
    }
  }
  return name;
}

}  // namespace

std::string UnitPostcode(const Sector& sector, Rng& rng) {
  static constexpr std::string_view kInwardLetters = "ABDEFGHJLNPQRSTUWXYZ";
  std::string code = sector.code;
  code += kInwardLetters[rng.Index(kInwardLetters.size())];
  code += kInwardLetters[rng.Index(kInwardLetters.size())];
  return code;
}

Result<ReferenceData> LoadReferenceData(const std::filesystem::path& data_dir) {
  ReferenceData ref;
  const std::filesystem::path names = data_dir / "names";

  // --- ONS given names: white British and the English-name share of other origins.
  RR_ASSIGN_OR_RETURN(CsvTable ons, ReadCsv(names / "given_names_ew_2000_2015.csv"));
  const int c_name = ons.Column("name"), c_sex = ons.Column("sex"), c_0003 = ons.Column("count_2000_2003"),
            c_0811 = ons.Column("count_2008_2011"), c_1215 = ons.Column("count_2012_2015");
  if (c_name < 0 || c_sex < 0 || c_0003 < 0 || c_0811 < 0 || c_1215 < 0) {
    return Status::InvalidArgument("given_names_ew_2000_2015.csv lacks expected columns");
  }
  std::set<std::string> south_asian_given;
  for (const char* n : kSouthAsianGivenMale) south_asian_given.insert(n);
  for (const char* n : kSouthAsianGivenFemale) south_asian_given.insert(n);
  // name+sex -> (child weight, adult weight), for re-weighting curated lists.
  std::map<std::pair<std::string, int>, std::pair<double, double>> ons_weight;
  std::array<NamePool, 2> ons_child, ons_adult;
  for (const auto& row : ons.rows) {
    if (row.size() < ons.header.size()) continue;
    const int sex = SexIndex(row[static_cast<size_t>(c_sex)]);
    if (sex < 0) continue;
    const std::string& name = row[static_cast<size_t>(c_name)];
    const double child_w = ToDouble(row[static_cast<size_t>(c_0811)]) + ToDouble(row[static_cast<size_t>(c_1215)]);
    const double adult_w = ToDouble(row[static_cast<size_t>(c_0003)]);
    ons_weight[{name, sex}] = {child_w, adult_w};
    if (name.find('.') != std::string::npos) continue;  // "A.J." style entries make poor synthetic names
    if (child_w >= 20) ons_child[sex].Add(name, child_w);
    if (adult_w >= 10) ons_adult[sex].Add(name, adult_w);
    if (south_asian_given.count(name) > 0) continue;
    if (child_w >= 20) ref.child_given[kWb][sex].Add(name, child_w);
    if (adult_w >= 10) ref.adult_given[kWb][sex].Add(name, adult_w);
  }

  // --- South Asian given names: curated + sigpwned (PK, IN, BD) + Faker en_IN, ONS-weighted where listed.
  std::array<std::set<std::string>, 2> sa_given;
  for (const char* n : kSouthAsianGivenFemale) sa_given[0].insert(n);
  for (const char* n : kSouthAsianGivenMale) sa_given[1].insert(n);
  RR_ASSIGN_OR_RETURN(CsvTable sig_fore, ReadCsv(names / "forenames_by_country_sigpwned.csv"));
  {
    const int c_country = sig_fore.Column("Country"), c_gender = sig_fore.Column("Gender"),
              c_roman = sig_fore.Column("Romanized Name");
    if (c_country < 0 || c_gender < 0 || c_roman < 0) return Status::InvalidArgument("sigpwned forenames: bad header");
    for (const auto& row : sig_fore.rows) {
      if (row.size() < sig_fore.header.size()) continue;
      const std::string& country = row[static_cast<size_t>(c_country)];
      if (country != "PK" && country != "IN" && country != "BD") continue;
      const int sex = SexIndex(row[static_cast<size_t>(c_gender)]);
      const std::string& name = row[static_cast<size_t>(c_roman)];
      if (sex >= 0 && !name.empty() && name.find(' ') == std::string::npos) sa_given[sex].insert(name);
    }
  }
  RR_ASSIGN_OR_RETURN(CsvTable faker, ReadCsv(names / "names_by_locale_faker.csv"));
  const int f_locale = faker.Column("locale"), f_part = faker.Column("name_part"), f_sex = faker.Column("sex"),
            f_name = faker.Column("name"), f_weight = faker.Column("weight");
  if (f_locale < 0 || f_part < 0 || f_sex < 0 || f_name < 0 || f_weight < 0) {
    return Status::InvalidArgument("names_by_locale_faker.csv lacks expected columns");
  }
  std::array<NamePool, 2> african_given, ee_given, ee_surname;
  NamePool african_surname;
  std::map<std::string, double> ee_locale_total;  // equal share per locale
  for (const auto& row : faker.rows) {
    if (row.size() < faker.header.size()) continue;
    const std::string& locale = row[static_cast<size_t>(f_locale)];
    const std::string& part = row[static_cast<size_t>(f_part)];
    const int sex = SexIndex(row[static_cast<size_t>(f_sex)]);
    const std::string& name = row[static_cast<size_t>(f_name)];
    if (name.empty() || name.find(' ') != std::string::npos) continue;
    const double weight =
        row[static_cast<size_t>(f_weight)].empty() ? 1.0 : ToDouble(row[static_cast<size_t>(f_weight)]);
    const bool african =
        locale == "en_NG" || locale == "yo_NG" || locale == "ig_NG" || locale == "ha_NG" || locale == "tw_GH";
    const bool east_european = locale == "pl_PL" || locale == "ro_RO" || locale == "lt_LT" || locale == "lv_LV" ||
                               locale == "sk_SK" || locale == "cs_CZ" || locale == "hu_HU";
    if (locale == "en_IN" && part == "given" && sex >= 0) sa_given[sex].insert(name);
    if (african && part == "given" && sex >= 0) african_given[sex].Add(name, 1.0);
    if (african && part == "surname") african_surname.Add(name, 1.0);
    if (east_european && part == "given" && sex >= 0)
      ee_given[sex].Add(name, locale == "hu_HU" ? weight / 20000.0 : 1.0);
    if (east_european && part == "surname") {
      AddToSexes(ee_surname, sex, name, locale == "hu_HU" ? weight / 20000.0 : 1.0);
      ee_locale_total[locale] += 1;
    }
  }
  for (int sex = 0; sex < 2; ++sex) {
    for (const std::string& name : sa_given[sex]) {
      auto it = ons_weight.find({name, sex});
      const double child_w = it != ons_weight.end() ? std::max(it->second.first, 30.0) : 30.0;
      const double adult_w = it != ons_weight.end() ? std::max(it->second.second, 15.0) : 15.0;
      ref.child_given[kSa][sex].Add(name, child_w);
      ref.adult_given[kSa][sex].Add(name, adult_w);
    }
  }

  // --- Surnames.
  RR_ASSIGN_OR_RETURN(CsvTable gb, ReadCsv(names / "surnames_gb_sdglinkage.csv"));
  NamePool gb_surnames;
  {
    const int c_surname = gb.Column("surname"), c_freq = gb.Column("freq");
    if (c_surname < 0 || c_freq < 0) return Status::InvalidArgument("surnames_gb_sdglinkage.csv: bad header");
    // Apostrophes were stripped upstream; restore the common Irish ones so punctuation variants occur.
    const std::map<std::string, std::string> kApostrophe = {
        {"oneill", "O'Neill"},       {"obrien", "O'Brien"},       {"oconnor", "O'Connor"},   {"odonnell", "O'Donnell"},
        {"oreilly", "O'Reilly"},     {"osullivan", "O'Sullivan"}, {"oconnell", "O'Connell"}, {"okeefe", "O'Keefe"},
        {"odriscoll", "O'Driscoll"}, {"ohara", "O'Hara"},         {"oleary", "O'Leary"},     {"omalley", "O'Malley"}};
    std::set<std::string> seen;
    for (const auto& row : gb.rows) {
      if (row.size() < gb.header.size()) continue;
      const std::string& lower = row[static_cast<size_t>(c_surname)];
      if (lower.size() < 2 || !seen.insert(lower).second) continue;
      if (kNotWhiteBritishSurnames.count(lower) > 0) continue;
      auto apostrophe = kApostrophe.find(lower);
      gb_surnames.Add(apostrophe != kApostrophe.end() ? apostrophe->second : TitleCaseName(lower),
                      ToDouble(row[static_cast<size_t>(c_freq)]));
    }
  }
  NamePool sa_surnames_sex[2];
  for (const auto& entry : kSouthAsianSurnames) {
    for (int sex = 0; sex < 2; ++sex) {
      if (entry.sex < 0 || entry.sex == sex) sa_surnames_sex[sex].Add(entry.name, entry.weight);
    }
  }
  RR_ASSIGN_OR_RETURN(CsvTable sig_sur, ReadCsv(names / "surnames_by_country_sigpwned.csv"));
  {
    const int c_country = sig_sur.Column("Country"), c_roman = sig_sur.Column("Romanized Name");
    if (c_country < 0 || c_roman < 0) return Status::InvalidArgument("sigpwned surnames: bad header");
    for (const auto& row : sig_sur.rows) {
      if (row.size() < sig_sur.header.size()) continue;
      const std::string& country = row[static_cast<size_t>(c_country)];
      const std::string& name = row[static_cast<size_t>(c_roman)];
      if (name.empty() || name.find(' ') != std::string::npos) continue;
      if (country == "IN" || country == "BD") {
        for (auto& pool : sa_surnames_sex) pool.Add(name, 0.5);
      } else if (country == "PL") {
        ee_surname[1].Add(name, 2.0);
        ee_surname[0].Add(FeminisePolish(name), 2.0);
      }
    }
  }
  RR_ASSIGN_OR_RETURN(CsvTable wiki, ReadCsv(names / "name_tokens_by_origin_wikipedia_ethnicolr.csv"));
  NamePool mixed_surnames;
  {
    const int c_part = wiki.Column("name_part"), c_name = wiki.Column("name"), c_n = wiki.Column("n_people");
    if (c_part < 0 || c_name < 0 || c_n < 0) return Status::InvalidArgument("ethnicolr tokens: bad header");
    for (const auto& row : wiki.rows) {
      if (row.size() < wiki.header.size() || row[static_cast<size_t>(c_part)] != "surname") continue;
      const std::string& name = row[static_cast<size_t>(c_name)];
      if (name.size() < 3 || name.find('.') != std::string::npos) continue;
      mixed_surnames.Add(name, ToDouble(row[static_cast<size_t>(c_n)]));
    }
  }

  // --- Assemble the pools per origin.
  for (int sex = 0; sex < 2; ++sex) {
    ref.surname[kWb][sex] = gb_surnames;
    ref.surname[kSa][sex] = sa_surnames_sex[sex];
    // Caribbean-heritage families mostly have English-origin names; African ones their own.
    ref.child_given[kBac][sex] = african_given[sex];
    Blend(ref.child_given[kBac][sex], ons_child[sex], 0.5);
    ref.adult_given[kBac][sex] = african_given[sex];
    Blend(ref.adult_given[kBac][sex], ons_adult[sex], 0.5);
    ref.surname[kBac][sex] = african_surname;
    Blend(ref.surname[kBac][sex], gb_surnames, 0.5);
    ref.child_given[kEe][sex] = ee_given[sex];
    ref.adult_given[kEe][sex] = ee_given[sex];
    ref.surname[kEe][sex] = ee_surname[sex];
    ref.child_given[kOt][sex] = ons_child[sex];
    ref.adult_given[kOt][sex] = ons_adult[sex];
    ref.surname[kOt][sex] = gb_surnames;
    Blend(ref.surname[kOt][sex], mixed_surnames, 0.4);
  }
  for (int origin = 0; origin < kNameOriginCount; ++origin) {
    for (int sex = 0; sex < 2; ++sex) {
      for (NamePool* pool : {&ref.child_given[origin][sex], &ref.adult_given[origin][sex], &ref.surname[origin][sex]}) {
        if (pool->empty()) return Status::InvalidArgument("an empty name pool: check the names/ reference files");
        pool->Finish();
      }
    }
  }

  // --- Nicknames and transliterations.
  RR_ASSIGN_OR_RETURN(CsvTable nick, ReadCsv(names / "nicknames_carltonnorthern.csv"));
  for (const auto& row : nick.rows) {
    if (row.size() < 3 || row[1] != "has_nickname" || row[2].size() < 2) continue;
    ref.nicknames[row[0]].push_back(TitleCaseName(row[2]));
  }
  for (const auto& group : kTransliterationGroups) {
    for (const std::string& spelling : group) {
      auto& others = ref.transliterations[AsciiLower(spelling)];
      for (const std::string& other : group) {
        if (other != spelling) others.push_back(other);
      }
    }
  }

  // --- Postcode sectors by district.
  RR_ASSIGN_OR_RETURN(CsvTable sectors, ReadCsv(data_dir / "geo" / "wm_postcode_sectors.csv"));
  const int s_sector = sectors.Column("sector"), s_lat = sectors.Column("lat"), s_lon = sectors.Column("lon"),
            s_n = sectors.Column("n_postcodes"), s_lad = sectors.Column("lad_name");
  if (s_sector < 0 || s_lat < 0 || s_lon < 0 || s_n < 0 || s_lad < 0) {
    return Status::InvalidArgument("wm_postcode_sectors.csv lacks expected columns");
  }
  std::array<std::vector<double>, kDistrictCount> sector_weights;
  for (const auto& row : sectors.rows) {
    if (row.size() < sectors.header.size()) continue;
    for (int d = 0; d < kDistrictCount; ++d) {
      if (row[static_cast<size_t>(s_lad)] != kDistricts[static_cast<size_t>(d)]) continue;
      const double n = ToDouble(row[static_cast<size_t>(s_n)]);
      if (n < 5) continue;  // sectors with a handful of postcodes are mostly non-residential
      ref.sectors[d].push_back({row[static_cast<size_t>(s_sector)], ToDouble(row[static_cast<size_t>(s_lat)]),
                                ToDouble(row[static_cast<size_t>(s_lon)])});
      sector_weights[d].push_back(n);
      ref.district_weight[d] += n;
    }
  }
  for (int d = 0; d < kDistrictCount; ++d) {
    if (ref.sectors[d].empty()) return Status::InvalidArgument("no postcode sectors for " + std::string(kDistricts[d]));
    ref.sector_index[d] = WeightedIndex(sector_weights[d]);
  }
  ref.district_index = WeightedIndex(std::vector<double>(ref.district_weight.begin(), ref.district_weight.end()));
  return ref;
}

}  // namespace riskradar::synth
