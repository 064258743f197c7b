/* Config parsing for the fake libnvidia-ml (format: README.md). */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_nvml_internal.h"

static void default_gpu(struct nvmlDevice_st* d, unsigned int index) {
  memset(d, 0, sizeof *d);
  snprintf(d->name, sizeof d->name, "NVIDIA Fake GPU");
  snprintf(d->uuid, sizeof d->uuid, "GPU-fa4e0000-0000-4000-8000-%012x", index);
  d->energy_mj = 1000000;
  d->energy_step_mj = 100;
  d->energy_supported = 1;
  d->power_supported = 1;
  d->power_mw = 100000;
  d->lost_after = -1;
  d->reset_after = -1;
}

static int parse_ull(const char* s, unsigned long long* out) {
  char* end = NULL;
  if (!isdigit((unsigned char)*s)) return -1;
  errno = 0;
  *out = strtoull(s, &end, 10);
  return (errno == 0 && *end == '\0') ? 0 : -1;
}

static int parse_pids(const char* s, unsigned int* pids, unsigned int* n) {
  *n = 0;
  while (*s) {
    char item[32];
    size_t len = strcspn(s, ",");
    unsigned long long v;
    if (len == 0 || len >= sizeof item || *n >= MAX_PIDS) return -1;
    memcpy(item, s, len);
    item[len] = '\0';
    if (parse_ull(item, &v) != 0 || v > 0xFFFFFFFFull) return -1;
    pids[(*n)++] = (unsigned int)v;
    s += len;
    if (*s == ',') ++s;
  }
  return 0;
}

/* Next token of `line` at *pos: `key=value`, `key="quoted value"` or a bare word. */
static int next_token(const char* line, size_t* pos, char* key, char* value) {
  const char* p = line + *pos;
  size_t k = 0, v = 0;
  while (isspace((unsigned char)*p)) ++p;
  if (*p == '\0' || *p == '#') return 0; /* end of line or a comment */
  while (*p && *p != '=' && !isspace((unsigned char)*p) && k + 1 < TEXT_LEN) key[k++] = *p++;
  key[k] = '\0';
  value[0] = '\0';
  if (*p == '=') {
    ++p;
    if (*p == '"') {
      ++p;
      while (*p && *p != '"' && v + 1 < TEXT_LEN) value[v++] = *p++;
      if (*p != '"') return -1;
      ++p;
    } else {
      while (*p && !isspace((unsigned char)*p) && v + 1 < TEXT_LEN) value[v++] = *p++;
    }
    value[v] = '\0';
  }
  if (*p && !isspace((unsigned char)*p)) return -1; /* over-long key or value */
  *pos = (size_t)(p - line);
  return 1;
}

static int apply_gpu_key(struct nvmlDevice_st* d, const char* key, const char* value) {
  unsigned long long v = 0;
  if (strcmp(key, "name") == 0 || strcmp(key, "uuid") == 0) {
    char* dst = key[0] == 'n' ? d->name : d->uuid;
    snprintf(dst, TEXT_LEN, "%s", value);
    return 0;
  }
  if (strcmp(key, "energy") == 0) {
    if (strcmp(value, "none") != 0 && strcmp(value, "counter") != 0) return -1;
    d->energy_supported = strcmp(value, "counter") == 0;
    return 0;
  }
  if (strcmp(key, "power") == 0) {
    if (strcmp(value, "none") != 0 && strcmp(value, "sampled") != 0) return -1;
    d->power_supported = strcmp(value, "sampled") == 0;
    return 0;
  }
  if (strcmp(key, "energy_file") == 0) {
    snprintf(d->energy_file, TEXT_LEN, "%s", value);
    return strlen(value) < TEXT_LEN ? 0 : -1;
  }
  if (strcmp(key, "pids") == 0) return parse_pids(value, d->compute_pids, &d->n_compute);
  if (strcmp(key, "graphics_pids") == 0) return parse_pids(value, d->graphics_pids, &d->n_graphics);
  if (parse_ull(value, &v) != 0) return -1;
  if (strcmp(key, "energy_mj") == 0) d->energy_mj = v;
  else if (strcmp(key, "energy_step_mj") == 0) d->energy_step_mj = v;
  else if (strcmp(key, "power_mw") == 0 && v <= 0xFFFFFFFFull) d->power_mw = (unsigned int)v;
  else if (strcmp(key, "power_limit_mw") == 0 && v <= 0xFFFFFFFFull) d->power_limit_mw = (unsigned int)v;
  else if (strcmp(key, "lost_after") == 0 && v < 0x7FFFFFFFull) d->lost_after = (long)v;
  else if (strcmp(key, "reset_after") == 0 && v < 0x7FFFFFFFull) d->reset_after = (long)v;
  else return -1;
  return 0;
}

static int parse_line(FakeNvmlConfig* c, const char* line, int line_no) {
  char key[TEXT_LEN], value[TEXT_LEN];
  size_t pos = 0;
  int t = next_token(line, &pos, key, value);
  if (t == 0) return 0;
  if (t < 0) goto bad;
  if (strcmp(key, "init_error") == 0) {
    unsigned long long v;
    if (next_token(line, &pos, key, value) != 1 || parse_ull(key, &v) != 0 || v > 0x7FFFFFFF) goto bad;
    c->init_error = (int)v;
    return 0;
  }
  if (strcmp(key, "gpu") == 0 || strcmp(key, "mig") == 0) {
    const int mig = key[0] == 'm';
    struct nvmlDevice_st* d;
    if (mig ? c->n_migs >= MAX_MIGS : c->n_gpus >= MAX_GPUS) goto bad;
    d = mig ? &c->migs[c->n_migs] : &c->gpus[c->n_gpus];
    default_gpu(d, c->n_gpus);
    if (mig) {
      d->is_mig = 1;
      d->parent = 0xFFFFFFFFu;
      d->energy_supported = 0;
      d->power_supported = 0;
      snprintf(d->uuid, sizeof d->uuid, "MIG-fa4e0000-0000-4000-8000-%012x", c->n_migs);
    }
    while ((t = next_token(line, &pos, key, value)) == 1) {
      unsigned long long parent;
      if (mig && strcmp(key, "parent") == 0 && parse_ull(value, &parent) == 0 && parent < MAX_GPUS) {
        d->parent = (unsigned int)parent;
      } else if (mig && strcmp(key, "uuid") != 0 && strcmp(key, "name") != 0) {
        goto bad;
      } else if (apply_gpu_key(d, key, value) != 0) {
        goto bad;
      }
    }
    if (t < 0 || (mig && d->parent == 0xFFFFFFFFu)) goto bad;
    if (mig) ++c->n_migs;
    else ++c->n_gpus;
    return 0;
  }
bad:
  fprintf(stderr, "fake_nvml: config line %d not understood: %s\n", line_no, line);
  return -1;
}

int fake_nvml_parse_config(FakeNvmlConfig* c, const char* text) {
  int line_no = 0;
  unsigned int i;
  memset(c, 0, sizeof *c);
  while (*text) {
    char line[1024];
    size_t len = strcspn(text, "\n");
    ++line_no;
    if (len >= sizeof line) {
      fprintf(stderr, "fake_nvml: config line %d too long\n", line_no);
      return -1;
    }
    memcpy(line, text, len);
    line[len] = '\0';
    if (parse_line(c, line, line_no) != 0) return -1;
    text += len;
    if (*text == '\n') ++text;
  }
  for (i = 0; i < c->n_migs; ++i) {
    if (c->migs[i].parent >= c->n_gpus) {
      fprintf(stderr, "fake_nvml: mig %s names parent %u, but there are %u gpus\n", c->migs[i].uuid,
              c->migs[i].parent, c->n_gpus);
      return -1;
    }
  }
  return 0;
}

void fake_nvml_default_config(FakeNvmlConfig* c) {
  memset(c, 0, sizeof *c);
  c->n_gpus = 2;
  default_gpu(&c->gpus[0], 0);
  default_gpu(&c->gpus[1], 1);
}

int fake_nvml_config_from_environment(FakeNvmlConfig* c) {
  const char* path = getenv("CARBONTRACKER_FAKE_NVML_CONFIG");
  FILE* f;
  char* text;
  long size;
  int rc;
  if (!path || !*path) {
    fake_nvml_default_config(c);
    return 0;
  }
  f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "fake_nvml: cannot open CARBONTRACKER_FAKE_NVML_CONFIG=%s\n", path);
    return -1;
  }
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = size >= 0 ? malloc((size_t)size + 1) : NULL;
  if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
    fclose(f);
    free(text);
    fprintf(stderr, "fake_nvml: cannot read %s\n", path);
    return -1;
  }
  fclose(f);
  text[size] = '\0';
  rc = fake_nvml_parse_config(c, text);
  free(text);
  return rc;
}
