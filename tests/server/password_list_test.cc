// The password policy with the shipped deny list (issue 11 item 9): at least 100,000 common passwords,
// loaded once, compared case-insensitively, and the ASVS v4 length rules (12 or more characters, 64 and far
// more allowed, no composition rules, no truncation).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "riskradar/server/auth.h"

namespace riskradar::server {
namespace password_list_test {

TEST(PasswordListTest, TheShippedListHasItsLicenceAndOverAHundredThousandEntries) {
  const auto list = DefaultDenyListPath();
  EXPECT_TRUE(std::filesystem::exists(list.parent_path() / "LICENSE-CC-BY-SA-3.0.txt"));
  EXPECT_TRUE(std::filesystem::exists(list.parent_path() / "README.md"));
  auto policy = PasswordPolicy::LoadDefault();
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  // 143,661 lines; a few differ only by case, and the local list adds its own.
  EXPECT_GE(policy->deny_list_size(), 140000u);
  auto shipped = PasswordPolicy::Load(list);
  ASSERT_TRUE(shipped.ok());
  EXPECT_GE(shipped->deny_list_size(), 100000u);
  EXPECT_LE(shipped->deny_list_size(), 143661u);
}

TEST(PasswordListTest, CommonPasswordsAreRefusedWhateverTheirCaseOrRank) {
  auto policy = PasswordPolicy::LoadDefault();
  ASSERT_TRUE(policy.ok());
  for (const char* common : {"password1234", "PASSWORD1234", "1q2w3e4r5t6y",  // the top 100,000
                             "vladgreyd19961970vg",                           // a long one ranked past 100,000
                             "###int_made###",                                // starts with '#': not a comment
                             "birmingham2025"}) {                             // the local list
    const Status st = policy->Check(common, "amy");
    EXPECT_FALSE(st.ok()) << common;
    EXPECT_NE(st.message().find("common-passwords"), std::string::npos) << common << ": " << st.message();
  }
}

TEST(PasswordListTest, AsvsLengthRulesWithoutCompositionRules) {
  auto policy = PasswordPolicy::LoadDefault();
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->Check("zqxjvbwkpmt", "amy").ok());  // 11 characters
  EXPECT_TRUE(policy->Check("zqxjvbwkpmtr", "amy").ok());  // 12, lower-case letters only: no composition rule
  EXPECT_TRUE(policy->Check(std::string(64, 'q'), "amy").ok());
  EXPECT_TRUE(policy->Check(std::string(PasswordPolicy::kMaxLength, 'q'), "amy").ok());
  EXPECT_FALSE(policy->Check(std::string(PasswordPolicy::kMaxLength + 1, 'q'), "amy").ok());  // refused, not cut
  EXPECT_TRUE(policy->Check("unicode passphrase \xC3\xA9t\xC3\xA9 \xF0\x9F\x8C\x9E", "amy").ok());
}

}  // namespace password_list_test
}  // namespace riskradar::server
