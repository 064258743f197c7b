/* Shared between the fake libnvidia-ml's entry points (fake_nvml.c) and its config parser
 * (fake_nvml_config.c). Not exported from the library (hidden visibility). */
#ifndef CARBONTRACKER_FAKE_NVML_INTERNAL_H
#define CARBONTRACKER_FAKE_NVML_INTERNAL_H

typedef int nvmlReturn_t;

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_UNKNOWN = 999
};

enum { MAX_GPUS = 64, MAX_MIGS = 64, MAX_PIDS = 32, TEXT_LEN = 96 };

/* Handles are pointers to these records; the product only ever sees them as opaque. */
struct nvmlDevice_st {
  int is_mig;
  unsigned int parent; /* MIG only: index of its GPU */
  char name[TEXT_LEN];
  char uuid[TEXT_LEN];
  unsigned long long energy_mj;
  unsigned long long energy_step_mj;
  char energy_file[TEXT_LEN]; /* when set, every counter read returns the number in this file */
  int energy_supported;
  int power_supported;
  unsigned int power_mw;
  unsigned int power_limit_mw; /* max power management limit; 0: NOT_SUPPORTED */
  long lost_after;  /* reads that succeed before the GPU is lost; -1 never */
  long reset_after; /* reads before the counter restarts at 0; -1 never */
  long reads;
  int lost;
  unsigned int compute_pids[MAX_PIDS];
  unsigned int n_compute;
  unsigned int graphics_pids[MAX_PIDS];
  unsigned int n_graphics;
};
typedef struct nvmlDevice_st* nvmlDevice_t;

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
} nvmlProcessInfo_t;

typedef struct {
  int init_error;
  unsigned int n_gpus;
  struct nvmlDevice_st gpus[MAX_GPUS];
  unsigned int n_migs;
  struct nvmlDevice_st migs[MAX_MIGS];
} FakeNvmlConfig;

/* Parses `text` (README.md's format) into *c; 0, or -1 with the reason on stderr. */
int fake_nvml_parse_config(FakeNvmlConfig* c, const char* text);
/* Two default GPUs with counters. */
void fake_nvml_default_config(FakeNvmlConfig* c);
/* From the file named by CARBONTRACKER_FAKE_NVML_CONFIG, or the defaults when it is unset. */
int fake_nvml_config_from_environment(FakeNvmlConfig* c);

#endif
