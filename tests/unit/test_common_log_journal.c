/* common/log: lines carry their syslog priority when, and only when,
 * standard error is the journal stream systemd names in JOURNAL_STREAM.
 * Each case runs in a child whose stderr is a temp file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/log.h"

/* Logs one line per level in a child with stderr on a fresh file; with
 * JOURNAL = 1 JOURNAL_STREAM names that file, 2 another file, 0 unset.
 * Returns what the child wrote (static buffer). */
static const char *log_in_child(int journal)
{
    static char out[2048];
    char path[] = "/tmp/log-journal-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct stat st;
        dup2(fd, STDERR_FILENO);
        fstat(journal == 2 ? STDIN_FILENO : fd, &st);
        char js[64];
        snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
        if (journal) setenv("JOURNAL_STREAM", js, 1);
        else unsetenv("JOURNAL_STREAM");
        unsetenv("KIOSK_LOG");
        log_set_level(LOG_DEBUG);
        log_debug("t", "d");
        log_info("t", "i");
        log_warn("t", "w");
        log_error("t", "e");
        fflush(stderr);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ssize_t n = pread(fd, out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return out;
}

static void journal_lines_carry_their_priority(void **state)
{
    assert_string_equal(log_in_child(1),
                        "<7>kiosk: debug t: d\n<6>kiosk: info t: i\n<4>kiosk: warn t: w\n<3>kiosk: error t: e\n");
}

static void a_terminal_or_file_gets_plain_lines(void **state)
{
    const char *plain = "kiosk: debug t: d\nkiosk: info t: i\nkiosk: warn t: w\nkiosk: error t: e\n";
    assert_string_equal(log_in_child(0), plain);
    /* Inherited from a parent whose stderr was the journal, not ours. */
    assert_string_equal(log_in_child(2), plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(journal_lines_carry_their_priority),
        cmocka_unit_test(a_terminal_or_file_gets_plain_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
