// Mouse button and key changes in the order they happened, a button change with the position where it
// happened. Dear ImGui 1.86's GLFW backend reads the cursor and the buttons once a frame, and its key
// callback writes a key's state as it comes. Frames wait while the page analyses an image and an idle page
// draws none, so a press and release made between two frames would land wherever the cursor is at the next
// frame (a click on "Compare both" then a move to "Export CSV" clicked the export), a second click would be
// lost, and a key pressed and released between two frames would never be seen. The queue hands ImGui one
// change a frame, a click at its own position.
#pragma once
#include <array>
#include <deque>
#include <optional>

namespace app {

constexpr int kPointerButtons = 5;  // ImGuiMouseButton_COUNT
constexpr int kKeys = 512;          // ImGuiIO::KeysDown in 1.86, indexed by GLFW key code

struct InputState {
  bool positioned = false;  // the change is a button's: the pointer is at (x, y); else where it is now
  float x = 0, y = 0;
  std::array<bool, kPointerButtons> buttons{};
  std::array<bool, kKeys> keys{};
};

class InputQueue {
 public:
  // A mouse button went down or up at (x, y); a button outside 0..kPointerButtons-1 is ignored.
  void button(float x, float y, int button, bool down);
  // A key went down or up (a repeat is not a change); a key outside 0..kKeys-1 is ignored.
  void key(int key, bool down);
  bool pending() const { return !changes_.empty(); }
  // The input for the next frame: the oldest pending change applied to the state given last, or nothing
  // when no change waits (then what the backend read is the present state).
  std::optional<InputState> next();

 private:
  struct Change {
    bool is_key;
    float x, y;
    int code;
    bool down;
  };
  std::deque<Change> changes_;
  InputState state_;
};

}  // namespace app
