# make deb: the Debian packages xfl-kiosk, xfl-hub and kioskctl, built by
# dpkg-buildpackage from debian/ in a copy of this tree (dpkg-buildpackage
# writes its results beside the tree it builds, and cleans it first).
# Results in $(BUILD)/deb/: the .deb files, .buildinfo, .changes and
# lintian.txt (every finding; the ones kept are explained in
# debian/*.lintian-overrides). The objects stay in $(BUILD)/deb/obj between runs.
# Included by the top Makefile.
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/src/xfl-kiosk

.PHONY: deb

deb: deps
	@rm -rf $(DEB_DIR)/src $(DEB_DIR)/*.deb $(DEB_DIR)/*.changes $(DEB_DIR)/*.buildinfo
	@mkdir -p $(DEB_SRC) $(DEB_DIR)/obj
	@# tar keeps the sources' times, so the objects in obj/ stay current.
	tar --exclude=./build --exclude=./var --exclude=./.git --exclude=./node_modules -cf - . | tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && XFL_DEB_BUILD=$(abspath $(DEB_DIR)/obj) nice dpkg-buildpackage -b -us -uc -j2
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	lintian --info $(DEB_DIR)/*.changes > $(DEB_DIR)/lintian.txt 2>&1 || true
	@echo "make deb: packages in $(DEB_DIR):"; ls $(DEB_DIR)/*.deb
	@echo "make deb: lintian findings in $(DEB_DIR)/lintian.txt:"; grep -c '^[EW]:' $(DEB_DIR)/lintian.txt || true
