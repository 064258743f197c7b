/* A fake libnvidia-ml: the real exported names and C signatures, driven by a text config, so
 * the product loads it through exactly the dlopen path it uses for the real library.
 *
 * Compile definitions pick a variant: FAKE_NVML_NO_ENERGY_SYMBOL (no
 * nvmlDeviceGetTotalEnergyConsumption: a missing required symbol) and FAKE_NVML_NO_PROCESS_API
 * (no _v3 process calls: an optional feature off). All state sits behind one mutex: the
 * sampler's thread and the test's thread call in concurrently, and each call stays O(1) apart
 * from the config parse at the first nvmlInit_v2. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_nvml.h"
#include "fake_nvml_internal.h"

#define EXPORT __attribute__((visibility("default")))

/* Every exported NVML function, for call counting. */
#define FAKE_NVML_FUNCTIONS(X)                                                                            \
  X(nvmlInit_v2) X(nvmlShutdown) X(nvmlErrorString) X(nvmlDeviceGetCount_v2) X(nvmlDeviceGetHandleByIndex_v2) \
  X(nvmlDeviceGetName) X(nvmlDeviceGetUUID) X(nvmlDeviceGetTotalEnergyConsumption) X(nvmlDeviceGetPowerUsage) \
  X(nvmlDeviceGetPowerManagementLimitConstraints)                                                             \
  X(nvmlDeviceGetComputeRunningProcesses_v3) X(nvmlDeviceGetGraphicsRunningProcesses_v3)                      \
  X(nvmlDeviceGetHandleByUUID) X(nvmlDeviceIsMigDeviceHandle) X(nvmlDeviceGetDeviceHandleFromMigDeviceHandle)
#define AS_ENUM(f) FN_##f,
#define AS_NAME(f) #f,
enum { FAKE_NVML_FUNCTIONS(AS_ENUM) FN_COUNT };
static const char* const kFunctionNames[FN_COUNT] = {FAKE_NVML_FUNCTIONS(AS_NAME)};

static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static int g_configured;
static int g_refcount;
static FakeNvmlConfig g_config;
static unsigned long g_calls[FN_COUNT];

/* ---- helpers for the NVML entry points (lock held) ----------------------------------------- */

#define ENTER(fn)                    \
  pthread_mutex_lock(&g_mutex);      \
  ++g_calls[FN_##fn];                \
  if (g_refcount == 0) RETURN(NVML_ERROR_UNINITIALIZED)
#define RETURN(rc)                   \
  do {                               \
    nvmlReturn_t rc_ = (rc);         \
    pthread_mutex_unlock(&g_mutex);  \
    return rc_;                      \
  } while (0)

static int is_gpu(nvmlDevice_t d) {
  return d >= &g_config.gpus[0] && d < &g_config.gpus[0] + g_config.n_gpus;
}
static int is_mig(nvmlDevice_t d) {
  return d >= &g_config.migs[0] && d < &g_config.migs[0] + g_config.n_migs;
}
static nvmlReturn_t check_device(nvmlDevice_t d) {
  if (!is_gpu(d) && !is_mig(d)) return NVML_ERROR_INVALID_ARGUMENT;
  if (is_mig(d)) d = &g_config.gpus[d->parent];
  return d->lost ? NVML_ERROR_GPU_IS_LOST : NVML_SUCCESS;
}
/* A register read: counts towards lost_after / reset_after. */
static nvmlReturn_t begin_read(nvmlDevice_t d) {
  if (d->lost_after >= 0 && d->reads >= d->lost_after) {
    d->lost = 1;
    return NVML_ERROR_GPU_IS_LOST;
  }
  ++d->reads;
  return NVML_SUCCESS;
}

/* ---- NVML entry points --------------------------------------------------------------------- */

EXPORT nvmlReturn_t nvmlInit_v2(void) {
  pthread_mutex_lock(&g_mutex);
  ++g_calls[FN_nvmlInit_v2];
  if (!g_configured) {
    if (fake_nvml_config_from_environment(&g_config) != 0) RETURN(NVML_ERROR_UNKNOWN);
    g_configured = 1;
  }
  if (g_config.init_error != 0) RETURN(g_config.init_error);
  ++g_refcount;
  RETURN(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlShutdown(void) {
  ENTER(nvmlShutdown);
  --g_refcount;
  RETURN(NVML_SUCCESS);
}

EXPORT const char* nvmlErrorString(nvmlReturn_t rc) {
  pthread_mutex_lock(&g_mutex);
  ++g_calls[FN_nvmlErrorString];
  pthread_mutex_unlock(&g_mutex);
  switch (rc) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 9: return "Driver Not Loaded";
    case 12: return "NVML Shared Library Not Found";
    case 15: return "GPU is lost";
    case 18: return "RM has detected an NVML/RM version mismatch.";
    default: return "Unknown Error";
  }
}

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count) {
  ENTER(nvmlDeviceGetCount_v2);
  if (!count) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  *count = g_config.n_gpus;
  RETURN(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  ENTER(nvmlDeviceGetHandleByIndex_v2);
  if (!device || index >= g_config.n_gpus) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (g_config.gpus[index].lost) RETURN(NVML_ERROR_GPU_IS_LOST);
  *device = &g_config.gpus[index];
  RETURN(NVML_SUCCESS);
}

static nvmlReturn_t copy_text(const char* text, char* out, unsigned int length) {
  if (!out) return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(text) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(out, text, strlen(text) + 1);
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetName);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  RETURN(copy_text(device->name, name, length));
}

EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid, unsigned int length) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetUUID);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  RETURN(copy_text(device->uuid, uuid, length));
}

#ifndef FAKE_NVML_NO_ENERGY_SYMBOL
EXPORT nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long* energy_mj) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetTotalEnergyConsumption);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  if (!energy_mj) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (!device->energy_supported) RETURN(NVML_ERROR_NOT_SUPPORTED);
  if ((rc = begin_read(device)) != NVML_SUCCESS) RETURN(rc);
  if (device->energy_file[0]) {
    /* A child process of a test drives this counter by rewriting the file. */
    /* Strict: a plain decimal number and trailing blanks only ("0x1f" or "12abc" is an error,
     * not 0 or 12), so a test can never pass on a misread value. */
    FILE* f = fopen(device->energy_file, "r");
    char buf[64];
    char* end = NULL;
    unsigned long long v = 0;
    int ok = f && fgets(buf, sizeof buf, f) != NULL && isdigit((unsigned char)buf[0]);
    if (f) fclose(f);
    if (ok) {
      errno = 0;
      v = strtoull(buf, &end, 10);
      ok = errno == 0 && end != buf;
      while (ok && *end != '\0') ok = isspace((unsigned char)*end++) != 0;
    }
    if (!ok) RETURN(NVML_ERROR_UNKNOWN);
    *energy_mj = v;
    RETURN(NVML_SUCCESS);
  }
  if (device->reset_after >= 0 && device->reads == device->reset_after + 1) device->energy_mj = 0;
  *energy_mj = device->energy_mj;
  device->energy_mj += device->energy_step_mj;
  RETURN(NVML_SUCCESS);
}
#endif

EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int* power_mw) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetPowerUsage);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  if (!power_mw) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (!device->power_supported) RETURN(NVML_ERROR_NOT_SUPPORTED);
  if ((rc = begin_read(device)) != NVML_SUCCESS) RETURN(rc);
  *power_mw = device->power_mw;
  RETURN(NVML_SUCCESS);
}

/* Not a read (it does not count towards lost_after/reset_after): the limits are static. */
EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device, unsigned int* min_mw,
                                                                 unsigned int* max_mw) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetPowerManagementLimitConstraints);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  if (!min_mw || !max_mw) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (device->is_mig || device->power_limit_mw == 0) RETURN(NVML_ERROR_NOT_SUPPORTED);
  *min_mw = device->power_limit_mw / 2;
  *max_mw = device->power_limit_mw;
  RETURN(NVML_SUCCESS);
}

#ifndef FAKE_NVML_NO_PROCESS_API
/* The real call: *count in = capacity, out = entries (or the size needed, with
 * INSUFFICIENT_SIZE). No processes and a zero capacity is SUCCESS. */
static nvmlReturn_t list_processes(const unsigned int* pids, unsigned int n, unsigned int* count,
                                   nvmlProcessInfo_t* infos) {
  unsigned int i;
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  if (*count < n) {
    *count = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  if (n > 0 && !infos) return NVML_ERROR_INVALID_ARGUMENT;
  for (i = 0; i < n; ++i) {
    infos[i].pid = pids[i];
    infos[i].usedGpuMemory = 1ull << 30;
    infos[i].gpuInstanceId = 0xFFFFFFFFu;
    infos[i].computeInstanceId = 0xFFFFFFFFu;
  }
  *count = n;
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int* count,
                                                            nvmlProcessInfo_t* infos) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetComputeRunningProcesses_v3);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  RETURN(list_processes(device->compute_pids, device->n_compute, count, infos));
}

EXPORT nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t device, unsigned int* count,
                                                             nvmlProcessInfo_t* infos) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetGraphicsRunningProcesses_v3);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  RETURN(list_processes(device->graphics_pids, device->n_graphics, count, infos));
}
#endif

EXPORT nvmlReturn_t nvmlDeviceGetHandleByUUID(const char* uuid, nvmlDevice_t* device) {
  unsigned int i;
  ENTER(nvmlDeviceGetHandleByUUID);
  if (!uuid || !device) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  for (i = 0; i < g_config.n_gpus; ++i) {
    if (strcmp(g_config.gpus[i].uuid, uuid) == 0) {
      *device = &g_config.gpus[i];
      RETURN(g_config.gpus[i].lost ? NVML_ERROR_GPU_IS_LOST : NVML_SUCCESS);
    }
  }
  for (i = 0; i < g_config.n_migs; ++i) {
    if (strcmp(g_config.migs[i].uuid, uuid) == 0) {
      *device = &g_config.migs[i];
      RETURN(NVML_SUCCESS);
    }
  }
  RETURN(NVML_ERROR_NOT_FOUND);
}

EXPORT nvmlReturn_t nvmlDeviceIsMigDeviceHandle(nvmlDevice_t device, unsigned int* is_mig_device) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceIsMigDeviceHandle);
  if ((rc = check_device(device)) != NVML_SUCCESS) RETURN(rc);
  if (!is_mig_device) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  *is_mig_device = (unsigned int)device->is_mig;
  RETURN(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t mig, nvmlDevice_t* device) {
  nvmlReturn_t rc;
  ENTER(nvmlDeviceGetDeviceHandleFromMigDeviceHandle);
  if ((rc = check_device(mig)) != NVML_SUCCESS) RETURN(rc);
  if (!device || !mig->is_mig) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  *device = &g_config.gpus[mig->parent];
  RETURN(NVML_SUCCESS);
}

/* ---- control API (fake_nvml.h) -------------------------------------------------------------- */

EXPORT int fake_nvml_load_config(const char* text) {
  static FakeNvmlConfig parsed; /* too big for the stack of a sanitizer-instrumented thread */
  int rc = -1;
  pthread_mutex_lock(&g_mutex);
  if (text && fake_nvml_parse_config(&parsed, text) == 0) {
    g_config = parsed;
    g_configured = 1;
    memset(g_calls, 0, sizeof g_calls);
    rc = 0;
  }
  pthread_mutex_unlock(&g_mutex);
  return rc;
}

EXPORT void fake_nvml_reset(void) {
  pthread_mutex_lock(&g_mutex);
  memset(&g_config, 0, sizeof g_config);
  memset(g_calls, 0, sizeof g_calls);
  g_configured = 0;
  g_refcount = 0;
  pthread_mutex_unlock(&g_mutex);
}

static struct nvmlDevice_st* control_gpu(unsigned int index) {
  return index < g_config.n_gpus ? &g_config.gpus[index] : NULL;
}

EXPORT int fake_nvml_set_energy_mj(unsigned int index, unsigned long long energy_mj) {
  struct nvmlDevice_st* d;
  pthread_mutex_lock(&g_mutex);
  if ((d = control_gpu(index)) != NULL) d->energy_mj = energy_mj;
  pthread_mutex_unlock(&g_mutex);
  return d ? 0 : -1;
}

EXPORT int fake_nvml_set_power_mw(unsigned int index, unsigned int power_mw) {
  struct nvmlDevice_st* d;
  pthread_mutex_lock(&g_mutex);
  if ((d = control_gpu(index)) != NULL) d->power_mw = power_mw;
  pthread_mutex_unlock(&g_mutex);
  return d ? 0 : -1;
}

EXPORT int fake_nvml_set_lost(unsigned int index, int lost) {
  struct nvmlDevice_st* d;
  pthread_mutex_lock(&g_mutex);
  if ((d = control_gpu(index)) != NULL) {
    d->lost = lost != 0;
    if (!lost) d->lost_after = -1;
  }
  pthread_mutex_unlock(&g_mutex);
  return d ? 0 : -1;
}

EXPORT int fake_nvml_set_compute_pids(unsigned int index, const unsigned int* pids, unsigned int count) {
  struct nvmlDevice_st* d;
  int rc = -1;
  pthread_mutex_lock(&g_mutex);
  if ((d = control_gpu(index)) != NULL && count <= MAX_PIDS && (pids || count == 0)) {
    if (count > 0) memcpy(d->compute_pids, pids, count * sizeof *pids);
    d->n_compute = count;
    rc = 0;
  }
  pthread_mutex_unlock(&g_mutex);
  return rc;
}

EXPORT unsigned long fake_nvml_call_count(const char* name) {
  unsigned long n = (unsigned long)-1;
  int i;
  pthread_mutex_lock(&g_mutex);
  for (i = 0; i < FN_COUNT; ++i) {
    if (name && strcmp(name, kFunctionNames[i]) == 0) n = g_calls[i];
  }
  pthread_mutex_unlock(&g_mutex);
  return n;
}

EXPORT int fake_nvml_init_refcount(void) {
  int n;
  pthread_mutex_lock(&g_mutex);
  n = g_refcount;
  pthread_mutex_unlock(&g_mutex);
  return n;
}
