/* The C API from an installed carbontracker: a tracker on a simulated GPU, two epochs, the
 * summary JSON, and a bad configuration refused with its status code. */
#include <carbontracker/carbontracker.h>

#include <stdio.h>

int main(void) {
  ct_tracker* tracker = NULL;
  /* prometheus: the installed library finds its /metrics plugin in <libdir>/carbontracker. */
  int rc = ct_tracker_new("{\"epochs\": 2, \"verbose\": 0, \"sim_gpu\": \"C GPU\", \"sim_gpu_watts\": 200, "
                          "\"prometheus\": \"127.0.0.1:0\"}",
                          &tracker);
  if (rc != CT_OK) {
    fprintf(stderr, "c consumer: ct_tracker_new: %s\n", ct_last_error(NULL));
    return 1;
  }
  for (int e = 0; e < 2; ++e) {
    if (ct_epoch_start(tracker) != CT_OK || ct_epoch_end(tracker) != CT_OK) {
      fprintf(stderr, "c consumer: epoch: %s\n", ct_last_error(tracker));
      return 1;
    }
  }
  char* json = NULL;
  if (ct_stop(tracker) != CT_OK || ct_summary_json(tracker, &json) != CT_OK) {
    fprintf(stderr, "c consumer: %s\n", ct_last_error(tracker));
    return 1;
  }
  printf("c consumer: carbontracker %s\n%s\n", ct_version(), json);
  ct_free(json);
  ct_tracker_free(tracker);

  rc = ct_tracker_new("{\"pue\": 0.5}", &tracker);
  printf("c consumer: pue 0.5 -> %s\n", ct_status_string(rc));
  return rc == CT_ERR_INVALID_ARGUMENT ? 0 : 1;
}
