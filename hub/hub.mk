# The hub: build/hub from hub/*.c (included by the top Makefile).
# libpng and libturbojpeg: console pictures are decoded and encoded again (hub/picture.c).
HUB_PKGS := sqlite3 libsodium libmicrohttpd libcjson inih libcrypto libcurl libqrencode minizip libpng libturbojpeg
HUB_CFLAGS = $(CPPFLAGS) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
             -Ihub -Icommon -MMD -MP $(shell pkg-config --cflags $(HUB_PKGS) 2>/dev/null)
HUB_LDLIBS = $(LDFLAGS) $(shell pkg-config --libs $(HUB_PKGS) 2>/dev/null) -lpthread -lm
HUB_SRC := $(filter-out hub/main.c,$(wildcard hub/*.c)) $(wildcard common/*.c)
# The kiosk's street schedule engine (pure: no clock, no I/O) is linked in, not
# copied: the console's day view runs the same code the screens run.
HUB_SRC += kiosk/services/street/schedule.c
# The kiosk's manifest check (pure: JSON in, verdict out) too: a bundle the
# console builds is checked as a kiosk will check it before it is signed.
HUB_SRC += kiosk/content/manifest.c
HUB_OBJ := $(HUB_SRC:%.c=$(BUILD)/obj/%.o)
$(BUILD)/obj/hub/console_playlist.o $(BUILD)/obj/hub/console_item_check.o $(BUILD)/obj/hub/console_dayview.o \
$(BUILD)/obj/hub/routes.o $(BUILD)/obj/hub/console_reports.o $(BUILD)/obj/hub/console_publish.o $(BUILD)/obj/hub/api_fleet.o: HUB_CFLAGS += -Ikiosk

$(BUILD)/obj/hub/%.o: hub/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -c $< -o $@

# The demo data's and the console's default places: this source tree, wherever the hub runs from
# (common/paths.c; an installed hub has its own, deploy/install.mk).
$(BUILD)/obj/common/paths.o: ALL_CFLAGS += -DPATHS_HUB_DEMO='"$(CURDIR)/hub/demo"' \
                                           -DPATHS_HUB_CONSOLE='"$(CURDIR)/hub/console/www"'

$(BUILD)/libhub.a: $(HUB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/hub: $(BUILD)/obj/hub/main.o $(BUILD)/libhub.a
	$(CC) $(HUB_CFLAGS) -o $@ $^ $(HUB_LDLIBS)

# Hub tests: tests/hub/test_hub_*.c, each linked with the hub library and the
# in-process hub harness (tests/hub/hubtest.c). Run by tests/run.sh like the
# kiosk's suites.
HUB_TEST_SRC := $(wildcard tests/hub/test_hub_*.c)
HUB_TEST_BIN := $(HUB_TEST_SRC:tests/hub/%.c=$(BUILD)/tests/%)

$(BUILD)/obj/tests/hub/%.o: tests/hub/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -Itests/hub $(shell pkg-config --cflags cmocka libcurl 2>/dev/null) -c $< -o $@

$(BUILD)/tests/test_hub_%: $(BUILD)/obj/tests/hub/test_hub_%.o $(BUILD)/obj/tests/hub/hubtest.o $(BUILD)/libhub.a
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -o $@ $^ $(HUB_LDLIBS) $(shell pkg-config --libs cmocka libcurl 2>/dev/null)

# Load generator for `make bench` (tests/bench/bench_hub.sh).
$(BUILD)/hub_load: tests/bench/hub_load.c
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -o $@ $< $(shell pkg-config --libs libcurl 2>/dev/null)

# The Alipay simulator (tests/hub/alipay_sim.c, not in tests/sims: those are
# linked into every kiosk suite), linked into the suites that talk to it.
$(BUILD)/tests/test_hub_alipay: $(BUILD)/obj/tests/hub/alipay_sim.o
# The WeChat Pay simulator (tests/hub/wechat_sim.c), with the Alipay one for
# the suite that runs both providers at once.
$(BUILD)/tests/test_hub_wechat: $(BUILD)/obj/tests/hub/wechat_sim.o $(BUILD)/obj/tests/hub/alipay_sim.o
# hub reconcile with WeChat Pay and with both providers (test_hub_wxrecon.c).
$(BUILD)/tests/test_hub_wxrecon: $(BUILD)/obj/tests/hub/wechat_sim.o $(BUILD)/obj/tests/hub/alipay_sim.o

# The billing system simulator (tests/hub/billing_sim.c), likewise.
$(BUILD)/tests/test_hub_billing: $(BUILD)/obj/tests/hub/billing_sim.o $(BUILD)/obj/tests/hub/alipay_sim.o

# Bench (make bench): the time the payment provider layer adds to a QR order
# (tests/bench/bench_provider.c), with the in-process hub and Alipay simulator.
$(BUILD)/obj/tests/bench/bench_provider.o: tests/bench/bench_provider.c
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -Itests/hub $(shell pkg-config --cflags cmocka libcurl 2>/dev/null) -c $< -o $@

$(BUILD)/bench_provider: $(BUILD)/obj/tests/bench/bench_provider.o $(BUILD)/obj/tests/hub/hubtest.o \
                         $(BUILD)/obj/tests/hub/alipay_sim.o $(BUILD)/libhub.a
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -o $@ $^ $(HUB_LDLIBS) $(shell pkg-config --libs cmocka libcurl 2>/dev/null)

# The preview suite decodes the kiosk's PNGs (SDL2_image, as the kiosk does).
$(BUILD)/obj/tests/hub/test_hub_preview.o: HUB_CFLAGS += $(shell pkg-config --cflags SDL2_image 2>/dev/null)
$(BUILD)/tests/test_hub_preview: HUB_LDLIBS += $(shell pkg-config --libs SDL2_image 2>/dev/null)
