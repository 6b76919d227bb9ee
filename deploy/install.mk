# Install: the three programs with their data, configuration, state
# directories and systemd units (deploy/systemd/) in the FHS layout (README "Install on a kiosk", "Install the
# hub"). Included by the top Makefile.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=/etc] [LOCALSTATEDIR=/var]
#
# The installed programs are linked again from the same objects as the
# in-tree ones, with one object of their own, $(DIST)/paths.o: common/paths.c
# compiled with the installed layout. So `make run` and the tests keep the
# source tree's relative paths, and an installed program reads nothing
# relative to its working directory. Names in /usr/bin carry the project's
# prefix (xfl-kiosk, xfl-hub: "kiosk" and "hub" are too generic for a
# system's PATH); kioskctl keeps its name.
PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
DATADIR       ?= $(PREFIX)/share
# The kiosk's root fleet updater (deploy/update/, docs/fleet-updates.md).
LIBEXECDIR    ?= $(PREFIX)/libexec
# Configuration and state go to /etc and /var whatever PREFIX is (FHS).
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
# systemd's own directory for units of PREFIX=/usr packages on Debian 12 is
# /lib/systemd/system (debian/rules says so); /usr/local/lib/systemd/system
# is on systemd's search path too.
UNITDIR       ?= $(PREFIX)/lib/systemd/system
DESTDIR       ?=

DIST := $(BUILD)/dist
KIOSK_NAME := xfl-kiosk
HUB_NAME   := xfl-hub
KIOSK_SHARE := $(DATADIR)/$(KIOSK_NAME)
HUB_SHARE   := $(DATADIR)/$(HUB_NAME)
KIOSK_ETC   := $(SYSCONFDIR)/$(KIOSK_NAME)
HUB_ETC     := $(SYSCONFDIR)/$(HUB_NAME)
KIOSK_STATE := $(LOCALSTATEDIR)/lib/$(KIOSK_NAME)
HUB_STATE   := $(LOCALSTATEDIR)/lib/$(HUB_NAME)
DIST_BIN    := $(DIST)/$(KIOSK_NAME) $(DIST)/$(HUB_NAME) $(DIST)/kioskctl

DIST_DEFS := -DPATHS_KIOSK_CONFIG='"$(KIOSK_ETC)/kiosk.ini"' \
             -DPATHS_KIOSK_ASSETS='"$(KIOSK_SHARE)/assets"' \
             -DPATHS_KIOSK_LOCALE='"$(KIOSK_SHARE)/locale"' \
             -DPATHS_KIOSK_STATE='"$(KIOSK_STATE)"' \
             -DPATHS_HUB_DB='"$(HUB_STATE)/hub.db"' \
             -DPATHS_HUB_DEMO='"$(HUB_SHARE)/demo"' \
             -DPATHS_HUB_CONSOLE='"$(HUB_SHARE)/console"'

.PHONY: dist install uninstall FORCE

dist: $(DIST_BIN) $(MO_FILES)

# The layout the paths object was built for; rewritten only when it changes,
# so a different PREFIX rebuilds paths.o and relinks, and nothing else.
$(DIST)/paths.layout: FORCE
	@mkdir -p $(dir $@)
	@echo "$(KIOSK_ETC) $(KIOSK_SHARE) $(KIOSK_STATE) $(HUB_STATE) $(HUB_SHARE)" > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(DIST)/paths.o: common/paths.c common/paths.h $(DIST)/paths.layout
	$(CC) $(ALL_CFLAGS) $(DIST_DEFS) -c $< -o $@

# paths.o first: the linker then never takes the archives' own copy.
$(DIST)/$(KIOSK_NAME): $(BUILD)/obj/kiosk/main.o $(DIST)/paths.o $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(DRV_LDLIBS)

$(DIST)/$(HUB_NAME): $(BUILD)/obj/hub/main.o $(DIST)/paths.o $(BUILD)/libhub.a
	$(CC) $(HUB_CFLAGS) -o $@ $^ $(HUB_LDLIBS)

$(DIST)/kioskctl: $(CTL_OBJ) $(SIM_OBJ) $(DIST)/paths.o $(BUILD)/libdrivers.a $(BUILD)/libkiosk.a
	$(CC) $(DRV_CFLAGS) -o $@ $(CTL_OBJ) $(SIM_OBJ) $(DIST)/paths.o $(BUILD)/libkiosk.a $(BUILD)/libdrivers.a $(DRV_LDLIBS) $(LDLIBS)

# The shipped configuration: the reference files of the tree with the
# installed paths, and a kiosk that fills its screen.
$(DIST)/kiosk.ini: kiosk.ini $(DIST)/paths.layout
	sed -e 's|^var_dir = .*|var_dir = $(KIOSK_STATE)|' \
	    -e 's|^locale_dir = .*|locale_dir = $(KIOSK_SHARE)/locale|' \
	    -e 's|^assets_dir = .*|assets_dir = $(KIOSK_SHARE)/assets|' \
	    -e 's|^key_file = var/outbox.key|key_file = $(KIOSK_STATE)/outbox.key|' \
	    -e 's|^fullscreen = .*|fullscreen = true|' \
	    -e '1a ; Installed copy: paths are the installed layout (README "Install on a kiosk").' $< > $@
	@grep -q '^var_dir = /' $@ && grep -q '^key_file = /' $@ || { echo "$@: path keys not rewritten" >&2; exit 1; }

$(DIST)/hub.ini: hub/hub.ini $(DIST)/paths.layout
	sed -e 's|^db = .*|db = $(HUB_STATE)/hub.db|' \
	    -e '1a ; Installed copy: paths are the installed layout (README "Install the hub").' $< > $@
	@grep -q '^db = /' $@ || { echo "$@: db not rewritten" >&2; exit 1; }

# Configuration files are installed only where none exists yet: a
# reinstall never overwrites a kiosk's token or PIN hash. State directories
# are the service users' (created by the packages' maintainer scripts, or
# by hand: README); here they only exist, 0700.
install: dist $(DIST)/kiosk.ini $(DIST)/hub.ini
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(KIOSK_SHARE)/locale $(DESTDIR)$(HUB_SHARE)/demo \
	    $(DESTDIR)$(KIOSK_ETC) $(DESTDIR)$(HUB_ETC) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(DIST_BIN) $(DESTDIR)$(BINDIR)/
	cd assets && find . -type d -exec install -d $(abspath $(DESTDIR)$(KIOSK_SHARE))/assets/{} \; \
	    && find . -type f ! -name README.md -exec install -m 0644 {} $(abspath $(DESTDIR)$(KIOSK_SHARE))/assets/{} \;
	install -m 0644 $(MO_FILES) $(DESTDIR)$(KIOSK_SHARE)/locale/
	install -m 0644 hub/demo/*.sql $(DESTDIR)$(HUB_SHARE)/demo/
	install -d $(DESTDIR)$(HUB_SHARE)/console
	install -m 0644 hub/console/www/* $(DESTDIR)$(HUB_SHARE)/console/
	[ -e $(DESTDIR)$(KIOSK_ETC)/kiosk.ini ] || install -m 0640 $(DIST)/kiosk.ini $(DESTDIR)$(KIOSK_ETC)/kiosk.ini
	[ -e $(DESTDIR)$(HUB_ETC)/hub.ini ] || install -m 0640 $(DIST)/hub.ini $(DESTDIR)$(HUB_ETC)/hub.ini
	install -m 0644 deploy/systemd/$(KIOSK_NAME).service deploy/systemd/$(HUB_NAME).service $(DESTDIR)$(UNITDIR)/
	install -m 0644 deploy/update/$(KIOSK_NAME)-update.path deploy/update/$(KIOSK_NAME)-update.service $(DESTDIR)$(UNITDIR)/
	install -d $(DESTDIR)$(LIBEXECDIR)/$(KIOSK_NAME)
	install -m 0755 deploy/update/$(KIOSK_NAME)-update $(DESTDIR)$(LIBEXECDIR)/$(KIOSK_NAME)/update
	install -m 0644 deploy/update/security-floor $(DESTDIR)$(KIOSK_SHARE)/security-floor
	install -d $(DESTDIR)$(SYSCONFDIR)/pam.d
	install -m 0644 deploy/systemd/$(KIOSK_NAME).pam $(DESTDIR)$(SYSCONFDIR)/pam.d/$(KIOSK_NAME)
	install -d -m 0700 $(DESTDIR)$(KIOSK_STATE) $(DESTDIR)$(HUB_STATE)

# Removes what install put there, configuration and state excepted.
uninstall:
	rm -f $(DIST_BIN:$(DIST)/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(DESTDIR)$(UNITDIR)/$(KIOSK_NAME).service $(DESTDIR)$(UNITDIR)/$(HUB_NAME).service
	rm -f $(DESTDIR)$(UNITDIR)/$(KIOSK_NAME)-update.path $(DESTDIR)$(UNITDIR)/$(KIOSK_NAME)-update.service
	rm -rf $(DESTDIR)$(LIBEXECDIR)/$(KIOSK_NAME)
	rm -rf $(DESTDIR)$(KIOSK_SHARE) $(DESTDIR)$(HUB_SHARE)

FORCE:
