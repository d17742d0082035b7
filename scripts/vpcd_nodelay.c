/*
 * LD_PRELOAD shim for pcscd: turn on TCP_NODELAY for every socket vpcd accepts.
 * Why: Debian 12's vsmartcard-vpcd sends the 2-byte length and the APDU in two send() calls;
 * Nagle's algorithm plus the card side's delayed ACK then stall each APDU by ~44 ms. The
 * upstream fix (vsmartcard commit 76e2679) is not in Debian 12. Build:
 *   gcc -O2 -shared -fPIC -o libvpcd_nodelay.so vpcd_nodelay.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int set_nodelay(int fd) {
  if (fd >= 0) {
    int on = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on); /* fails harmlessly on non-TCP */
  }
  return fd;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) {
  static int (*next)(int, struct sockaddr *, socklen_t *);
  if (!next) next = (int (*)(int, struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "accept");
  return set_nodelay(next(fd, addr, len));
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
  static int (*next)(int, struct sockaddr *, socklen_t *, int);
  if (!next) next = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(RTLD_NEXT, "accept4");
  return set_nodelay(next(fd, addr, len, flags));
}
