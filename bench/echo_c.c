/*
 * The kernel's floor: a UDP echo in C (one recvfrom/sendto loop) on
 * 127.0.0.1, printing its port, until killed. Built by bench/echo_c.ts with
 * the system cc.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return perror("socket"), 1;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) return perror("bind"), 1;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
    return perror("getsockname"), 1;
  }
  printf("echo listening on udp 127.0.0.1:%d\n", ntohs(a.sin_port));
  fflush(stdout);
  char buf[65536];
  for (;;) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) continue;
    sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
  }
}
