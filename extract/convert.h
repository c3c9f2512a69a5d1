/* Legacy Office files (.doc, .wps, .rtf, .xls) through LibreOffice.
 *
 * No well-kept C library reads Word 97-2003 or Kingsoft binary files;
 * LibreOffice does, so a legacy file is converted to DOCX or XLSX by
 * `soffice --headless --convert-to` and read by the readers we have.
 *
 * soffice forks, execs and opens files for writing, all of which the
 * extraction worker's seccomp filter kills.  So each worker forks a small
 * converter helper before it confines itself; the confined worker sends it
 * the bytes over a pipe and reads back the converted file.  The helper runs
 * one soffice per document in a fresh temporary directory with a private
 * profile, a clean environment, an address-space, CPU and file-size cap, a
 * wall deadline (the whole process group is killed past it) and a seccomp
 * filter refusing every socket but AF_UNIX (docs/security.md).  A hostile
 * file costs one conversion, never the worker or the crawl. */
#ifndef GH_CONVERT_H
#define GH_CONVERT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wall seconds one conversion may take before its processes are killed,
 * when the worker has no CPU budget per document to take it from. */
#define GH_CONVERT_SECONDS 60u
/* The largest file a conversion may write (RLIMIT_FSIZE) and return. */
#define GH_CONVERT_MAX_OUT ((size_t)64 << 20)

enum gh_convert_target {
  GH_CONVERT_DOCX, /* a word-processing file (.doc, .wps, .rtf) */
  GH_CONVERT_XLSX, /* a spreadsheet (.xls, Kingsoft .et) */
};

/* The package that provides the converter for `t`, for the reason of an
 * unsupported_format record when LibreOffice is missing. */
const char *gh_convert_package(enum gh_convert_target t);

/* In the worker, after closing inherited descriptors and before
 * gh_confine_worker: forks the helper when soffice is on PATH.  A
 * conversion has the worker's caps ([limits] extract_memory and
 * extract_cpu_seconds): `memory_bytes` of address space (0: 1 GiB) and
 * `seconds` of CPU and of wall time (0: GH_CONVERT_SECONDS), the latter
 * below the extraction deadline's default of 120 s, so a slow conversion
 * fails as itself rather than as a dead worker. */
void gh_convert_helper_start(uint64_t memory_bytes, unsigned seconds);

/* True when this process has a helper to convert with. */
bool gh_convert_available(void);

/* The converted file's bytes (g_byte_array_free), or NULL with *err: no
 * helper (G_FILE_ERROR_NOSYS), a conversion that failed, timed out or
 * wrote nothing (G_FILE_ERROR_INVAL), or an output over the cap
 * (G_FILE_ERROR_NOSPC).  `ext` names the input's kind for LibreOffice's
 * filter detection ("doc", "rtf", "xls"). */
GByteArray *gh_convert(const char *bytes, size_t len, const char *ext, enum gh_convert_target t,
                       GError **err);

#endif
