// Name normalisation and name-variant groups (see names.h).
#include "riskradar/linkage/names.h"
#include "riskradar/core/paths.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "riskradar/linkage/comparators.h"

namespace riskradar::linkage {
namespace {

// Spelling variants of South Asian and Arabic names, transliterated into Latin
// script in many ways by different agencies. No open curated list exists
// (data/reference/names/README.md), so this one is hand-written. Each line is
// one group; groups are used for both forenames and surnames because many of
// these names (Ali, Hussain, Ahmed, Islam) are used as either.
constexpr const char* kTransliterationGroups[] = {
    "mohammed muhammad mohammad mohamed muhammed mohamad mohammod muhammet mohamud mahomed mohd md mohammud muhamad",
    "hussain hussein husain hussien hossain hosain husein hossein houssein",
    "hassan hasan hassen hasson",
    "ahmed ahmad ahmet ahamed ahmod ahmmed",
    "akhtar akhter akter aktar akhtir",
    "chowdhury choudhury chaudhry chaudhary choudhry chowdhry chaudhri choudhary chowdury chaudry",
    "begum begam beghum",
    "rahman rehman rahaman rahmen",
    "mahmood mahmud mehmood mahmoud mehmud mahmod",
    "yusuf yousef yousuf youssef yusef yousaf yusuff yousif",
    "ali aly alee",
    "fatima fatimah fatema fathima fatuma fatma",
    "aisha ayesha aysha aishah ayisha aiesha",
    "abdul abdal abdool abdel",
    "abdullah abdulla abdallah",
    "khadija khadijah khadeeja khadeja khadijha",
    "zainab zaynab zeinab zenab",
    "maryam mariam maryum meryem",
    "omar umar omer umer",
    "osman usman othman uthman osmaan",
    "ibrahim ebrahim ibraheem ibrahem",
    "ismail ismael ismaeel esmail",
    "yasmin yasmeen yasmine",
    "nasreen nasrin nasrine",
    "shahid shaheed",
    "rashid rasheed rashed",
    "hamid hameed hamed",
    "majid majeed majed",
    "islam islaam",
    "iqbal ikbal",
    "khan khaan",
    "qureshi kureshi qureishi quraishi",
    "siddiqui siddiqi siddique siddiqi",
    "mustafa mustapha mostafa",
    "mohsin muhsin",
    "javed javaid javid",
    "nur noor",
    "nurul noorul",
    "amin ameen",
    "karim kareem kerim",
    "rahim raheem",
    "salim saleem selim",
    "naeem naim nayeem",
    "nadeem nadim",
    "waseem wasim",
    "zubair zubayr zuber",
    "bilal belal",
    "tariq tarik tareq",
    "faisal faysal feisal",
    "khalid khaled",
    "sulaiman suleman sulayman suleiman sulaman",
    "yaqub yakub yacoub yaqoob",
    "ayub ayoub ayyub ayoob",
    "younis younus yunus younas",
    "idris idrees edris",
    "anwar anwer",
    "parveen parvin perveen",
    "parvez pervez parvaiz perwez",
    "sultana sultanah",
    "nasir naseer nasser",
    "habib habeeb",
    "jamal jamaal",
    "ayaan ayan",
    "hafsa hafsah",
    "sumaiya sumaya sumayyah sumaia",
    "amina aminah ameena",
    "safiya safia safiyyah",
    "hamza hamzah",
    "haider hyder haidar",
    "shaikh sheikh shaik sheik",
    "syed sayed sayyed sayyid",
    "saeed sayeed saeid",
    "miah miya",
    "uddin udin uddeen",
    "abdi abdy",
    "farah farrah",
    "zain zayn",
};

const std::vector<uint32_t>& EmptyGroups() {
  static const std::vector<uint32_t> kEmpty;
  return kEmpty;
}

// Letters NFKD leaves whole; mapped so that Søren == Soren and Łukasz == Lukasz.
std::string_view FoldSpecialLetter(char32_t c) {
  switch (c) {
    case U'ø':
      return "o";
    case U'ł':
      return "l";
    case U'đ':
      return "d";
    case U'æ':
      return "ae";
    case U'œ':
      return "oe";
    case U'þ':
      return "th";
    case U'ð':
      return "d";
    case U'ı':
      return "i";
    case U'ß':
      return "ss";
    default:
      return {};
  }
}

bool IsApostrophe(char32_t c) {
  return c == U'\'' || c == U'\u2019' || c == U'\u2018' || c == U'\u02BC' || c == U'`' || c == U'\u00B4';
}

std::vector<std::string> FoldTokens(std::string_view raw) {
  std::vector<std::string> tokens;
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(raw.data()),
                              static_cast<utf8proc_ssize_t>(raw.size()), &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                                             UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE));
  std::u32string folded;
  if (n >= 0) {
    folded = DecodeUtf8(std::string_view(reinterpret_cast<const char*>(out), static_cast<size_t>(n)));
    std::free(out);
  } else {
    folded = DecodeUtf8(raw);  // invalid UTF-8: compare what we can
  }
  std::string current;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  for (char32_t c : folded) {
    if (IsApostrophe(c)) continue;
    if (const auto special = FoldSpecialLetter(c); !special.empty()) {
      current += special;
      continue;
    }
    if (c < 0x80) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        current.push_back(static_cast<char>(c));
      else if (c >= 'A' && c <= 'Z')
        current.push_back(static_cast<char>(c + 32));
      else
        flush();
      continue;
    }
    const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    const bool letter_or_digit = category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
    const bool number = category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO;
    const bool mark = category >= UTF8PROC_CATEGORY_MN && category <= UTF8PROC_CATEGORY_ME;
    if (mark) continue;
    if (letter_or_digit || number)
      current += EncodeUtf8(std::u32string_view(&c, 1));
    else
      flush();
  }
  flush();
  return tokens;
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  for (char c : line) {
    if (c == ',') {
      out.push_back(field);
      field.clear();
    } else if (c != '\r' && c != '"') {
      field.push_back(c);
    }
  }
  out.push_back(field);
  return out;
}

bool ShareGroup(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) return true;
    if (a[i] < b[j])
      ++i;
    else
      ++j;
  }
  return false;
}

}  // namespace

NormalisedName NormaliseName(std::string_view raw) {
  NormalisedName name;
  name.tokens = FoldTokens(raw);
  for (const auto& t : name.tokens) name.joined += t;
  return name;
}

std::string NormaliseText(std::string_view raw) {
  std::string out;
  for (const auto& t : FoldTokens(raw)) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

void NameVariants::AddGroup(bool forename, const std::vector<std::string>& names) {
  const uint32_t id = next_group_++;
  auto& index = forename ? forename_ : surname_;
  for (const auto& raw : names) {
    const NormalisedName n = NormaliseName(raw);
    if (n.joined.empty()) continue;
    index[n.joined].push_back(id);
  }
  (forename ? forename_groups_ : surname_groups_)++;
}

void NameVariants::AddTransliterations() {
  for (const char* line : kTransliterationGroups) {
    std::vector<std::string> names;
    std::istringstream in(line);
    for (std::string word; in >> word;) names.push_back(word);
    AddGroup(true, names);
    AddGroup(false, names);
  }
}

void NameVariants::Finish() {
  for (auto* index : {&forename_, &surname_}) {
    for (auto& [name, groups] : *index) {
      std::sort(groups.begin(), groups.end());
      groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    }
  }
}

NameVariants NameVariants::BuiltIn() {
  NameVariants v;
  v.AddTransliterations();
  v.Finish();
  return v;
}

Result<NameVariants> NameVariants::Load(const std::string& reference_dir) {
  NameVariants v;
  v.AddTransliterations();
  // Each file maps a reference name to one variant per line; a reference name
  // and all its variants form one group.
  struct Source {
    const char* file;
    bool forename;
    size_t variant_column;  // carltonnorthern's middle column is the relationship
  };
  for (const Source& source :
       {Source{"nicknames_carltonnorthern.csv", true, 2}, Source{"forename_variants_sdglinkage.csv", true, 1},
        Source{"surname_variants_sdglinkage.csv", false, 1}}) {
    const std::string path = reference_dir + "/names/" + source.file;
    std::ifstream in(path);
    if (!in) return Status::NotFound("name variant file not found: " + path);
    std::map<std::string, std::vector<std::string>> groups;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      const auto cols = SplitCsvLine(line);
      if (cols.size() <= source.variant_column || cols[0].empty()) continue;
      auto& group = groups[cols[0]];
      if (group.empty()) group.push_back(cols[0]);
      group.push_back(cols[source.variant_column]);
    }
    for (const auto& [name, members] : groups) v.AddGroup(source.forename, members);
  }
  v.Finish();
  return v;
}

const std::vector<uint32_t>& NameVariants::ForenameGroups(std::string_view token) const {
  const auto it = forename_.find(std::string(token));
  return it == forename_.end() ? EmptyGroups() : it->second;
}

const std::vector<uint32_t>& NameVariants::SurnameGroups(std::string_view token) const {
  const auto it = surname_.find(std::string(token));
  return it == surname_.end() ? EmptyGroups() : it->second;
}

bool NameVariants::ForenamesEquivalent(std::string_view a, std::string_view b) const {
  const auto na = NormaliseName(a);
  const auto nb = NormaliseName(b);
  for (const auto& ta : na.tokens) {
    for (const auto& tb : nb.tokens) {
      if (ta == tb || ShareGroup(ForenameGroups(ta), ForenameGroups(tb))) return true;
    }
  }
  return false;
}

bool NameVariants::SurnamesEquivalent(std::string_view a, std::string_view b) const {
  const auto na = NormaliseName(a);
  const auto nb = NormaliseName(b);
  for (const auto& ta : na.tokens) {
    for (const auto& tb : nb.tokens) {
      if (ta == tb || ShareGroup(SurnameGroups(ta), SurnameGroups(tb))) return true;
    }
  }
  return false;
}

std::string DefaultReferenceDir() { return DataPath("data/reference").string(); }

Result<std::shared_ptr<const NameVariants>> SharedNameVariants(const std::string& reference_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const NameVariants>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(reference_dir); it != cache.end()) return it->second;
  auto loaded = NameVariants::Load(reference_dir);
  if (!loaded.ok()) return loaded.status();
  auto shared = std::make_shared<const NameVariants>(std::move(loaded).value());
  cache.emplace(reference_dir, shared);
  return shared;
}

}  // namespace riskradar::linkage
