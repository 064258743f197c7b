/* A C program whose own SIGALRM handler is installed without SA_RESTART (so a signal fails a
 * blocked read() with EINTR), trained through the C API with prompts on stdin. Prints each
 * epoch's status and how many signals it caught; capi_process_test.cpp drives it.
 * argv[1]: the configuration JSON. */
#include <carbontracker/carbontracker.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught = 0;

static void on_alarm(int sig) {
  static const char message[] = "caught SIGALRM\n";
  (void)sig;
  caught = caught + 1;
  if (write(STDERR_FILENO, message, sizeof message - 1) < 0) caught = caught + 100;
}

int main(int argc, char** argv) {
  sigset_t alarm_only;
  struct sigaction sa;
  ct_tracker* t = NULL;
  int e;
  if (argc != 2) return 2;
  /* The tracker's helper threads inherit this mask: SIGALRM can reach the main thread only. */
  sigemptyset(&alarm_only);
  sigaddset(&alarm_only, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &alarm_only, NULL);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART */
  sigaction(SIGALRM, &sa, NULL);

  if (ct_tracker_new(argv[1], &t) != CT_OK) {
    fprintf(stderr, "%s\n", ct_last_error(NULL));
    return 3;
  }
  pthread_sigmask(SIG_UNBLOCK, &alarm_only, NULL);
  for (e = 1; e <= 2; ++e) {
    int rc;
    ct_epoch_start(t);
    rc = ct_epoch_end(t);
    printf("epoch %d: %s\n", e, ct_status_string(rc));
    fflush(stdout);
    if (rc != CT_OK) break;
  }
  ct_stop(t);
  ct_tracker_free(t);
  printf("signals caught: %d\n", (int)caught);
  return 0;
}
