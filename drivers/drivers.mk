# Drivers (drivers/*/*.c -> build/libdrivers.a), their tests
# (tests/drivers/test_*.c, with the simulators in tests/sims/) and kioskctl
# (kioskctl/*.c -> build/kioskctl). Included by the top Makefile.
DRV_PKGS := sdl2 SDL2_ttf SDL2_image libqrencode zbar libcjson alsa
DRV_CFLAGS = $(CPPFLAGS) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
             -Idrivers -Icommon -MMD -MP $(shell pkg-config --cflags $(DRV_PKGS) 2>/dev/null)
DRV_LDLIBS = $(LDFLAGS) $(shell pkg-config --libs $(DRV_PKGS) 2>/dev/null) -lutil -lpthread -lm
DRV_SRC := $(wildcard drivers/*/*.c)
# The common/ code the drivers use (each driver test links only libdrivers.a).
DRV_COMMON := billqr idnum mask rescode utf8
DRV_OBJ := $(DRV_SRC:%.c=$(BUILD)/obj/%.o) $(DRV_COMMON:%=$(BUILD)/obj/common/%.o)
SIM_SRC := $(wildcard tests/sims/*.c)
SIM_OBJ := $(SIM_SRC:%.c=$(BUILD)/obj/%.o)
DRV_TEST_SRC := $(wildcard tests/drivers/test_*.c)
DRV_TEST_BIN := $(DRV_TEST_SRC:tests/drivers/%.c=$(BUILD)/tests/%)
CTL_SRC := $(wildcard kioskctl/*.c)
CTL_OBJ := $(CTL_SRC:%.c=$(BUILD)/obj/%.o)

$(BUILD)/obj/drivers/%.o: drivers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DRV_CFLAGS) -c $< -o $@

$(BUILD)/obj/tests/sims/%.o: tests/sims/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DRV_CFLAGS) -Itests -c $< -o $@

$(BUILD)/obj/tests/drivers/%.o: tests/drivers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DRV_CFLAGS) -Itests $(shell pkg-config --cflags cmocka 2>/dev/null) -c $< -o $@

$(BUILD)/obj/kioskctl/%.o: kioskctl/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DRV_CFLAGS) -Ikioskctl -Ikiosk -Icommon -c $< -o $@

$(BUILD)/libdrivers.a: $(DRV_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(DRV_TEST_BIN): $(BUILD)/tests/%: $(BUILD)/obj/tests/drivers/%.o $(SIM_OBJ) $(BUILD)/libdrivers.a
	@mkdir -p $(dir $@)
	$(CC) $(DRV_CFLAGS) -o $@ $^ $(DRV_LDLIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/kioskctl: $(CTL_OBJ) $(SIM_OBJ) $(BUILD)/libdrivers.a $(BUILD)/libkiosk.a
	$(CC) $(DRV_CFLAGS) -o $@ $(CTL_OBJ) $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a $(DRV_LDLIBS) $(LDLIBS)

# Simulators as programs (tests/sims/bin/sim_NAME.c -> build/sim_NAME), for
# kioskctl checks and demos: the same simulator code the tests link.
SIM_BIN := $(patsubst tests/sims/bin/%.c,$(BUILD)/%,$(wildcard tests/sims/bin/sim_*.c))
$(BUILD)/sim_%: tests/sims/bin/sim_%.c $(SIM_OBJ) $(BUILD)/libdrivers.a
	@mkdir -p $(dir $@)
	$(CC) $(DRV_CFLAGS) -Itests -o $@ $^ $(DRV_LDLIBS)
