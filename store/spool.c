#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_MODE 02770

bool
gh_spool_prepare(const char *store_dir, GError **err)
{
  char *dir = g_build_filename(store_dir, "requests", NULL);
  bool ok = true;
  if(mkdir(dir, SPOOL_MODE) < 0 && errno != EEXIST) {
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s", dir,
                g_strerror(errno));
    ok = false;
  }
  struct stat sb;
  if(ok && (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, "%s is not a directory", dir);
    ok = false;
  }
  if(ok && sb.st_uid == geteuid()) {
    /* Best effort: without the group, the owner and root can still queue. */
    struct group *g = getgrnam("govharvest");
    if(g && sb.st_gid != g->gr_gid && chown(dir, (uid_t)-1, g->gr_gid) == 0)
      sb.st_gid = g->gr_gid;
    /* mkdir's mode went through the umask. */
    if((sb.st_mode & 07777) != SPOOL_MODE && chmod(dir, SPOOL_MODE) < 0)
      g_debug("chmod %s: %s", dir, g_strerror(errno));
  }
  g_free(dir);
  return ok;
}

bool
gh_store_writer_held(const char *store_dir, long *pid)
{
  *pid = 0;
  int fd = open(store_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(fd < 0)
    return false;
  /* A shared lock is refused only while a writer holds its exclusive one
   * (store.c); taken, it is let go at once. */
  bool held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  close(fd);
  if(held) {
    char *path = g_build_filename(store_dir, "writer.lock", NULL), *text = NULL;
    if(g_file_get_contents(path, &text, NULL, NULL))
      *pid = strtol(text, NULL, 10);
    g_free(text);
    g_free(path);
  }
  return held;
}

void
gh_spool_hand_over(const char *store_dir, const char *path)
{
  struct stat owner, sb;
  if(geteuid() != 0 || stat(store_dir, &owner) < 0)
    return;
  char *dir = g_path_get_dirname(path);
  /* Failures leave the request where it is: queue says when the daemon
   * does not take it. */
  if(lstat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == 0 && owner.st_uid != 0 &&
     (chown(dir, owner.st_uid, owner.st_gid) < 0 || chmod(dir, SPOOL_MODE) < 0))
    g_debug("handing %s over: %s", dir, g_strerror(errno));
  if(lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && chown(path, owner.st_uid, owner.st_gid) < 0)
    g_debug("handing %s over: %s", path, g_strerror(errno));
  g_free(dir);
}
