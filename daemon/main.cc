// fleetclipd: the fleetclip service. Being wired up (issue 6); see DESIGN.md section 8.
#include <cstdio>

int main() {
  std::fprintf(stderr, "<3>fleetclipd: not wired yet\n");
  return 1;
}
