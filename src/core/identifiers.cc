// NHS number, UPN and postcode checks as described in DOMAIN.md.
#include "riskradar/core/identifiers.h"

#include <cctype>

namespace riskradar {
namespace {

constexpr std::string_view kUpnLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";  // A-Z without I, O, S

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z'); }

std::string StripSeparators(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

int NhsCheckDigit(std::string_view first9) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += (first9[i] - '0') * static_cast<int>(10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  return check == 10 ? -1 : check;
}

bool IsValidNhsNumber(std::string_view d) {
  if (d.size() != 10) return false;
  for (char c : d) {
    if (!IsDigit(c)) return false;
  }
  return NhsCheckDigit(d.substr(0, 9)) == d[9] - '0';
}

Result<std::string> NormaliseNhsNumber(std::string_view text) {
  std::string digits = StripSeparators(text);
  if (digits.size() != 10)
    return Status::InvalidArgument("NHS number must have 10 digits, found " + std::to_string(digits.size()) +
                                   " characters");
  for (char c : digits) {
    if (!IsDigit(c)) return Status::InvalidArgument("NHS number must contain only digits");
  }
  if (!IsValidNhsNumber(digits)) return Status::InvalidArgument("NHS number check digit is wrong");
  return digits;
}

Result<char> UpnCheckLetter(std::string_view chars) {
  if (chars.size() != 12) return Status::InvalidArgument("UPN body must have 12 characters");
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) {
    const char c = chars[i];
    int value;
    if (IsDigit(c)) {
      value = c - '0';
    } else if (i == 11 && kUpnLetters.find(c) != std::string_view::npos) {
      value = static_cast<int>(kUpnLetters.find(c));
    } else {
      return Status::InvalidArgument("UPN character " + std::to_string(i + 2) + " is not allowed");
    }
    sum += value * static_cast<int>(i + 2);
  }
  return kUpnLetters[static_cast<size_t>(sum % 23)];
}

Result<std::string> NormaliseUpn(std::string_view text) {
  std::string upn = StripSeparators(text);
  if (upn.size() != 13)
    return Status::InvalidArgument("UPN must have 13 characters, found " + std::to_string(upn.size()));
  if (!IsAlpha(upn[0])) return Status::InvalidArgument("UPN must start with its check letter");
  auto expected = UpnCheckLetter(std::string_view(upn).substr(1));
  if (!expected.ok()) return expected.status();
  if (*expected != upn[0]) return Status::InvalidArgument("UPN check letter is wrong");
  return upn;
}

Result<std::string> NormalisePostcode(std::string_view text) {
  std::string pc = StripSeparators(text);
  if (pc.size() < 5 || pc.size() > 7)
    return Status::InvalidArgument("postcode '" + std::string(text) + "' has the wrong length");
  const std::string out = pc.substr(0, pc.size() - 3);
  const std::string in = pc.substr(pc.size() - 3);
  if (!IsDigit(in[0]) || !IsAlpha(in[1]) || !IsAlpha(in[2]))
    return Status::InvalidArgument("postcode '" + std::string(text) + "' has a malformed inward code");
  // Outward: A9, A99, AA9, AA99, A9A, AA9A.
  bool ok = false;
  if (out.size() >= 2 && IsAlpha(out[0])) {
    size_t i = IsAlpha(out[1]) ? 2 : 1;
    if (i < out.size() && IsDigit(out[i])) {
      ++i;
      if (i == out.size())
        ok = true;
      else if (i + 1 == out.size() && (IsDigit(out[i]) || IsAlpha(out[i])))
        ok = true;
    }
  }
  if (!ok) return Status::InvalidArgument("postcode '" + std::string(text) + "' has a malformed outward code");
  return out + " " + in;
}

bool IsPseudoPostcode(std::string_view pc) { return pc.substr(0, 4) == "ZZ99"; }

std::string PostcodeDistrict(std::string_view pc) {
  const size_t space = pc.find(' ');
  return std::string(space == std::string_view::npos ? pc : pc.substr(0, space));
}

std::string PostcodeSector(std::string_view pc) {
  const size_t space = pc.find(' ');
  if (space == std::string_view::npos || space + 1 >= pc.size()) return std::string(pc);
  return std::string(pc.substr(0, space + 2));
}

std::string PostcodeArea(std::string_view pc) {
  std::string area;
  for (char c : pc) {
    if (!IsAlpha(c)) break;
    area += c;
  }
  return area;
}

}  // namespace riskradar
