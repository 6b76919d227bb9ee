/* common/log.c as the kiosk links it: line format, levels, the KIOSK_LOG
 * switch and log_set_level overriding it, whole lines from many threads and
 * processes, overlong lines cut visibly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/log.h"

static char captured[1 << 18];

/* Runs FN with stderr sent to a temporary file; its text into CAPTURED. */
static void capture(void (*fn)(void))
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    fn();
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(captured, 1, sizeof captured - 1, tmp);
    captured[n] = '\0';
    fclose(tmp);
}

static void quiet_lines(void)
{
    log_error("test", "not shown %d", 1);
}

static void env_quiet_silences_everything(void **state)
{
    /* First line of the process: the switch is read now. */
    setenv("KIOSK_LOG", "quiet", 1);
    capture(quiet_lines);
    assert_string_equal(captured, "");
}

static void all_levels(void)
{
    log_debug("mod", "d %s", "x");
    log_info("mod", "i %d", 2);
    log_warn("other", "w");
    log_error("mod", "e: %s", "why");
}

static void set_level_overrides_the_switch(void **state)
{
    log_set_level(LOG_DEBUG);
    capture(all_levels);
    assert_string_equal(captured, "kiosk: debug mod: d x\n"
                                  "kiosk: info mod: i 2\n"
                                  "kiosk: warn other: w\n"
                                  "kiosk: error mod: e: why\n");
    log_set_level(LOG_WARN);
    capture(all_levels);
    assert_string_equal(captured, "kiosk: warn other: w\nkiosk: error mod: e: why\n");
    log_set_level(LOG_QUIET);
    capture(all_levels);
    assert_string_equal(captured, "");
    /* The environment is not read again. */
    setenv("KIOSK_LOG", "debug", 1);
    capture(all_levels);
    assert_string_equal(captured, "");
    log_set_level(LOG_INFO);
}

static void *logger(void *arg)
{
    for (int i = 0; i < 200; i++) log_info("thread", "%ld line %d with some text after it", (long)(intptr_t)arg, i);
    return NULL;
}

static void threads(void)
{
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++) pthread_create(&t[i], NULL, logger, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
}

static void lines_stay_whole_across_threads(void **state)
{
    log_set_level(LOG_INFO);
    capture(threads);
    int lines = 0;
    for (char *p = captured, *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
        long who;
        int i, used = 0;
        *nl = '\0';
        assert_int_equal(sscanf(p, "kiosk: info thread: %ld line %d with some text after it%n", &who, &i, &used), 2);
        assert_int_equal((size_t)used, strlen(p));
    }
    assert_int_equal(lines, 800);
}

/* Two processes on one open file (what `2>file` gives a test and the hub
 * it starts): each line is still whole. */
static void processes(void)
{
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            for (int i = 0; i < 2000; i++) log_info("proc", "%d line %d with some text after it", k, i);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) waitpid(kids[k], NULL, 0);
}

static void lines_stay_whole_across_processes(void **state)
{
    log_set_level(LOG_INFO);
    capture(processes);
    int lines = 0, per[2] = {0, 0};
    for (char *p = captured, *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
        int who, i, used = 0;
        *nl = '\0';
        assert_int_equal(sscanf(p, "kiosk: info proc: %d line %d with some text after it%n", &who, &i, &used), 2);
        assert_int_equal((size_t)used, strlen(p));
        assert_true(who == 0 || who == 1);
        assert_int_equal(i, per[who]++);   /* each process's lines in its order, none lost */
    }
    assert_int_equal(lines, 4000);
}

static char long_text[5000];

static void long_line(void)
{
    memset(long_text, 'x', sizeof long_text - 1);
    log_warn("mod", "%s", long_text);
    log_info("mod", "next");
}

static void an_overlong_line_is_cut_visibly(void **state)
{
    log_set_level(LOG_INFO);
    capture(long_line);
    char *nl = strchr(captured, '\n');
    assert_non_null(nl);
    assert_true(nl - captured < 2048);
    assert_memory_equal(captured, "kiosk: warn mod: xxx", 20);
    assert_memory_equal(nl - 3, "...", 3);
    assert_string_equal(nl + 1, "kiosk: info mod: next\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(env_quiet_silences_everything),
        cmocka_unit_test(set_level_overrides_the_switch),
        cmocka_unit_test(lines_stay_whole_across_threads),
        cmocka_unit_test(lines_stay_whole_across_processes),
        cmocka_unit_test(an_overlong_line_is_cut_visibly),
    };
    return cmocka_run_group_tests_name("common_log", tests, NULL, NULL);
}
