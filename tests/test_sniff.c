/* Format sniffing (extract/extract.c gh_sniff): the first bytes of a body
 * decide which reader gets it, whatever the server's Content-Type says. */
#include <glib.h>
#include <string.h>

#include "extract/extract.h"

#include "check.h"

#define B(s) s, sizeof(s) - 1

static void
test_sniff(void)
{
  static const struct { const char *bytes; size_t len; enum gh_format f; } c[] = {
    { B(""), GH_FMT_EMPTY },
    { B("%PDF-1.7\n"), GH_FMT_PDF },
    { B("PK\x03\x04....word/document.xml"), GH_FMT_DOCX },
    { B("PK\x03\x04....other.txt"), GH_FMT_ZIP },
    { B("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), GH_FMT_OLE },
    { B("<!DOCTYPE html><html>"), GH_FMT_HTML },
    { B("\xEF\xBB\xBF<html>"), GH_FMT_HTML },
    { B("一、总体情况\n"), GH_FMT_TEXT },
    { B("\x89PNG\r\n\x1a\n"), GH_FMT_IMAGE },
    { B("ab\0cd"), GH_FMT_BINARY },
    { B("GHPAGES1\x02\0\0\0\x01\0\0\0\0\0\0\0"), GH_FMT_PAGES },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(c); i++)
    EXPECT(gh_sniff(c[i].bytes, c[i].len) == c[i].f, "sniff case %zu = %s", i,
           gh_format_name(gh_sniff(c[i].bytes, c[i].len)));
}

static const struct gh_case cases[] = { GH_CASE(sniff) };

int
main(int argc, char **argv)
{
  return gh_cases_main("sniff", cases, G_N_ELEMENTS(cases), argc, argv);
}
