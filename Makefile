# Community kiosk - build, run, test.
# `make run` and `make test` are the two commands a newcomer needs; both install
# the Debian packages they lack first (`make deps`).

CC      ?= cc
BUILD   ?= build
PKGS    := sdl2 SDL2_ttf SDL2_image libqrencode sqlite3 inih libsodium libcurl libcjson espeak-ng
CFLAGS  ?= -O2 -g
# CPPFLAGS, CFLAGS and LDFLAGS are the caller's (optimisation, sanitizers,
# Debian's hardening flags from dpkg-buildflags); the rest is always needed.
ALL_CFLAGS = $(CPPFLAGS) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
           -Ikiosk -Icommon -Idrivers -MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(LDFLAGS) $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_LDLIBS = $(LDLIBS) $(shell pkg-config --libs cmocka zbar 2>/dev/null)

# kiosk/<layer>/*.c and kiosk/services/<service>/*.c: every kiosk source but main.c.
KIOSK_SRC := $(filter-out kiosk/main.c,$(wildcard kiosk/*/*.c kiosk/*/*/*.c)) $(wildcard common/*.c)
KIOSK_OBJ := $(KIOSK_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC  := $(wildcard tests/unit/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
PO_FILES  := $(wildcard locales/*.po)
MO_FILES  := $(PO_FILES:locales/%.po=$(BUILD)/locale/%.mo)
.DEFAULT_GOAL := all

# The hub and its tests (hub/hub.mk); the drivers, their tests and kioskctl
# (drivers/drivers.mk). Included here so their variables exist for the rules below.
include hub/hub.mk
include drivers/drivers.mk
# make dist and make install (deploy/install.mk); make deb (deploy/deb.mk).
include deploy/install.mk
include deploy/deb.mk

# libFuzzer targets for the parsers of untrusted files (tests/fuzz/*.c),
# built with clang from the parser sources (not libkiosk.a, which is not
# instrumented). `make fuzz` runs each for FUZZ_TIME seconds.
FUZZ_CC     ?= clang
FUZZ_TIME   ?= 20
FUZZ_CFLAGS ?= -O1 -g -fno-omit-frame-pointer
FUZZ_SAN    := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all deps run test tour bench soak asan golden clean pot tests-bin fuzz fuzz-build
.SECONDARY:

all: $(BUILD)/kiosk $(MO_FILES)

deps:
	@tests/tools/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libkiosk.a: $(KIOSK_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/kiosk: $(BUILD)/obj/kiosk/main.o $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(DRV_LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_SUPPORT_OBJ) $(SIM_OBJ) $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(TEST_LDLIBS) $(DRV_LDLIBS)

$(BUILD)/obj/tests/%.o: ALL_CFLAGS += -Itests $(shell pkg-config --cflags cmocka zbar 2>/dev/null)

$(BUILD)/locale/%.mo: locales/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# Message catalogue template: every _("...") and N_("...") in the kiosk.
pot: $(BUILD)/kiosk.pot
$(BUILD)/kiosk.pot: $(KIOSK_SRC) kiosk/main.c
	@mkdir -p $(dir $@)
	xgettext --from-code=UTF-8 -k_ -kN_ --no-location --omit-header -o $@ $^

tests-bin: all $(TEST_BIN) $(BUILD)/kiosk.pot

# Targets that need the Debian packages run `deps` first, then build in a
# sub-make, so a parallel build never starts before the packages are there.
run: deps
	@$(MAKE) --no-print-directory all
	@tests/tools/run.sh $(BUILD)/kiosk $(BUILD)/hub

test: deps
	@$(MAKE) --no-print-directory tests-bin
	@BUILD=$(BUILD) tests/run.sh

tour: deps
	@$(MAKE) --no-print-directory all
	@tests/tools/tour.sh $(BUILD)/kiosk $(BUILD)/tour

golden: deps
	@$(MAKE) --no-print-directory tests-bin
	@GOLDEN_UPDATE=1 BUILD=$(BUILD) $(BUILD)/tests/test_golden

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench_text $(BUILD)/hub_load $(BUILD)/bench_pay $(BUILD)/bench_content $(BUILD)/bench_outbox $(BUILD)/bench_voice $(BUILD)/tests/test_outbox_e2e $(BUILD)/hub $(BUILD)/bench_provider
	@BUILD=$(BUILD) tests/bench/bench.sh
	@BUILD=$(BUILD) tests/bench/bench_hub.sh

$(BUILD)/bench_text: $(BUILD)/obj/tests/bench/bench_text.o $(BUILD)/libkiosk.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# Payment figures: the kiosk driven headless against a real hub process.
# Content sync figures: first sync of 1,000 notices + 200 images, 304 polls.
$(BUILD)/bench_content: $(BUILD)/obj/tests/bench/bench_content.o $(TEST_SUPPORT_OBJ) $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(TEST_LDLIBS) $(DRV_LDLIBS)

$(BUILD)/bench_pay: $(BUILD)/obj/tests/bench/bench_pay.o $(TEST_SUPPORT_OBJ) $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(TEST_LDLIBS) $(DRV_LDLIBS)

# Voice figures: request to first audio sample (tests/bench/bench_voice.c).
$(BUILD)/bench_voice: $(BUILD)/obj/tests/bench/bench_voice.o $(BUILD)/libkiosk.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# Outbox figures: durable enqueues per second (synchronous=FULL).
$(BUILD)/bench_outbox: $(BUILD)/obj/tests/bench/bench_outbox.o $(BUILD)/libkiosk.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The soak (tests/soak/soak.c): SOAK_TAPS taps against a real hub and
# SOAK_DAYS simulated days of street mode, resources sampled (README "Soak").
soak: deps
	@$(MAKE) --no-print-directory all $(BUILD)/soak
	@SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy BUILD=$(BUILD) $(BUILD)/soak

$(BUILD)/soak: $(BUILD)/obj/tests/soak/soak.o $(TEST_SUPPORT_OBJ) $(SIM_OBJ) $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(TEST_LDLIBS) $(DRV_LDLIBS)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" test

# The script builds (make fuzz-build) and runs the targets; corpus copies,
# new inputs and crash files go to $(BUILD)/fuzz, never to tests/fuzz/corpus.
fuzz: deps
	@BUILD=$(BUILD) FUZZ_TIME=$(FUZZ_TIME) FUZZ_CC=$(FUZZ_CC) FUZZ_SEED=$${FUZZ_SEED:-$$RANDOM} tests/checks/fuzz_smoke.sh

fuzz-build: $(FUZZ_BIN)

$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c kiosk/core/config.c kiosk/core/log.c common/log.c common/paths.c \
                           kiosk/core/config.h kiosk/core/log.h
$(BUILD)/fuzz/fuzz_mo: tests/fuzz/fuzz_mo.c kiosk/core/i18n.c kiosk/core/log.c common/log.c \
                       kiosk/core/i18n.h kiosk/core/log.h
# The hub's request handling: routing, auth, idempotency and every handler's
# validation, through hub_handle (no socket), on a temp database.
$(BUILD)/fuzz/fuzz_hub_request: tests/fuzz/fuzz_hub_request.c $(HUB_SRC) \
                                $(wildcard hub/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ihub -Icommon -Ikiosk -DPATHS_HUB_DEMO='"$(CURDIR)/hub/demo"' \
	    $(shell pkg-config --cflags $(HUB_PKGS) 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs $(HUB_PKGS) 2>/dev/null) -lpthread -lm

# The hub's readers of outside parties, with the hub sources for its clock,
# log and settings: WeChat Pay's notifications and v2 XML (hub/pay_wechat*.c),
# a payment provider's statement (hub/reconcile.c) and a billing system's
# answers (hub/billing_http.c).
$(BUILD)/fuzz/fuzz_wechat_notice $(BUILD)/fuzz/fuzz_statement $(BUILD)/fuzz/fuzz_billing: $(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c \
        $(HUB_SRC) $(wildcard hub/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ihub -Icommon -Ikiosk -DHUB_DEMO_DIR='"$(CURDIR)/hub/demo"' \
	    $(shell pkg-config --cflags $(HUB_PKGS) 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs $(HUB_PKGS) 2>/dev/null) -lpthread -lm

# The kiosk's parsers of the hub's answers (net/hub_api.c, with its transport net/http.c).
$(BUILD)/fuzz/fuzz_hub_parse: tests/fuzz/fuzz_hub_parse.c kiosk/net/hub_api.c kiosk/net/http.c kiosk/net/jsonread.c common/mask.c common/utf8.c \
                              kiosk/core/log.c common/log.c kiosk/net/hub_api.h kiosk/net/http.h common/mask.h kiosk/core/log.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ikiosk -Icommon $(shell pkg-config --cflags libcjson libcurl libsodium 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs libcjson libcurl libsodium 2>/dev/null) -lpthread -lm

# The kiosk's parsers of the hub's housekeeping answers (services/housekeeping/hub_hk.c, with its
# transport net/http.c, which classifies error bodies with net/hub_api.c).
$(BUILD)/fuzz/fuzz_hk_parse: tests/fuzz/fuzz_hk_parse.c kiosk/services/housekeeping/hub_hk.c kiosk/net/http.c kiosk/net/hub_api.c kiosk/net/jsonread.c common/rescode.c \
                             common/mask.c common/utf8.c kiosk/core/log.c common/log.c kiosk/net/hub_api.h kiosk/services/housekeeping/hub_hk.h kiosk/net/http.h \
                             common/mask.h kiosk/core/log.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ikiosk -Icommon $(shell pkg-config --cflags libcjson libcurl libsodium 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs libcjson libcurl libsodium 2>/dev/null) -lpthread -lm

# Driver codecs: tests/fuzz/fuzz_drv_NAME.c with every driver source.
$(BUILD)/fuzz/fuzz_drv_%: tests/fuzz/fuzz_drv_%.c $(wildcard drivers/*/*.c) $(wildcard drivers/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Idrivers -Icommon $(shell pkg-config --cflags $(DRV_PKGS) 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(DRV_COMMON:%=common/%.c) $(shell pkg-config --libs $(DRV_PKGS) 2>/dev/null) -lutil -lpthread -lm

# The resident code's payload (common/rescode.c).
$(BUILD)/fuzz/fuzz_common_rescode: tests/fuzz/fuzz_common_rescode.c common/rescode.c common/rescode.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Icommon \
	    -o $@ $(filter %.c,$^)

# The console's CSV exports (common/csv.c): quoting, rows, defused formulas.
$(BUILD)/fuzz/fuzz_common_csv: tests/fuzz/fuzz_common_csv.c common/csv.c common/csv.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Icommon \
	    -o $@ $(filter %.c,$^)

# Content manifests (content/manifest.c): parse, validate, target, signature.
# The item a console preview draws (kiosk --preview, app/preview_item.c).
$(BUILD)/fuzz/fuzz_preview_item: tests/fuzz/fuzz_preview_item.c kiosk/app/preview_item.c \
                                 common/utf8.c kiosk/app/preview_item.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ikiosk -Icommon $(shell pkg-config --cflags libcjson 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs libcjson 2>/dev/null) -lm

$(BUILD)/fuzz/fuzz_content_manifest: tests/fuzz/fuzz_content_manifest.c kiosk/content/manifest.c \
                                     common/utf8.c kiosk/content/manifest.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ikiosk -Icommon $(shell pkg-config --cflags libcjson libsodium 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs libcjson libsodium 2>/dev/null) -lm

# Console pictures (hub/picture.c, hub/exif.c): the header probe, EXIF, the
# decoders behind the size checks, the shrink, the re-encode.
$(BUILD)/fuzz/fuzz_picture: tests/fuzz/fuzz_picture.c hub/picture.c hub/exif.c hub/picture.h hub/exif.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ihub $(shell pkg-config --cflags libpng libturbojpeg 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs libpng libturbojpeg 2>/dev/null) -lm

# The spoken-words layer (voice/speak_text.c): readings, cuts and the loudspeaker's privacy.
# The kiosk's fleet update files: the command's arguments, the updater's
# result, the version check (docs/fleet-updates.md).
$(BUILD)/fuzz/fuzz_selfupdate: tests/fuzz/fuzz_selfupdate.c kiosk/telemetry/selfupdate.c common/debver.c \
                               kiosk/telemetry/selfupdate.h common/debver.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ikiosk -Icommon $(shell pkg-config --cflags libcjson 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs libcjson 2>/dev/null) -lm

$(BUILD)/fuzz/fuzz_speak_text: tests/fuzz/fuzz_speak_text.c kiosk/voice/speak_text.c kiosk/voice/speak_text.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ikiosk -o $@ $(filter %.c,$^)

$(filter-out %/fuzz_picture %/fuzz_speak_text %/fuzz_selfupdate %/fuzz_hub_request %/fuzz_wechat_notice %/fuzz_hub_parse %/fuzz_hk_parse %/fuzz_content_manifest %/fuzz_preview_item %/fuzz_common_rescode %/fuzz_common_csv %/fuzz_statement %/fuzz_billing $(BUILD)/fuzz/fuzz_drv_%,$(FUZZ_BIN)):
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra \
	    -Wno-unused-parameter -Ikiosk $(shell pkg-config --cflags inih libsodium 2>/dev/null) \
	    -o $@ $(filter %.c,$^) $(shell pkg-config --libs inih libsodium 2>/dev/null)

clean:
	rm -rf $(BUILD)

all: $(BUILD)/hub $(BUILD)/kioskctl
tests-bin: $(HUB_TEST_BIN) $(DRV_TEST_BIN) $(SIM_BIN)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Test support shared by hub suites, linked into the suites that use it the
# way hub/hub.mk links the simulators (extra prerequisites of the binary):
# tests/hub/paytest.c, the payment providers' suites.
PAYTEST_SUITES := test_hub_alipay test_hub_wechat test_hub_wxrecon
$(PAYTEST_SUITES:%=$(BUILD)/tests/%): $(BUILD)/obj/tests/hub/paytest.o
# tests/hub/consoletest.c, the staff console's suites.
CONSOLETEST_SUITES := test_hub_console test_hub_console_items test_hub_console_reports test_hub_playlists \
                      test_hub_pictures test_hub_preview
$(CONSOLETEST_SUITES:%=$(BUILD)/tests/%): $(BUILD)/obj/tests/hub/consoletest.o $(BUILD)/obj/tests/support/signerproc.o
$(BUILD)/obj/tests/hub/consoletest.o: HUB_CFLAGS += -Itests
# The support comes after libhub.a on the link line: the library once more
# for what only the support calls.
$(PAYTEST_SUITES:%=$(BUILD)/tests/%) $(CONSOLETEST_SUITES:%=$(BUILD)/tests/%): HUB_LDLIBS += $(BUILD)/libhub.a

# Payment end to end (tests/unit/test_pay_e2e.c): the kiosk against a real
# hub process and the providers' simulators (tests/hub/*_sim.c), which run
# in the test process on the hub's code (libhub.a, after the kiosk's).
$(BUILD)/obj/tests/unit/test_pay_e2e.o: ALL_CFLAGS += -Ihub -Itests/hub
PAY_SIM_OBJ := $(BUILD)/obj/tests/hub/alipay_sim.o $(BUILD)/obj/tests/hub/wechat_sim.o $(BUILD)/obj/tests/hub/sim_hubini.o
$(BUILD)/tests/test_pay_e2e: $(PAY_SIM_OBJ) $(BUILD)/libhub.a
$(BUILD)/tests/test_pay_e2e: TEST_LDLIBS += $(BUILD)/libhub.a $(HUB_LDLIBS)
# The payment figures with a provider's simulator behind the hub.
$(BUILD)/obj/tests/bench/bench_pay.o: ALL_CFLAGS += -Ihub -Itests/hub
$(BUILD)/bench_pay: $(PAY_SIM_OBJ) $(BUILD)/libhub.a
$(BUILD)/bench_pay: TEST_LDLIBS += $(BUILD)/libhub.a $(HUB_LDLIBS)
