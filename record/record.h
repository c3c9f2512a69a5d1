/* The report record: one agency's annual disclosure report for one year.
 *
 * This is the single definition of the record contract in docs/record-schema.md
 * (copied from the project brief).  The parser fills it, the store keeps its
 * JSON form, export writes it.  Field names are a public contract: analysts
 * script against them.  Add fields, never rename one.
 *
 * Cells are int64_t with GH_NULL for a blank: blank is not zero.
 */
#ifndef GH_RECORD_H
#define GH_RECORD_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define GH_NULL INT64_MIN
#define GH_PARSER_VERSION "1"

enum gh_template {
  GH_TEMPLATE_UNKNOWN = 0,
  GH_TEMPLATE_2019,
  GH_TEMPLATE_2021,
};

/* Why a document did or did not become a record.  The names are stable: the
 * store and `stats` count them. */
enum gh_status {
  GH_STATUS_PARSED = 0,
  GH_STATUS_EMPTY,              /* zero bytes, or no text at all */
  GH_STATUS_NOT_A_REPORT,       /* no annual-report title or tables */
  GH_STATUS_TABLES_NOT_FOUND,   /* looks like a report, section 三 missing */
  GH_STATUS_UNSUPPORTED_FORMAT, /* binary, legacy .doc/.wps/.xls, ... */
  GH_STATUS_TOO_LARGE,          /* over the configured byte or page cap */
  GH_STATUS_NEEDS_OCR,          /* PDF without a text layer */
  GH_STATUS_ENCRYPTED,          /* password-protected PDF */
  GH_STATUS_EXTRACT_FAILED,     /* malformed file, extractor crash/timeout */
  GH_STATUS_TOO_COSTLY,         /* would cost a reader past a cap (extract/pdfscan.h); the last */
};
#define GH_STATUS_LAST GH_STATUS_TOO_COSTLY
const char *gh_status_name(enum gh_status s);

/* Section 二 rows, in the order of the national tables. */
enum gh_pro_row {
  GH_PRO_RULES,
  GH_PRO_NORMATIVE,
  GH_PRO_LICENSING,
  GH_PRO_OTHER_SERVICES, /* 2019 only */
  GH_PRO_PENALTY,
  GH_PRO_COERCION,
  GH_PRO_FEES,
  GH_PRO_PROCUREMENT, /* 2019 only */
  GH_PRO_N
};
#define GH_PRO_COLS 3

/* Section 三 rows.  Both formats' rows live side by side; the JSON writer
 * emits the ones its template has. */
enum gh_app_row {
  GH_APP_NEW_RECEIVED,
  GH_APP_CARRIED_IN,
  GH_APP_GRANTED,
  GH_APP_PARTIALLY_GRANTED,
  GH_APP_DENIED_STATE_SECRET,
  GH_APP_DENIED_PROHIBITED_BY_LAW,
  GH_APP_DENIED_THREE_SAFETIES,
  GH_APP_DENIED_THIRD_PARTY,
  GH_APP_DENIED_INTERNAL_AFFAIRS,
  GH_APP_DENIED_PROCESS_INFO,
  GH_APP_DENIED_ENFORCEMENT_FILES,
  GH_APP_DENIED_ADMINISTRATIVE_QUERY,
  GH_APP_UNABLE_NOT_HELD,
  GH_APP_UNABLE_NEEDS_CREATION,
  GH_APP_UNABLE_UNCLEAR,
  GH_APP_NP_PETITION,
  GH_APP_NP_DUPLICATE,
  GH_APP_NP_PUBLICATION,
  GH_APP_NP_EXCESSIVE,
  GH_APP_NP_CONFIRMATION,
  GH_APP_OTHER,
  GH_APP_OTHER_NO_CORRECTION, /* 2021 only */
  GH_APP_OTHER_NO_FEE,        /* 2021 only */
  GH_APP_OTHER_OTHER,         /* 2021 only */
  GH_APP_TOTAL,
  GH_APP_CARRIED_OVER,
  GH_APP_N
};
#define GH_APP_COLS 7 /* six applicant columns, then 总计 */
#define GH_APP_TOTAL_COL 6

enum gh_appeal_group {
  GH_APPEAL_RECONSIDERATION,
  GH_APPEAL_LITIGATION_DIRECT,
  GH_APPEAL_LITIGATION_AFTER_REVIEW,
  GH_APPEAL_N
};
#define GH_APPEAL_COLS 5 /* upheld, corrected, other, pending, total */

/* Static description of the record layout, shared by the JSON writer, the
 * checks and (later) the CSV/long exporters, so column names exist once. */
struct gh_app_row_desc {
  const char *path;  /* "denied.state_secret" */
  const char *label; /* canonical printed label */
  bool only_2021;
};
extern const struct gh_app_row_desc gh_app_rows[GH_APP_N];
extern const char *const gh_app_cols[GH_APP_COLS];
extern const char *const gh_appeal_groups[GH_APPEAL_N];
extern const char *const gh_appeal_cols[GH_APPEAL_COLS];

struct gh_pro_desc {
  enum gh_pro_row row;
  const char *key;
  int n_ints;               /* integer cells in pro[row][0..n_ints) */
  const char *fields[3];    /* their JSON names */
  bool money;               /* followed by amount_wan / amount_text */
};
/* Terminated by an entry with key == NULL. */
const struct gh_pro_desc *gh_pro_layout(enum gh_template t);

struct gh_money {
  bool set;
  double wan;        /* normalised to 万元 */
  char *text;        /* as printed */
  bool unit_printed; /* "万元"/"元" in the cell; the column header may fix it */
};

struct gh_source {
  char *url;
  char *sha256;
  char *format; /* pdf, html, docx, text */
  char *fetched_at;
  char *text_fingerprint; /* gh_text_fingerprint of the prose */
  bool ocr; /* read from images by OCR (extract/ocr.h) */
};

struct gh_record {
  enum gh_status status;
  char *reason; /* for every status but PARSED */

  char *agency;
  char *region_code;
  int year; /* 0 when unknown */
  enum gh_template tpl;
  char *published_on; /* YYYY-MM-DD */

  bool has_proactive, has_applications, has_appeals;
  int64_t pro[GH_PRO_N][GH_PRO_COLS];
  struct gh_money amount; /* 2019 procurement total, 2021 fee amount */
  int64_t app[GH_APP_N][GH_APP_COLS];
  int64_t appeals[GH_APPEAL_N][GH_APPEAL_COLS];

  GPtrArray *checks;   /* struct gh_check * */
  GPtrArray *warnings; /* char * */
  GPtrArray *derived;  /* char * */
  /* Row paths whose printed values could be placed neither under a header,
   * nor by a full count, nor by the form's arithmetic: their cells are left
   * blank rather than guessed (parser.h, enum gh_placement). */
  GPtrArray *unplaced; /* char * */
  struct gh_source source;
};

enum gh_check_result { GH_CHECK_NULL = -1, GH_CHECK_FAIL = 0, GH_CHECK_OK = 1 };

struct gh_check {
  const char *rule;
  enum gh_check_result ok;
  bool soft; /* a warning-level rule (template-spec §6, softer checks) */
  char *detail;
};

void gh_record_init(struct gh_record *r);
void gh_record_clear(struct gh_record *r);
void gh_record_warn(struct gh_record *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void gh_record_fail(struct gh_record *r, enum gh_status s, const char *fmt, ...)
  G_GNUC_PRINTF(3, 4);

/* Fill the blanks the table's own arithmetic forces, listing each in
 * `derived`, then evaluate every consistency rule into `checks`. */
void gh_record_derive(struct gh_record *r);
void gh_record_check(struct gh_record *r);

/* The JSON form (record-schema.md).  Caller owns the reference. */
json_t *gh_record_to_json(const struct gh_record *r);

const char *gh_template_name(enum gh_template t);

#endif
