// A program whose name lookups hang, then ct_stop() while one is in progress. In a private
// mount and network namespace (root only; exit code 77 means "cannot, skip"): the loopback
// interface up, /etc/resolv.conf bind-mounted to a file naming 127.0.0.1 as the only
// nameserver, and a UDP socket on 127.0.0.1:53 that receives the queries and never answers.
// Nothing leaves 127.0.0.0/8 (the namespace has no other interface).
//
// argv[1]: a file to write /etc/resolv.conf's replacement to. Prints "dns_queries_seen=N" and
// "stop_s=S" (wall time of ct_stop) on stdout; exit code 0, or 1 with a message on stderr.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "carbontracker/carbontracker.h"

namespace {

int skip(const char* why) {
  std::fprintf(stderr, "cannot set up a hanging resolver: %s (%s)\n", why, std::strerror(errno));
  return 77;
}

bool loopback_up() {
  const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return false;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  ok = ok && ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  ::close(s);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  if (::unshare(CLONE_NEWNS | CLONE_NEWNET) != 0) return skip("unshare");
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return skip("private mounts");
  if (!loopback_up()) return skip("loopback up");
  {
    // glibc caps timeout at 30 s: a lookup that hangs 2 x 30 s unless abandoned.
    std::ofstream conf(argv[1]);
    conf << "nameserver 127.0.0.1\noptions timeout:30 attempts:2\n";
  }
  if (::mount(argv[1], "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0) return skip("bind-mount resolv.conf");
  const int dns = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(53);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (dns < 0 || ::bind(dns, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return skip("bind 127.0.0.1:53");

  // A live provider on a host name only the hanging nameserver could resolve.
  ::setenv("CARBONTRACKER_ELECTRICITYMAPS_URL", "http://intensity.hanging-dns.test", 1);
  ct_tracker* t = nullptr;
  const char* config =
      R"({"epochs": 1, "verbose": 0, "provider": "electricitymaps", "zone": "DK-DK1",)"
      R"( "api_keys": {"electricitymaps": "test-token"}, "sim_gpu": "Sim GPU", "sim_gpu_watts": 100})";
  if (ct_tracker_new(config, &t) != CT_OK) {
    std::fprintf(stderr, "ct_tracker_new: %s\n", ct_last_error(nullptr));
    return 1;
  }
  // Wait (at most 20 s) for the intensity thread's lookup to reach the nameserver.
  int seen = 0;
  pollfd p{dns, POLLIN, 0};
  if (::poll(&p, 1, 20000) == 1) {
    char buf[512];
    while (::recv(dns, buf, sizeof buf, MSG_DONTWAIT) > 0) ++seen;
  }
  // From the moment the lookup is known to hang: the epoch, the end of the run, and the
  // release of the handle must none of them wait for it.
  const auto before = std::chrono::steady_clock::now();
  ct_epoch_start(t);
  ct_epoch_end(t);
  const int rc = ct_stop(t);
  ct_tracker_free(t);
  const double stop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count();
  std::printf("dns_queries_seen=%d\nstop_rc=%d\nstop_s=%.3f\n", seen, rc, stop_s);
  std::fflush(stdout);
  return 0;
}
