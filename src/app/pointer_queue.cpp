#include "pointer_queue.h"

namespace app {

void PointerQueue::button(float x, float y, int button, bool down) {
  if (button < 0 || button >= kPointerButtons) return;
  changes_.push_back({x, y, button, down});
}

std::optional<PointerState> PointerQueue::next() {
  if (changes_.empty()) return std::nullopt;
  const Change c = changes_.front();
  changes_.pop_front();
  state_.x = c.x;
  state_.y = c.y;
  state_.down[c.button] = c.down;
  return state_;
}

}  // namespace app
