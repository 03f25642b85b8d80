#include "input_queue.h"

namespace app {

void InputQueue::button(float x, float y, int button, bool down) {
  if (button < 0 || button >= kPointerButtons) return;
  changes_.push_back({false, x, y, button, down});
}

void InputQueue::key(int key, bool down) {
  if (key < 0 || key >= kKeys) return;
  changes_.push_back({true, 0, 0, key, down});
}

std::optional<InputState> InputQueue::next() {
  if (changes_.empty()) return std::nullopt;
  const Change c = changes_.front();
  changes_.pop_front();
  state_.positioned = !c.is_key;
  if (c.is_key) {
    state_.keys[static_cast<size_t>(c.code)] = c.down;
  } else {
    state_.x = c.x;
    state_.y = c.y;
    state_.buttons[static_cast<size_t>(c.code)] = c.down;
  }
  return state_;
}

}  // namespace app
