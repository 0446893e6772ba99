// One suite-wide fixture for the linkage tests that share a linked synthetic population: `People` synthetic
// people (seed `Seed`, synthetic.h) linked once per suite with the default options.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "riskradar/linkage/person.h"
#include "synthetic.h"

namespace riskradar::linkage::testing {

template <int People, uint64_t Seed>
class LinkedSyntheticPeople : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = std::make_unique<SyntheticPeople>(MakeSyntheticPeople(People, Seed));
    auto result = LinkPersons(data_->records, LinkageOptions{});
    ASSERT_TRUE(result.ok()) << result.status().message();
    linked_ = std::make_unique<PersonLinkage>(std::move(result).value());
  }
  static void TearDownTestSuite() {
    data_.reset();
    linked_.reset();
  }
  static inline std::unique_ptr<SyntheticPeople> data_;
  static inline std::unique_ptr<PersonLinkage> linked_;
};

}  // namespace riskradar::linkage::testing
