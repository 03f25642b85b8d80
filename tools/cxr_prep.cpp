// cxr-prep: the canonical images of the model contract, made by the same core as the page, for training.
//   cxr-prep --list LIST --out OUT.u8 [--root DIR] [--jobs N]
// LIST holds one image path per line (relative paths are taken under --root). OUT.u8 receives, for line i,
// 256*256 bytes at offset i*65536 (row-major, 8-bit gray). A file that fails gets zeros, and a line
// "i<TAB>path<TAB>message" on stderr. Exit status 0 when the list was processed, 2 on a usage error.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "contract.h"
#include "read_file.h"
#include "study.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: cxr-prep --list LIST --out OUT.u8 [--root DIR] [--jobs N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string list, out, root;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    if (a == "--list") list = argv[++i];
    else if (a == "--out") out = argv[++i];
    else if (a == "--root") root = argv[++i];
    else if (a == "--jobs") jobs = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    else return usage();
  }
  if (list.empty() || out.empty()) return usage();

  std::vector<std::string> paths;
  {
    std::ifstream f(list);
    if (!f) {
      std::fprintf(stderr, "cxr-prep: cannot read %s\n", list.c_str());
      return 2;
    }
    for (std::string line; std::getline(f, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      paths.push_back(!root.empty() && line[0] != '/' ? root + "/" + line : line);
    }
  }
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "cxr-prep: cannot write %s\n", out.c_str());
    return 2;
  }
  constexpr size_t kImageBytes = static_cast<size_t>(xr::kCanonicalSize) * xr::kCanonicalSize;
  if (::ftruncate(fd, static_cast<off_t>(paths.size() * kImageBytes)) != 0) {
    std::fprintf(stderr, "cxr-prep: cannot size %s\n", out.c_str());
    return 2;
  }

  std::atomic<size_t> next{0};
  std::atomic<size_t> failures{0};
  std::mutex err_mutex;
  auto worker = [&] {
    std::vector<uint8_t> bytes;
    for (size_t i; (i = next++) < paths.size();) {
      std::string error;
      if (!read_file(paths[i], bytes)) {
        error = "cannot read the file";
      } else {
        const xr::Study s = xr::open_study(bytes.data(), bytes.size());
        if (s.ok()) {
          if (::pwrite(fd, s.canonical.pixels.data(), kImageBytes, static_cast<off_t>(i * kImageBytes)) !=
              static_cast<ssize_t>(kImageBytes))
            error = "write failed";
        } else {
          error = s.decoded.error;
        }
      }
      if (!error.empty()) {
        ++failures;
        std::lock_guard<std::mutex> lock(err_mutex);
        std::fprintf(stderr, "%zu\t%s\t%s\n", i, paths[i].c_str(), error.c_str());
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < jobs; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  ::close(fd);
  std::fprintf(stderr, "cxr-prep: %zu images, %zu failed\n", paths.size(), failures.load());
  return 0;
}
