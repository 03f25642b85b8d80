#include "app/frame_signature.h"

#include <cstring>

namespace app {
namespace {

// 64-bit FNV-1a over 8-byte words (a signature, not a defence against crafted input).
struct Digest {
  uint64_t h = 1469598103934665603ull;
  void word(uint64_t w) { h = (h ^ w) * 1099511628211ull; }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (; n >= 8; n -= 8, b += 8) {
      uint64_t w;
      std::memcpy(&w, b, 8);
      word(w);
    }
    uint64_t tail = 0;
    std::memcpy(&tail, b, n);
    word(tail ^ (static_cast<uint64_t>(n) << 56));
  }
};

}  // namespace

uint64_t frame_signature(const ImDrawData& draw, uint64_t content, int fb_width, int fb_height) {
  Digest d;
  d.word(content);
  d.word((static_cast<uint64_t>(static_cast<uint32_t>(fb_width)) << 32) | static_cast<uint32_t>(fb_height));
  d.bytes(&draw.DisplayPos, sizeof draw.DisplayPos);
  d.bytes(&draw.DisplaySize, sizeof draw.DisplaySize);
  d.bytes(&draw.FramebufferScale, sizeof draw.FramebufferScale);
  for (int i = 0; i < draw.CmdListsCount; ++i) {
    const ImDrawList& list = *draw.CmdLists[i];
    d.bytes(list.VtxBuffer.Data, static_cast<size_t>(list.VtxBuffer.Size) * sizeof(ImDrawVert));
    d.bytes(list.IdxBuffer.Data, static_cast<size_t>(list.IdxBuffer.Size) * sizeof(ImDrawIdx));
    for (const ImDrawCmd& c : list.CmdBuffer) {
      d.bytes(&c.ClipRect, sizeof c.ClipRect);
      d.word(reinterpret_cast<uintptr_t>(c.TextureId));
      d.word((static_cast<uint64_t>(c.VtxOffset) << 32) | c.IdxOffset);
      d.word(c.ElemCount);
      d.word(reinterpret_cast<uintptr_t>(c.UserCallback));
      d.word(reinterpret_cast<uintptr_t>(c.UserCallbackData));
    }
  }
  return d.h;
}

}  // namespace app
