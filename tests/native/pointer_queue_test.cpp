#include "app/pointer_queue.h"

#include <gtest/gtest.h>

namespace {

TEST(PointerQueue, NothingPendingLeavesTheBackendsReading) {
  app::PointerQueue q;
  EXPECT_FALSE(q.pending());
  EXPECT_FALSE(q.next().has_value());
}

// A click made between two frames, then a move elsewhere: the press and the release are given at the
// click's position on two frames, whatever the cursor does meanwhile.
TEST(PointerQueue, AClickBetweenFramesIsGivenWhereItWasMadeOneChangeAFrame) {
  app::PointerQueue q;
  q.button(10, 20, 0, true);
  q.button(11, 21, 0, false);
  q.button(300, 40, 0, true);
  q.button(300, 40, 0, false);
  const auto a = q.next(), b = q.next(), c = q.next(), d = q.next();
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(a->x, 10);
  EXPECT_EQ(a->y, 20);
  EXPECT_TRUE(a->down[0]);
  EXPECT_EQ(b->x, 11);
  EXPECT_FALSE(b->down[0]);
  EXPECT_EQ(c->x, 300);
  EXPECT_TRUE(c->down[0]);
  EXPECT_FALSE(d->down[0]);
  EXPECT_FALSE(q.pending());
  EXPECT_FALSE(q.next().has_value());
}

TEST(PointerQueue, OtherButtonsKeepTheirStateAndUnknownButtonsAreIgnored) {
  app::PointerQueue q;
  q.button(5, 5, 1, true);
  q.button(6, 6, 0, true);
  q.button(6, 6, 7, true);
  q.button(6, 6, -1, true);
  const auto a = q.next(), b = q.next();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->down[1]);
  EXPECT_FALSE(a->down[0]);
  EXPECT_TRUE(b->down[1]);
  EXPECT_TRUE(b->down[0]);
  EXPECT_FALSE(q.pending());
}

}  // namespace
