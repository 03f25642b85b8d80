#include "app/input_queue.h"

#include <gtest/gtest.h>

namespace {

TEST(InputQueue, NothingPendingLeavesTheBackendsReading) {
  app::InputQueue q;
  EXPECT_FALSE(q.pending());
  EXPECT_FALSE(q.next().has_value());
}

// Two clicks made between two frames, the cursor elsewhere after: each press and release is given at its
// click's position, one change a frame, whatever the cursor does meanwhile.
TEST(InputQueue, ClicksBetweenFramesAreGivenWhereTheyWereMadeOneChangeAFrame) {
  app::InputQueue q;
  q.button(10, 20, 0, true);
  q.button(11, 21, 0, false);
  q.button(300, 40, 0, true);
  q.button(300, 40, 0, false);
  const auto a = q.next(), b = q.next(), c = q.next(), d = q.next();
  ASSERT_TRUE(a && b && c && d);
  EXPECT_TRUE(a->positioned);
  EXPECT_EQ(a->x, 10);
  EXPECT_EQ(a->y, 20);
  EXPECT_TRUE(a->buttons[0]);
  EXPECT_EQ(b->x, 11);
  EXPECT_FALSE(b->buttons[0]);
  EXPECT_EQ(c->x, 300);
  EXPECT_TRUE(c->buttons[0]);
  EXPECT_FALSE(d->buttons[0]);
  EXPECT_FALSE(q.pending());
  EXPECT_FALSE(q.next().has_value());
}

// Shift+Tab pressed and released between two frames: the frames see Shift, then Tab with Shift held, then
// the releases; the button held stays held, and the pointer is wherever it is now.
TEST(InputQueue, KeysPressedAndReleasedBetweenFramesAreEachSeenHeld) {
  app::InputQueue q;
  constexpr int kShift = 340, kTab = 258;  // GLFW_KEY_LEFT_SHIFT, GLFW_KEY_TAB
  q.button(7, 8, 0, true);
  q.key(kShift, true);
  q.key(kTab, true);
  q.key(kTab, false);
  q.key(kShift, false);
  q.next();
  const auto shift = q.next(), tab = q.next(), tab_up = q.next(), shift_up = q.next();
  ASSERT_TRUE(shift && tab && tab_up && shift_up);
  EXPECT_TRUE(shift->keys[kShift]);
  EXPECT_FALSE(shift->keys[kTab]);
  EXPECT_TRUE(tab->keys[kShift] && tab->keys[kTab]);
  EXPECT_TRUE(tab_up->keys[kShift] && !tab_up->keys[kTab]);
  EXPECT_FALSE(shift_up->keys[kShift]);
  EXPECT_FALSE(shift_up->positioned);
  EXPECT_TRUE(shift_up->buttons[0]);
  EXPECT_FALSE(q.pending());
}

TEST(InputQueue, OtherButtonsKeepTheirStateAndUnknownCodesAreIgnored) {
  app::InputQueue q;
  q.button(5, 5, 1, true);
  q.button(6, 6, 0, true);
  q.button(6, 6, 7, true);
  q.button(6, 6, -1, true);
  q.key(-1, true);
  q.key(app::kKeys, true);
  const auto a = q.next(), b = q.next();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->buttons[1]);
  EXPECT_FALSE(a->buttons[0]);
  EXPECT_TRUE(b->buttons[1]);
  EXPECT_TRUE(b->buttons[0]);
  EXPECT_FALSE(q.pending());
}

}  // namespace
