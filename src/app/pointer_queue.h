// Mouse button changes in the order they happened, each with the position where it happened.
// Dear ImGui 1.86's GLFW backend reads the cursor and the buttons once a frame. Frames wait while the page
// analyses an image and an idle page draws none, so a press and release made between two frames would land
// wherever the cursor is at the next frame (a click on "Compare both" then a move to "Export CSV" clicked the
// export), or a second click would be lost. The queue hands ImGui one change a frame, at its own position.
#pragma once
#include <array>
#include <deque>
#include <optional>

namespace app {

constexpr int kPointerButtons = 5;  // ImGuiMouseButton_COUNT

struct PointerState {
  float x = 0, y = 0;
  std::array<bool, kPointerButtons> down{};
};

class PointerQueue {
 public:
  // A button went down or up at (x, y); buttons outside 0..kPointerButtons-1 are ignored.
  void button(float x, float y, int button, bool down);
  bool pending() const { return !changes_.empty(); }
  // The pointer for the next frame: the oldest pending change applied to the state given last, or nothing
  // when no change waits (then the backend's own reading is the present state).
  std::optional<PointerState> next();

 private:
  struct Change {
    float x, y;
    int button;
    bool down;
  };
  std::deque<Change> changes_;
  PointerState state_;
};

}  // namespace app
