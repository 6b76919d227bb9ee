/* common/log.c as the kiosk links it: line format, levels, the KIOSK_LOG
 * switch and log_set_level overriding it, whole lines from many threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"

static char captured[1 << 16];

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(env_quiet_silences_everything),
        cmocka_unit_test(set_level_overrides_the_switch),
        cmocka_unit_test(lines_stay_whole_across_threads),
    };
    return cmocka_run_group_tests_name("common_log", tests, NULL, NULL);
}
