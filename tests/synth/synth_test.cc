// Tests for riskradar synth (placeholder; replaced below).
#include <gtest/gtest.h>
#include "riskradar/synth/synth.h"
TEST(Synth, Builds) {}
