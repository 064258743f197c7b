/* Control API of the fake libnvidia-ml (fake_nvml.c). See README.md for the config format.
 *
 * In-process tests dlopen() the same path the product loads and resolve these symbols, so
 * they drive the very instance the sensor talks to. Every function is thread-safe. Device
 * indices are NVML indices (the order of the `gpu` lines). Functions returning int give 0 on
 * success and -1 on a bad index or a config error (the reason goes to stderr). */
#ifndef CARBONTRACKER_FAKE_NVML_H
#define CARBONTRACKER_FAKE_NVML_H

#ifdef __cplusplus
extern "C" {
#endif

/* Replaces the whole configuration with `text` (same format as the config file), resets the
 * call counters, and stops nvmlInit_v2 from reading CARBONTRACKER_FAKE_NVML_CONFIG. */
int fake_nvml_load_config(const char* text);
/* Back to the state of a freshly loaded library: unconfigured (the next nvmlInit_v2 reads the
 * config file or builds the defaults), not initialised, counters at zero. */
void fake_nvml_reset(void);
int fake_nvml_set_energy_mj(unsigned int index, unsigned long long energy_mj);
int fake_nvml_set_power_mw(unsigned int index, unsigned int power_mw);
/* lost != 0: every later call on that GPU returns NVML_ERROR_GPU_IS_LOST; 0 revives it. */
int fake_nvml_set_lost(unsigned int index, int lost);
/* Replaces the GPU's compute process list (at most 32 pids). */
int fake_nvml_set_compute_pids(unsigned int index, const unsigned int* pids, unsigned int count);
/* Calls of the exported NVML function `name` (e.g. "nvmlDeviceGetPowerUsage") since the last
 * load_config/reset, counted even when the call fails. (unsigned long)-1 for an unknown name. */
unsigned long fake_nvml_call_count(const char* name);
/* nvmlInit_v2 successes minus nvmlShutdown calls. */
int fake_nvml_init_refcount(void);

#ifdef __cplusplus
}
#endif

#endif
