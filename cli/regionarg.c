/* --region as people type it: a code prefix (5323) or a place name. */
#include <stdio.h>
#include <string.h>

#include "../record/places.h"
#include "cli.h"

bool
gh_cli_region_prefixes(const char *command, char **regions, int *exit_code)
{
  const struct gh_regions *table = gh_regions_builtin();
  for(char **r = regions; r && *r; r++) {
    if(**r && strspn(*r, "0123456789") == strlen(*r) && strlen(*r) <= 6)
      continue;
    const char *code = gh_region_named(table, *r, NULL);
    if(!code) {
      fprintf(stderr, "govharvest %s: --region '%s' is neither a code prefix (1 to 6 digits: 32, "
                      "3208, 320813) nor a place name of the region table (江苏省, 淮安市, 洪泽区)\n",
              command, *r);
      *exit_code = GH_EXIT_USAGE;
      return false;
    }
    /* A province or a city covers every code under it: 320800 -> 3208. */
    size_t n = strlen(code);
    while(n > 2 && !strncmp(code + n - 2, "00", 2))
      n -= 2;
    g_free(*r);
    *r = g_strndup(code, n);
  }
  return true;
}
