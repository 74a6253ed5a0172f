// fleetclip_sandbox_exec: runs a command under seccomp filters equal to the ones systemd 252
// (Debian 12, src/shared/seccomp-util.c) installs for two lines of fleetclipd.service, so tests
// can show that the libraries fleetclipd uses work under them without a running systemd.
//   --mdwe      MemoryDenyWriteExecute=yes: EPERM for mmap with PROT_WRITE and PROT_EXEC both
//               set, mprotect / pkey_mprotect adding PROT_EXEC (to any mapping, even a read-only
//               one), shmat with SHM_EXEC.
//   --families  RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6: socket() of any other family
//               fails with EAFNOSUPPORT.
//   --families-kill  the same, but such a socket() kills the process, to prove that a command
//               tries one (and so that --families really is exercised).
//   --syscalls N,N,...  SystemCallFilter= as an allow list of system call numbers with
//               SystemCallErrorNumber=EPERM: any other call fails with EPERM. The caller expands
//               systemd's groups (test-syscall-filter.sh does, with systemd-analyze).
// Filters survive execve, so the command runs as the daemon would.
//
//   fleetclip_sandbox_exec FILTER... -- CMD [ARGS...]  install the filters, then exec CMD
//   fleetclip_sandbox_exec --check   exit 0 if W+X memory is refused in this process (run it
//                                    through the first form with --mdwe to prove the filter is
//                                    inherited; alone it must exit 1: the check can fail)
// Exit codes: 0 ok, 1 check failed, 2 usage, 3 cannot install a filter, 127 exec failed.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

#if defined(__x86_64__)
constexpr unsigned kNativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kNativeArch = AUDIT_ARCH_AARCH64;
#else
#error "add this architecture's AUDIT_ARCH_* value"
#endif

constexpr unsigned ArgLowOffset(int n) {
  // The low 32 bits of syscall argument n (little-endian, as on both architectures above).
  return static_cast<unsigned>(offsetof(seccomp_data, args) + 8 * n);
}

int Install(sock_filter* program, size_t length) {
  sock_fprog fprog{static_cast<unsigned short>(length), program};
  // As systemd does for an unprivileged service (NoNewPrivileges=yes is set in the unit anyway).
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) return errno;
  return 0;
}

int InstallMdweFilter() {
  constexpr unsigned kEperm = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
  // Jump offsets count instructions forward from the next one; the numbers on the right are
  // instruction indexes.
  sock_filter program[] = {
      // Other ABIs (x32, compat) are left alone: SystemCallArchitectures=native blocks them.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),  // 0
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeArch, 1, 0),            // 1
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                      // 2
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),    // 3
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 4, 0),              // 4 -> 9
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 6, 0),          // 5 -> 12
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 5, 0),     // 6 -> 12
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_shmat, 7, 0),             // 7 -> 15
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                      // 8
      // mmap: (prot & (W|X)) == (W|X) -> EPERM
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ArgLowOffset(2)),                // 9
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),        // 10
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_WRITE | PROT_EXEC, 6, 7),  // 11 -> 18 / 19
      // mprotect, pkey_mprotect: (prot & X) == X -> EPERM
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ArgLowOffset(2)),   // 12
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_EXEC),        // 13
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_EXEC, 3, 4),  // 14 -> 18 / 19
      // shmat: (shmflg & SHM_EXEC) == SHM_EXEC -> EPERM
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ArgLowOffset(2)),  // 15
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, SHM_EXEC),        // 16
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SHM_EXEC, 0, 1),  // 17 -> 18 / 19
      BPF_STMT(BPF_RET | BPF_K, kEperm),                    // 18
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),         // 19
  };
  return Install(program, sizeof(program) / sizeof(program[0]));
}

int InstallFamiliesFilter(bool kill) {
  const unsigned refuse =
      kill ? SECCOMP_RET_KILL_PROCESS : SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA);
  sock_filter program[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),  // 0
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeArch, 1, 0),            // 1
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                      // 2
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),    // 3
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 5),            // 4 -> 5 / 10
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ArgLowOffset(0)),               // 5
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 3, 0),                // 6 -> 10
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0),                // 7 -> 10
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 1, 0),               // 8 -> 10
      BPF_STMT(BPF_RET | BPF_K, refuse),                                 // 9
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                      // 10
  };
  return Install(program, sizeof(program) / sizeof(program[0]));
}

// `numbers`: comma-separated system call numbers (native ABI).
int InstallSyscallAllowList(const char* numbers) {
  std::vector<sock_filter> program = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
  // Two instructions per allowed call (match: return ALLOW; else skip it), so no jump is long.
  for (const char* p = numbers; *p != '\0';) {
    char* end = nullptr;
    const unsigned long nr = std::strtoul(p, &end, 10);
    if (end == p || (*end != ',' && *end != '\0')) return EINVAL;
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0, 1));
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    p = *end == ',' ? end + 1 : end;
  }
  program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
  if (program.size() > BPF_MAXINSNS) return E2BIG;
  return Install(program.data(), program.size());
}

// 0 if every W+X request is refused with EPERM and ordinary mappings still work.
int Check() {
  int failures = 0;
  const long page = sysconf(_SC_PAGESIZE);
  void* wx =
      mmap(nullptr, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (wx != MAP_FAILED || errno != EPERM) {
    std::fprintf(stderr, "check: mmap(PROT_WRITE|PROT_EXEC) was not refused with EPERM\n");
    ++failures;
  }
  void* rw = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rw == MAP_FAILED) {
    std::fprintf(stderr, "check: plain mmap(PROT_READ|PROT_WRITE) failed: %s\n",
                 std::strerror(errno));
    return 1;
  }
  if (mprotect(rw, page, PROT_READ | PROT_EXEC) == 0 || errno != EPERM) {
    std::fprintf(stderr, "check: mprotect(PROT_READ|PROT_EXEC) was not refused with EPERM\n");
    ++failures;
  }
  if (mprotect(rw, page, PROT_READ) != 0) {
    std::fprintf(stderr, "check: plain mprotect(PROT_READ) failed: %s\n", std::strerror(errno));
    ++failures;
  }
  munmap(rw, page);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--check") == 0) return Check();
  int i = 1;
  for (; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    const std::string_view option = argv[i];
    int err = 0;
    if (option == "--mdwe") {
      err = InstallMdweFilter();
    } else if (option == "--families" || option == "--families-kill") {
      err = InstallFamiliesFilter(option == "--families-kill");
    } else if (option == "--syscalls" && i + 1 < argc) {
      err = InstallSyscallAllowList(argv[++i]);
    } else {
      i = argc;  // usage
      break;
    }
    if (err != 0) {
      std::fprintf(stderr, "sandbox_exec: cannot install the %s filter: %s\n", option.data(),
                   std::strerror(err));
      return 3;
    }
  }
  if (i + 1 >= argc) {
    std::fprintf(
        stderr,
        "usage: %s [--mdwe] [--families|--families-kill] [--syscalls N,N,...] -- CMD [ARGS...]\n"
        "       %s --check\n",
        argv[0], argv[0]);
    return 2;
  }
  execvp(argv[i + 1], argv + i + 1);
  std::fprintf(stderr, "sandbox_exec: exec %s: %s\n", argv[i + 1], std::strerror(errno));
  return 127;
}
