/* carbontracker C API: the tracker for FFI callers (C, Julia, Rust, R, ...). C99, no C++ type and
 * no exception crosses it. See docs/c-api.md.
 *
 *   ct_tracker* t = NULL;
 *   if (ct_tracker_new("{\"epochs\": 10, \"log_dir\": \"logs\"}", &t) != CT_OK) {
 *     fprintf(stderr, "%s\n", ct_last_error(NULL));
 *     return 1;
 *   }
 *   for (int e = 0; e < 10; ++e) {
 *     ct_epoch_start(t);
 *     train_one_epoch();
 *     int rc = ct_epoch_end(t);
 *     if (rc > 0) break;                 // CT_STOP_BUDGET / CT_STOP_USER: stop training
 *     if (rc < 0) fprintf(stderr, "%s\n", ct_last_error(t));
 *   }
 *   ct_stop(t);
 *   char* json = NULL;
 *   if (ct_summary_json(t, &json) == CT_OK) { puts(json); ct_free(json); }
 *   ct_tracker_free(t);
 *
 * Contract
 *  - Every function returning int returns a ct_status: CT_OK (0), a stop order (> 0: the
 *    training should end; not an error) or an error (< 0). ct_last_error() has the message.
 *  - Configuration: a JSON object whose keys are the tracker's configuration keys, the same
 *    names as the configuration file and CARBONTRACKER_<KEY> variables (docs/configuration.md):
 *    {"epochs": 10, "log_dir": "logs", "pue": 1.58, "max_energy_kwh": 2, "budget_action":
 *    "stop", "api_keys": {"electricitymaps": "..."}}. Values are JSON numbers, booleans or
 *    strings ("1.58" and 1.58 are the same); "api_keys" is an object of strings. An unknown key,
 *    a value of the wrong type, null, or an invalid value (pue 0.5) is CT_ERR_INVALID_ARGUMENT
 *    naming the key and the fix; no message ever contains an api_keys value or more than
 *    about 2000 bytes, and every message is valid UTF-8. Only the JSON is read: no configuration file and no
 *    CARBONTRACKER_<KEY> variables (the sensor variables CARBONTRACKER_SYSFS_ROOT,
 *    CARBONTRACKER_PROCFS_ROOT and CARBONTRACKER_NVML_LIBRARY still apply, as in C++).
 *  - Console output goes to the process's stdout; `ask` budgets and stop_and_confirm read the
 *    answer from stdin (a line "y" or "n"; end of input counts as "n"; a read interrupted by a
 *    signal the program catches is retried, never taken as an answer).
 *  - Units: none cross this API except inside the summary JSON (SI: J, s, g; kWh where a name
 *    says so; docs/log-format.md).
 *  - Errors: strings returned by ct_last_error() are owned by the library. ct_last_error(t)
 *    stays valid until the next call with t or ct_tracker_free(t); ct_last_error(NULL) until
 *    the next call on the same thread that does not return CT_OK.
 *  - Thread safety: calls with the same handle must not overlap (use it from one thread, the
 *    training loop, or serialise the calls yourself). Different handles are independent and
 *    may be used from different threads at once. ct_status_string, ct_version and ct_free are
 *    safe from any thread. The library starts its own helper threads (sampling, intensity
 *    fetches); none of them calls back into the caller, and none ever exits the process.
 *  - Timing: ct_epoch_start / ct_epoch_end read energy counters on the calling thread
 *    (microseconds) and append to the logs; they never touch the network.
 *  - fork(): a handle belongs to the process that created it. In a fork() child every call
 *    with it returns CT_ERR_FORKED and writes nothing (the parent's buffered log lines are
 *    discarded in the child, never written twice); ct_tracker_free releases it there without
 *    stopping anything. Create a new tracker in the child to measure the child.
 *  - One process-wide effect: ct_tracker_new sets SIGXFSZ to ignored when it is at its default,
 *    so a log write past RLIMIT_FSIZE fails with EFBIG (a warning) instead of killing the
 *    program; a handler the program installed is left alone.
 */
#ifndef CARBONTRACKER_CARBONTRACKER_H
#define CARBONTRACKER_CARBONTRACKER_H

#include "carbontracker/export.h"

#define CT_API CARBONTRACKER_API

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Stop orders are positive, errors negative; the values are stable ABI. */
typedef enum ct_status {
  CT_OK = 0,
  /* ct_epoch_end: a budget with action "stop" was crossed (predicted or actual). The tracker
   * has finished: the final report, logs and summary are written. End the training; later
   * ct_epoch_start / ct_epoch_end calls do nothing and return CT_OK. */
  CT_STOP_BUDGET = 1,
  /* ct_epoch_end: the user answered "n" (stop_and_confirm after the prediction, or an `ask`
   * budget). The tracker has finished, as for CT_STOP_BUDGET. */
  CT_STOP_USER = 2,
  /* A bad configuration: not JSON, not an object, an unknown key, a value of the wrong type
   * or out of range, an unwritable log_dir. The message names the key and the fix. */
  CT_ERR_INVALID_ARGUMENT = -1,
  /* An internal failure of the tracker surfaced with ignore_errors=false (the summary file
   * could not be written, the sampler could not start, ...). The tracker carries on; the error
   * is reported once. With ignore_errors=true these become warnings instead. A log file that
   * can no longer be written is only a warning (console and summary "warnings"), never this. */
  CT_ERR_TRACKER = -2,
  /* Anything else the library did not expect (a bug). The handle stays usable. */
  CT_ERR_INTERNAL = -3,
  /* A required pointer argument (the handle, config_json, an out parameter) was NULL. */
  CT_ERR_NULL = -4,
  /* Memory ran out (never reported as a bad configuration). The handle stays usable. */
  CT_ERR_NO_MEMORY = -5,
  /* The handle was created by another process: this one is its fork() child. The tracker's
   * threads and logs belong to the parent; the call did nothing and wrote nothing. Create a
   * tracker in the child to measure it. ct_tracker_free in the child releases the handle
   * without stopping or writing anything. */
  CT_ERR_FORKED = -6
} ct_status;

/* One tracked training run. Opaque; create with ct_tracker_new, release with
 * ct_tracker_free. */
typedef struct ct_tracker ct_tracker;

/* Creates a tracker from a JSON configuration ("{}": all defaults) and starts monitoring
 * (probes sensors, starts the sampling thread, opens the logs). On success *out holds the
 * handle; on failure *out is NULL and ct_last_error(NULL) says why.
 * Returns CT_OK, CT_ERR_NULL (config_json or out NULL), CT_ERR_INVALID_ARGUMENT,
 * CT_ERR_NO_MEMORY, CT_ERR_INTERNAL. */
CT_API int ct_tracker_new(const char* config_json, ct_tracker** out);

/* Opens an epoch: reads every energy counter. Calling it again inside an epoch restarts the
 * epoch (with a warning). Returns CT_OK, CT_ERR_NULL, CT_ERR_TRACKER, CT_ERR_NO_MEMORY,
 * CT_ERR_INTERNAL. */
CT_API int ct_epoch_start(ct_tracker* tracker);

/* Closes the epoch: reads the counters again, writes the epoch to the logs, refits the
 * prediction (printed after epochs_before_pred epochs) and checks the budgets. After
 * monitor_epochs epochs the tracker finishes by itself. Returns CT_OK, CT_STOP_BUDGET,
 * CT_STOP_USER, CT_ERR_NULL, CT_ERR_TRACKER, CT_ERR_NO_MEMORY, CT_ERR_INTERNAL. */
CT_API int ct_epoch_end(ct_tracker* tracker);

/* Drops the open epoch without recording it (set-up work, a failed attempt); its energy stays
 * in the whole-run totals. Returns CT_OK, CT_ERR_NULL, CT_ERR_TRACKER, CT_ERR_NO_MEMORY,
 * CT_ERR_INTERNAL. */
CT_API int ct_epoch_discard(ct_tracker* tracker);

/* Ends monitoring: final report, logs closed, summary_json written. An epoch still open is
 * reported apart as interrupted. Idempotent. Returns CT_OK, CT_ERR_NULL, CT_ERR_TRACKER,
 * CT_ERR_NO_MEMORY, CT_ERR_INTERNAL. */
CT_API int ct_stop(ct_tracker* tracker);

/* The run's results as the summary JSON document (docs/log-format.md, the same object
 * summary_json writes): epochs, totals, prediction, intensity, budget events. Callable at any
 * time (before ct_stop it holds the results so far, "finished": false). On success *out is a
 * NUL-terminated UTF-8 string allocated by the library: free it with ct_free. On failure *out
 * is NULL. Returns CT_OK, CT_ERR_NULL, CT_ERR_NO_MEMORY, CT_ERR_INTERNAL. */
CT_API int ct_summary_json(ct_tracker* tracker, char** out);

/* Frees a string returned by ct_summary_json. NULL is ignored. */
CT_API void ct_free(char* text);

/* Stops the tracker if it is still running (errors are not reported) and releases it. NULL is
 * ignored. */
CT_API void ct_tracker_free(ct_tracker* tracker);

/* The message of the latest call with `tracker` that did not return CT_OK ("" if none); with
 * NULL, of the latest such call on this thread, with any handle or none (how a failed
 * ct_tracker_new is explained). The form is "what went wrong; fix: what to do". */
CT_API const char* ct_last_error(const ct_tracker* tracker);

/* A static description of a status code, starting with its name ("CT_OK", "CT_STOP_BUDGET:
 * ..."); "unknown status" for other values. Never NULL. */
CT_API const char* ct_status_string(int status);

/* The library version, "MAJOR.MINOR.PATCH" (static string). */
CT_API const char* ct_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CARBONTRACKER_CARBONTRACKER_H */
