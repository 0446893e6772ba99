// National identifiers and postcodes: validation and normalisation (DOMAIN.md).
#pragma once

#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

// NHS number: 10 digits (spaces and hyphens allowed in input), modulus-11 check digit.
// Returns the 10 digits, or InvalidArgument saying why.
Result<std::string> NormaliseNhsNumber(std::string_view text);
bool IsValidNhsNumber(std::string_view digits10);
// The check digit for 9 leading digits, or -1 when no valid check digit exists (remainder 10).
int NhsCheckDigit(std::string_view first9);

// Unique Pupil Number: check letter then 12 characters (digits, the last may be a
// letter for a temporary UPN). Returns the upper-cased 13 characters.
Result<std::string> NormaliseUpn(std::string_view text);
// The check letter for characters 2-13 of a UPN (12 characters).
Result<char> UpnCheckLetter(std::string_view chars2to13);

// UK postcode: returns "OUT IN" upper case ("B12 9QT"), or InvalidArgument.
// ZZ99 pseudo-postcodes (NHS: no fixed abode, not known) are accepted.
Result<std::string> NormalisePostcode(std::string_view text);
bool IsPseudoPostcode(std::string_view normalised);
// Parts of a normalised postcode: "B12" (district), "B12 9" (sector), "B" (area).
std::string PostcodeDistrict(std::string_view normalised);
std::string PostcodeSector(std::string_view normalised);
std::string PostcodeArea(std::string_view normalised);

}  // namespace riskradar
