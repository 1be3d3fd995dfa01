#include "lib/assign/assigner.h"

#include <gtest/gtest.h>

namespace holdfast {
namespace {
TEST(AssignerTest, Placeholder) {}
}  // namespace
}  // namespace holdfast
