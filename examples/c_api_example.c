/* A training loop instrumented with carbontracker's C API (include/carbontracker/carbontracker.h):
 * create a tracker from a JSON configuration, run a few "epochs" of busy work, stop, print the
 * summary JSON. Every status code is handled.
 *
 *   c_api_example [EPOCHS [JSON_MEMBERS]]
 *   c_api_example 3 '"log_dir": "logs", "sim_gpu": "demo", "sim_gpu_watts": 250'
 *
 * EPOCHS (default 3) is also the tracker's "epochs"; JSON_MEMBERS are more configuration keys
 * (docs/configuration.md), written as members of a JSON object. Exit status: 0 when the training
 * ran to its end or was stopped on purpose (budget, user), 2 for a bad configuration, 1 for
 * other errors. Plain C99. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <carbontracker/carbontracker.h>

/* About 0.1 s of CPU work, the stand-in for one epoch of training. Returns a made-up loss. */
static double train_one_epoch(int epoch) {
  volatile double acc = 0;
  const clock_t end = clock() + CLOCKS_PER_SEC / 10;
  while (clock() < end) {
    for (int i = 1; i < 10000; ++i) acc += 1.0 / i;
  }
  return 1.0 / (1.0 + epoch);
}

/* What to do with a status that is not CT_OK. Returns the exit status to end with, or -1 to
 * carry on training. */
static int handle(int rc, const ct_tracker* tracker, const char* call) {
  const char* message = ct_last_error(tracker);
  switch (rc) {
    case CT_OK:
      return -1;
    case CT_STOP_BUDGET:
      printf("Stopped by the budget: %s\n", message);
      return 0;
    case CT_STOP_USER:
      printf("Stopped at the user's request: %s\n", message);
      return 0;
    case CT_ERR_INVALID_ARGUMENT:
      fprintf(stderr, "%s: bad configuration: %s\n", call, message);
      return 2;
    case CT_ERR_TRACKER:
      /* An internal failure (a log that can no longer be written, ...). The tracker carries
       * on; a real training would too, so only report it. */
      fprintf(stderr, "%s: tracker error (training continues): %s\n", call, message);
      return -1;
    case CT_ERR_NULL:
    case CT_ERR_NO_MEMORY:
    case CT_ERR_INTERNAL:
    default:
      fprintf(stderr, "%s failed: %s: %s\n", call, ct_status_string(rc), message);
      return 1;
  }
}

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? atoi(argv[1]) : 3;
  const char* members = argc > 2 ? argv[2] : "";
  if (epochs < 1) {
    fprintf(stderr, "usage: %s [EPOCHS [JSON_MEMBERS]]\n", argv[0]);
    return 2;
  }
  char config[4096];
  const int n = snprintf(config, sizeof config, "{\"epochs\": %d%s%s}", epochs, members[0] ? ", " : "", members);
  if (n < 0 || (size_t)n >= sizeof config) {
    fprintf(stderr, "the configuration is too long\n");
    return 2;
  }

  printf("carbontracker %s\n", ct_version());
  ct_tracker* tracker = NULL;
  int rc = ct_tracker_new(config, &tracker);
  if (rc != CT_OK) {
    const int status = handle(rc, NULL, "ct_tracker_new");
    return status < 0 ? 1 : status;
  }

  int status = -1;
  for (int e = 1; e <= epochs && status < 0; ++e) {
    status = handle(ct_epoch_start(tracker), tracker, "ct_epoch_start");
    if (status >= 0) break;
    const double loss = train_one_epoch(e);
    printf("Epoch %d/%d: loss %.4f\n", e, epochs, loss);
    fflush(stdout);
    status = handle(ct_epoch_end(tracker), tracker, "ct_epoch_end");
  }
  if (status <= 0) {
    const int ended = handle(ct_stop(tracker), tracker, "ct_stop");
    if (ended > 0) status = ended;

    char* json = NULL;
    rc = ct_summary_json(tracker, &json);
    if (rc == CT_OK) {
      printf("Summary JSON:\n%s\n", json);
      ct_free(json);
    } else {
      const int failed = handle(rc, tracker, "ct_summary_json");
      if (failed > 0) status = failed;
    }
  }
  ct_tracker_free(tracker);
  return status < 0 ? 0 : status;
}
