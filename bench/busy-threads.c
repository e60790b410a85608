/*
 * A CPU-bound program for the scale benchmark: N named threads ("busy-00" …), each spinning through a
 * call chain that depends on its index, so that a recording has distinct stacks per thread, user and
 * kernel frames (a small write to /dev/null now and then), and realistic depth. Runs until killed.
 * Built by the benchmark: cc -O1 -g -fno-omit-frame-pointer -fno-inline -pthread.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int devnull = -1;
static volatile uint64_t sink;

static uint64_t fnv_hash(uint64_t x) {
  uint64_t h = 1469598103934665603ull;
  for (int i = 0; i < 64; i++) h = (h ^ ((x >> (i % 8)) & 0xff)) * 1099511628211ull;
  return h;
}

static uint64_t crc_step(uint64_t x) {
  for (int i = 0; i < 48; i++) x = (x >> 1) ^ (0xedb88320u & (0u - (uint32_t)(x & 1)));
  return x;
}

static uint64_t mix_matrix(uint64_t x) {
  uint64_t m[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) m[i][j] = x + (uint64_t)(i * 4 + j);
  uint64_t s = 0;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      for (int k = 0; k < 4; k++) s += m[i][k] * m[k][j];
  return s;
}

static uint64_t sort_small(uint64_t x) {
  uint64_t a[12];
  for (int i = 0; i < 12; i++) a[i] = (x * (uint64_t)(i + 7)) % 1000;
  for (int i = 1; i < 12; i++)
    for (int j = i; j > 0 && a[j - 1] > a[j]; j--) {
      uint64_t t = a[j];
      a[j] = a[j - 1];
      a[j - 1] = t;
    }
  return a[0] + a[11];
}

typedef uint64_t (*leaf_fn)(uint64_t);
static const leaf_fn leaves[] = {fnv_hash, crc_step, mix_matrix, sort_small};

static uint64_t descend(int depth, int kind, uint64_t x) {
  if (depth == 0) return leaves[kind % 4](x) + leaves[(kind + 1) % 4](x);
  return descend(depth - 1, kind, x + (uint64_t)depth) ^ (uint64_t)depth;
}

static uint64_t handle_request(int index, uint64_t x) { return descend(2 + index % 6, index, x); }

static uint64_t flush_output(uint64_t x) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%llu\n", (unsigned long long)x);
  if (devnull >= 0 && write(devnull, buf, (size_t)n) < 0) return 0;
  return x;
}

static void *worker(void *arg) {
  int index = (int)(intptr_t)arg;
  char name[16];
  snprintf(name, sizeof name, "busy-%02d", index);
  pthread_setname_np(pthread_self(), name);
  uint64_t x = (uint64_t)index;
  for (uint64_t i = 0;; i++) {
    x = handle_request(index, x + i);
    if (i % 512 == 0) x = flush_output(x);
    sink = x;
  }
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 16;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: busy-threads [THREADS 1..256]\n");
    return 2;
  }
  devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pthread_t t;
  for (int i = 0; i < threads; i++) {
    if (pthread_create(&t, NULL, worker, (void *)(intptr_t)i) != 0) {
      perror("pthread_create");
      return 1;
    }
  }
  printf("busy-threads: %d threads (pid %d)\n", threads, (int)getpid());
  fflush(stdout);
  for (;;) pause();
}
