# The syscall lab: a Linux kernel with a new `hello` system call family,
# built, booted under QEMU and measured.
#
#   make run    build everything, boot the lab kernel, show the family at work
#   make test   host unit tests + in-guest kselftests + KUnit; "N passed, N failed"
#   make bench  every path timed: host, vm and icount, mitigations on and off
#   make test-kvm  the kvm mode for real: lab boot --mode auto under KVM
#               nested in a TCG guest (its rows saved for lab summary)
#
# KVER=6.12|6.1 picks Debian's kernel source package (linux-source-KVER,
# extracted under build/src/, built in build/linux-source-KVER/; the two
# versions' builds live side by side). The default is 6.12, the newest
# long-term kernel in Debian 12's archive. KSRC=/path/to/tree uses any
# other kernel tree instead. LAB_MODE=auto|tcg|kvm|icount.
# ARCH=arm64 does each job for arm64 (QEMU's virt machine, cross-built);
# x86_64 is the default. The two architectures' builds live side by side.

SHELL := /bin/bash
.DEFAULT_GOAL := run
.DELETE_ON_ERROR:

BUILD ?= build
LAB_MODE ?= auto
BOOT_TIMEOUT ?= 300
# The versions of Debian's source packages the lab knows (config/debian-packages:
# job ksrc-KVER). Its paths are KVER's alone.
KVERS := 6.1 6.12
DEFAULT_KVER := 6.12
KVER ?= $(DEFAULT_KVER)
ifeq ($(filter $(KVERS),$(KVER)),)
$(error KVER=$(KVER): the lab knows $(KVERS) (Debian's linux-source-* packages); KSRC= takes any other tree)
endif
KERNEL_TARBALL ?= /usr/src/linux-source-$(KVER).tar.xz
DEFAULT_KSRC := $(BUILD)/src/linux-source-$(KVER)
KSRC ?= $(DEFAULT_KSRC)
# A tree is known by its absolute path (symlinks resolved), not its name:
# everything built from it (the patch stamp, both kernels, the module, the
# guest programs, the initramfs) lives in $(BUILD)/$(KNAME)/, so two trees
# with the same base name never share a build. The default tree keeps the
# readable name; another is NAME-HASH (the first 12 hex digits of the
# SHA-256 of its path).
KSRC_PATH := $(or $(realpath $(KSRC)),$(abspath $(KSRC)))
KSRC_IS_DEFAULT := $(if $(filter $(or $(realpath $(DEFAULT_KSRC)),$(abspath $(DEFAULT_KSRC))),$(KSRC_PATH)),yes)
KNAME := $(if $(KSRC_IS_DEFAULT),linux-source-$(KVER),$(notdir $(KSRC_PATH))-$(shell printf '%s' '$(KSRC_PATH)' | sha256sum | cut -c1-12))
KTREE := $(BUILD)/$(KNAME)

# The architecture: the kernel's name for it, its cross compilers (the
# 64-bit programs' and the 32-bit ones'), its image, and where its builds
# and results go (x86_64's where they always were; arm64's in arm64/).
ARCH ?= x86_64
ifeq ($(ARCH),x86_64)
CROSS :=
GUEST_CC := $(CC)
GUEST_CC32 := i686-linux-gnu-gcc
KIMAGE := arch/x86/boot/bzImage
ARCH_DIR :=
else ifeq ($(ARCH),arm64)
CROSS := aarch64-linux-gnu-
GUEST_CC := $(CROSS)gcc
GUEST_CC32 := arm-linux-gnueabihf-gcc
KIMAGE := arch/arm64/boot/Image
ARCH_DIR := /arm64
else
$(error ARCH=$(ARCH): the lab knows x86_64 and arm64)
endif
# What the kernel's own make is told, for the kernel and the modules.
KARCH := ARCH=$(ARCH) $(if $(CROSS),CROSS_COMPILE=$(CROSS))
AB := $(KTREE)$(ARCH_DIR)
KOBJ := $(AB)/lab
KOBJ_NOSYS := $(AB)/nosyscalls
KOBJ_NOEXP := $(AB)/noexports
BZIMAGE := $(KOBJ)/$(KIMAGE)
BZIMAGE_NOSYS := $(KOBJ_NOSYS)/$(KIMAGE)
BZIMAGE_NOEXP := $(KOBJ_NOEXP)/$(KIMAGE)
GEN := $(AB)/gen
GUEST := $(AB)/guest
MODULES := $(AB)/module
MODULES_NOEXP := $(AB)/module-noexports
TOOLS := $(BUILD)/tools
# Another version's results go beside the default's, under its name
# (build/out/6.1/, results/6.1/), so a run on one does not overwrite the other's.
kver_dir = $(if $(filter-out $(DEFAULT_KVER),$(1)),/$(1))
KVER_DIR := $(if $(KSRC_IS_DEFAULT),$(call kver_dir,$(KVER)))
OUT := $(BUILD)/out$(KVER_DIR)$(ARCH_DIR)
# The series is made from the tarball of KVER, whatever KSRC is.
PATCHES := $(BUILD)/patches$(call kver_dir,$(KVER))
BENCH_OUT ?= results$(KVER_DIR)$(ARCH_DIR)

# Debian packages, by job, from config/debian-packages (what each job runs
# or reads, and the package it comes from; .ci/run and
# tests/host/test_packages.sh read the same file). The 32-bit guest
# programs are built by Debian's cross compilers (i686 for x86, armhf for
# arm64): gcc-multilib conflicts with every cross compiler.
PKG_MAP := config/debian-packages
pkgs = $(sort $(shell awk -v jobs='$(1)' '!/^\#/ && NF == 4 { n = split($$4, j, ","); \
	for (i = 1; i <= n; i++) if (index(" " jobs " ", " " j[i] " ")) print $$2 }' $(PKG_MAP)))
DEPS := $(call pkgs,build $(ARCH))
DEPS_KSRC := $(if $(KSRC_IS_DEFAULT),$(call pkgs,ksrc ksrc-$(KVER)))
# make test runs both architectures on both versions and checks the patch
# series (whose selftests it builds for both): everything (make test's
# kernel needs first, deps-kbuild; the rest beside its build).
DEPS_TEST := $(call pkgs,build x86_64 arm64 ksrc $(addprefix ksrc-,$(KVERS)) test trace patches)
DEPS_PATCHES := $(call pkgs,build patches)
# What building a kernel needs (its tree, the compiler for ARCH), before
# the rest: make test installs the rest while the first kernel builds.
DEPS_KBUILD := $(call pkgs,build $(filter arm64,$(ARCH))) $(DEPS_KSRC)
DEPS_BENCH := $(call pkgs,bench)
DEPS_TRACE := $(call pkgs,trace)

# The contracts kernel, guest and host share (include/lab/): the row
# schema, the statistics, the trouble list, the result ports.
CONTRACTS := $(wildcard include/lab/*.h)

# Host tools of the lab's own (cc as on the host, tested by make test).
HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g
# What the build writes from the family's declaration (kernel/family.tbl):
# user space's wrappers, the names the module and the host tool check.
FAMILY_GEN := $(BUILD)/family
# Guest programs: static, so the initramfs needs no libraries.
GUEST_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -static -fno-pie -no-pie \
	-Iuser -Iinclude/lab -I$(GEN) -I$(FAMILY_GEN) -Ikernel/include/uapi
# Tests use the kernel's kselftest harness (GNU C; a system header, as its own
# unused parameters are not ours to fix) with UBSan, trapping.
GUEST_TEST_CFLAGS := $(subst -std=c11,-std=gnu11,$(GUEST_CFLAGS)) \
	-isystem $(KSRC)/tools/testing/selftests -Itests/guest \
	-fsanitize=undefined -fsanitize-undefined-trap-on-error

.PHONY: run test bench asm trace mitigations wiring deps deps-kbuild deps-test-background deps-test deps-bench deps-trace patch-tree kernel kernel-nosys module guest initramfs clean distclean
.PHONY: FORCE

deps:
	@scripts/deps.sh $(DEPS) $(DEPS_KSRC)
deps-patches:
	@scripts/deps.sh $(DEPS) $(DEPS_PATCHES)
deps-test:
	@scripts/deps.sh $(DEPS_TEST)
deps-kbuild:
	@scripts/deps.sh $(DEPS_KBUILD)
# make test's packages, installed in the background (its log in BUILD);
# whatever needs one of them waits for it (deps.sh takes turns).
deps-test-background: deps-kbuild
	@scripts/deps.sh --background $(BUILD)/deps-test.log $(DEPS_TEST)
# The host's unit tests alone: the compiler and the test libraries.
deps-host-tests:
	@scripts/deps.sh $(call pkgs,build test)
deps-trace:
	@scripts/deps.sh $(DEPS) $(DEPS_KSRC) $(DEPS_TRACE)
deps-bench:
	@scripts/deps.sh $(DEPS) $(DEPS_KSRC) $(DEPS_BENCH)

# --- the kernel source ------------------------------------------------------

$(DEFAULT_KSRC)/Makefile: | deps-kbuild
	@[ -f $(KERNEL_TARBALL) ] || { echo "error: no kernel source tarball $(KERNEL_TARBALL) (Debian package linux-source-$(KVER))" >&2; exit 1; }
	@echo "==> extracting $(KERNEL_TARBALL)"
	@rm -rf $(BUILD)/src/.extract && mkdir -p $(BUILD)/src/.extract
	@tar -xf $(KERNEL_TARBALL) -C $(BUILD)/src/.extract
	@rm -rf $(DEFAULT_KSRC) && mv $(BUILD)/src/.extract/linux-source-$(KVER) $(DEFAULT_KSRC)
	@rm -rf $(BUILD)/src/.extract

# Another tree is checked before anything runs: one line and a non-zero exit.
ifeq ($(KSRC_IS_DEFAULT),)
ifeq ($(shell grep -qs '^VERSION' $(KSRC)/Makefile && echo yes),)
$(error KSRC=$(KSRC) is not a kernel tree (no Makefile with VERSION))
endif
endif
KSRC_READY := $(if $(KSRC_IS_DEFAULT),$(DEFAULT_KSRC)/Makefile)

# --- host tools ---------------------------------------------------------------

# lab-tbl: the family's numbers in a syscall table, every fragment that
# names the family, from its declaration (kernel/family.tbl), and the edits
# scripts/patch-kernel.sh makes to a kernel tree (--edit).
KEDIT_SRC := tools/lines.c tools/kedit.c tools/kedit_numbers.c
LAB_TBL_SRC := tools/lab-tbl.c tools/syscall_table.c tools/family.c tools/family_write.c \
	$(KEDIT_SRC) tools/kedit_tree.c tools/kedit_wire.c
$(TOOLS)/lab-tbl: $(LAB_TBL_SRC) tools/syscall_table.h tools/family.h tools/lines.h \
		tools/kedit.h tools/kedit_tree.h | deps-kbuild
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $(LAB_TBL_SRC)
# lab-new-syscall: make new-syscall NAME=... ARGS="TYPE NAME, ..." [COMPAT="TYPE
# NAME, ..."]: the call declared in kernel/family.tbl and scaffolded
# (tools/new-syscall.c); with COMPAT, a compat entry for 32-bit callers
# taking those arguments.
LAB_NEW_SRC := tools/new-syscall.c tools/family.c tools/family_write.c tools/syscall_table.c
$(TOOLS)/lab-new-syscall: $(LAB_NEW_SRC) tools/family.h tools/syscall_table.h | deps-kbuild
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $(LAB_NEW_SRC)
new-syscall: $(TOOLS)/lab-new-syscall
	@$(TOOLS)/lab-new-syscall $(if $(COMPAT),--compat "$(COMPAT)") . "$(NAME)" "$(ARGS)" \
		$(wildcard $(KSRC)/arch/x86/entry/syscalls/syscall_64.tbl $(KSRC)/scripts/syscall.tbl)
.PHONY: new-syscall
# The host tool: boots, supervises, parses and reports (host/lab.c).
LAB_SRC := $(wildcard host/*.c)
LAB_HDR := $(wildcard host/*.h) $(CONTRACTS)
LAB := $(TOOLS)/lab
$(LAB): $(LAB_SRC) $(LAB_HDR) $(FAMILY_GEN)/lab_family.h | deps-kbuild
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ihost -Iinclude/lab -I$(FAMILY_GEN) -o $@ $(LAB_SRC) -ljansson -lm
# lab_family.h (the names), lab_syscall_wrappers.h (user space's wrappers).
$(FAMILY_GEN)/lab_family.h $(FAMILY_GEN)/lab_syscall_wrappers.h: $(FAMILY_GEN)/%: kernel/family.tbl $(TOOLS)/lab-tbl
	@mkdir -p $(@D)
	@$(TOOLS)/lab-tbl --family kernel/family.tbl $(if $(filter lab_family.h,$*),c-names,wrappers) >$@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

# --- the lab kernels ------------------------------------------------------------

KERNEL_INPUTS := $(filter-out kernel/patch/series,$(wildcard kernel/hello/* kernel/patch/* kernel/include/uapi/linux/*)) \
	kernel/family.tbl scripts/patch-kernel.sh $(TOOLS)/lab-tbl

# Two makes in one tree take turns at patching and building the kernel
# (flock waits) rather than writing into one object directory at once.
KLOCK = mkdir -p $(BUILD) && flock $(BUILD)/.kernel.lock
# The stamps stand for "patched / built from these inputs"; kbuild itself decides what
# to recompile, and is not even started when no input changed.
# The patch stamp also records which tree it stands for (KTREE/ksrc).
PATCHED := $(KTREE)/.lab-patched
$(PATCHED): $(KERNEL_INPUTS) | $(KSRC_READY) deps-kbuild
	@mkdir -p $(@D)
	@$(KLOCK) scripts/patch-kernel.sh $(KSRC) $(TOOLS)/lab-tbl
	@echo '$(KSRC_PATH)' >$(@D)/ksrc
	@touch $@
patch-tree: $(PATCHED)
# Each kernel: tinyconfig, the lab's fragment, the architecture's, the variant's.
KCONFIG := config/lab.config config/$(ARCH).config
KBUILD_KERNEL = $(KLOCK) env $(KARCH) scripts/build-kernel.sh $(KSRC)
$(KOBJ)/.lab-built: $(PATCHED) $(KCONFIG) scripts/build-kernel.sh config/renamed config/removed
	@$(KBUILD_KERNEL) $(KOBJ) $(KCONFIG)
	@touch $@
# The variants start as a copy of the lab kernel's build (build-kernel.sh
# --from): kbuild recompiles only what their few options change.
KBUILD_VARIANT = $(KLOCK) env $(KARCH) scripts/build-kernel.sh --from $(KOBJ) $(KSRC)
$(KOBJ_NOSYS)/.lab-built: $(KOBJ)/.lab-built $(KCONFIG) config/lab-nosyscalls.config scripts/build-kernel.sh config/renamed config/removed
	@$(KBUILD_VARIANT) $(KOBJ_NOSYS) $(KCONFIG) config/lab-nosyscalls.config
	@touch $@
# A third: the family built, its dispatch exports off (the option's default).
$(KOBJ_NOEXP)/.lab-built: $(KOBJ)/.lab-built $(KCONFIG) config/lab-noexports.config scripts/build-kernel.sh config/renamed config/removed
	@$(KBUILD_VARIANT) $(KOBJ_NOEXP) $(KCONFIG) config/lab-noexports.config
	@touch $@
kernel: $(KOBJ)/.lab-built
kernel-nosys: $(KOBJ_NOSYS)/.lab-built
kernel-noexports: $(KOBJ_NOEXP)/.lab-built
.PHONY: kernel-noexports

$(GEN)/lab_syscall_nr.h: $(KOBJ)/.lab-built scripts/gen-nr-header.sh kernel/family.tbl $(TOOLS)/lab-tbl \
		kernel/selftests/lab_syscalls/lab_syscall_nr.awk
	@mkdir -p $(@D)
	@scripts/gen-nr-header.sh $(ARCH) $(KSRC) $(KOBJ) $(TOOLS)/lab-tbl >$@

# --- the module (out-of-tree kbuild, against the lab kernel) ---------------------

MODULE_KO := $(MODULES)/kernel_syscall.ko
MODULE_BENCH_KO := $(MODULES)/kernel_bench.ko
# kernel_wiring.ko reads x86's IDT and MSRs: x86_64 only.
MODULE_WIRING_KO := $(if $(filter x86_64,$(ARCH)),$(MODULES)/kernel_wiring.ko)
MODULE_SRC := module/Kbuild module/kernel_syscall.c module/kernel_bench.c module/kernel_wiring.c \
	include/lab/lab_stats.h include/lab/lab_row.h include/lab/lab_own_calls.h $(FAMILY_GEN)/lab_family.h
$(MODULE_KO) $(MODULE_BENCH_KO) $(MODULE_WIRING_KO) &: $(MODULE_SRC) $(KOBJ)/.lab-built
	@mkdir -p $(@D)
	@cp $(MODULE_SRC) $(@D)/
	@echo "==> building kernel_syscall.ko, kernel_bench.ko"
	@$(MAKE) -s -C $(KOBJ) $(KARCH) M=$(abspath $(@D)) modules
module: $(MODULE_KO) $(MODULE_BENCH_KO) $(MODULE_WIRING_KO)
# The same modules against the kernel without the dispatch exports: they
# test IS_ENABLED(CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS) of the kernel they
# are built against, so they skip their dispatch checks and rows.
MODULES_NOEXP_KO := $(MODULES_NOEXP)/kernel_syscall.ko $(MODULES_NOEXP)/kernel_bench.ko \
	$(if $(filter x86_64,$(ARCH)),$(MODULES_NOEXP)/kernel_wiring.ko)
$(MODULES_NOEXP_KO) &: $(MODULE_SRC) $(KOBJ_NOEXP)/.lab-built
	@mkdir -p $(@D)
	@cp $(MODULE_SRC) $(@D)/
	@echo "==> building kernel_syscall.ko, kernel_bench.ko (dispatch exports off)"
	@$(MAKE) -s -C $(KOBJ_NOEXP) $(KARCH) M=$(abspath $(@D)) modules

# --- guest programs -----------------------------------------------------------------

USER_DEPS := user/lab_syscall.h $(GEN)/lab_syscall_nr.h $(FAMILY_GEN)/lab_syscall_wrappers.h \
	kernel/include/uapi/linux/lab_syscalls.h
TEST_DEPS := $(USER_DEPS) tests/guest/lab_test.h $(KSRC)/tools/testing/selftests/kselftest_harness.h

$(GUEST)/init: guest/init.c include/lab/lab_trouble.h include/lab/lab_ports.h | deps
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<
$(GUEST)/user_syscall: user/user_syscall.c $(USER_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<
$(GUEST)/user_syscall32: user/user_syscall.c $(USER_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC32) $(GUEST_CFLAGS) -o $@ $<
$(GUEST)/vdso_bytes32: user/vdso_bytes.c
	@mkdir -p $(@D)
	$(GUEST_CC32) $(GUEST_CFLAGS) -o $@ $<
$(GUEST)/user_functioncall: user/user_functioncall.c user/labfunc.c user/labfunc.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ user/user_functioncall.c user/labfunc.c
BENCH_DEPS := bench/bench_user.c bench/lab_bench.c bench/lab_bench.h include/lab/lab_stats.h include/lab/lab_row.h include/lab/lab_own_calls.h bench/lab_timing.h user/labfunc.c user/labfunc.h $(USER_DEPS)
$(GUEST)/bench_user: $(BENCH_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -Ibench -o $@ bench/bench_user.c bench/lab_bench.c user/labfunc.c
$(GUEST)/bench_user32: $(BENCH_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC32) $(GUEST_CFLAGS) -Ibench -o $@ bench/bench_user.c bench/lab_bench.c user/labfunc.c
# Cost per operation against operations per crossing: N lab_null() calls,
# one lab_batch() of N, io_uring NOPs (liburing's static library, 64-bit
# only, and x86_64 only: Debian's cross toolchains have no liburing), the
# in-kernel floor from the module.
URING := $(if $(CROSS),,-DLAB_HAVE_URING)
URING_LIB := $(if $(CROSS),,-luring)
BATCH_DEPS := bench/bench_batch.c bench/lab_bench.c bench/lab_bench.h include/lab/lab_stats.h include/lab/lab_row.h bench/lab_timing.h $(USER_DEPS)
$(GUEST)/bench_batch: $(BATCH_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -Ibench $(URING) -o $@ bench/bench_batch.c bench/lab_bench.c $(URING_LIB)
$(GUEST)/bench_batch32: $(BATCH_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC32) $(GUEST_CFLAGS) -Ibench -o $@ bench/bench_batch.c bench/lab_bench.c
$(GUEST)/%_test: tests/guest/%_test.c $(TEST_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_TEST_CFLAGS) -o $@ $<
$(GUEST)/%_test32: tests/guest/%_test.c $(TEST_DEPS)
	@mkdir -p $(@D)
	$(GUEST_CC32) $(GUEST_TEST_CFLAGS) -o $@ $<

# Threads and locks in a 32-bit program (glibc waits in futex()); and the
# same source 64-bit, as the control.
$(GUEST)/threads_test $(GUEST)/threads_test32 $(GUEST)/batch_test $(GUEST)/batch_test32: GUEST_TEST_CFLAGS += -pthread

# The programs of /lab/bin for ARCH: guest/programs.list names each, its
# sources and the plans that run it (scripts/initramfs-list.sh checks it).
GUEST_PROGRAMS := guest/programs.list
GUEST_BINS := $(addprefix $(GUEST)/,$(shell awk -v arch=$(ARCH) '!/^\#/ && NF >= 4 && \
	index("," $$2 ",", "," arch ",") { print $$1 }' $(GUEST_PROGRAMS)))
# The compilers for ARCH's guest programs (make test installs them while
# its first kernel builds).
$(GUEST_BINS): | deps
guest: $(GUEST)/init $(GUEST_BINS)

# One initramfs for every plan, packed by the kernel's own usr/gen_init_cpio.
INITRAMFS := $(AB)/initramfs.cpio
$(INITRAMFS): $(GUEST)/init $(GUEST_BINS) $(MODULE_KO) $(MODULE_BENCH_KO) $(MODULE_WIRING_KO) $(wildcard guest/plans/*) $(GUEST_PROGRAMS) scripts/initramfs-list.sh
	@scripts/initramfs-list.sh $(GUEST) $(MODULES) guest/plans $(GUEST_PROGRAMS) $(ARCH) >$@.list
	@$(KOBJ)/usr/gen_init_cpio $@.list >$@
initramfs: $(INITRAMFS)
# The noexports kernel's: the same programs and plans, its own modules.
INITRAMFS_NOEXP := $(AB)/initramfs-noexports.cpio
$(INITRAMFS_NOEXP): $(GUEST)/init $(GUEST_BINS) $(MODULES_NOEXP_KO) $(wildcard guest/plans/*) $(GUEST_PROGRAMS) scripts/initramfs-list.sh
	@scripts/initramfs-list.sh $(GUEST) $(MODULES_NOEXP) guest/plans $(GUEST_PROGRAMS) $(ARCH) >$@.list
	@$(KOBJ_NOEXP)/usr/gen_init_cpio $@.list >$@

# --- the jobs ---------------------------------------------------------------------------

# Every job is one command of the host tool; make only builds what it needs.
LAB_BOOT := --arch $(ARCH) --kernel $(BZIMAGE) --kobj $(KOBJ) --initrd $(INITRAMFS) \
	--guest $(GUEST) --timeout $(BOOT_TIMEOUT)

run: $(KOBJ)/.lab-built $(INITRAMFS) $(LAB)
	@$(LAB) run $(LAB_BOOT) --out $(OUT) --mode $(LAB_MODE)

# Without ARCH=, make bench measures both architectures and puts them side
# by side (lab compare: BENCH_OUT/compare.md); with it, only that one.
BENCH_BOTH := $(if $(filter file,$(origin ARCH)),yes)
bench: deps-bench $(KOBJ)/.lab-built $(INITRAMFS) $(LAB)
	@$(LAB) bench $(LAB_BOOT) --out $(BENCH_OUT) --mode $(LAB_MODE)
	$(if $(BENCH_BOTH),@$(MAKE) -s ARCH=arm64 BENCH_OUT=$(BENCH_OUT)/arm64 bench)
	$(if $(BENCH_BOTH),@$(LAB) compare $(BENCH_OUT) $(BENCH_OUT)/arm64)

ASM := $(BUILD)/asm$(ARCH_DIR)
asm: $(MODULE_KO) $(GEN)/lab_syscall_nr.h $(FAMILY_GEN)/lab_syscall_wrappers.h
	@env $(KARCH) scripts/asm.sh $(KOBJ) $(MODULES) $(ASM) $(GUEST_CC) $(GUEST_CFLAGS)

# make mitigations: what each mitigation the kernel documents as switchable
# adds to a system call, traced and counted (lab mitigations).
LAB_MIT := --arch $(ARCH) --kernel $(BZIMAGE) --kobj $(KOBJ) --initrd $(INITRAMFS) \
	--guest $(GUEST) --timeout $(BOOT_TIMEOUT) --ksrc $(KSRC)
mitigations: deps-trace $(KOBJ)/.lab-built $(INITRAMFS) $(LAB)
	@$(LAB) mitigations $(LAB_MIT) --out $(BENCH_OUT)/mitigations
.PHONY: mitigations

# make wiring: the IDT gate of int $$0x80, the syscall MSRs and the tables
# behind a system call, read from the booted kernel beside the build's headers.
wiring: deps-trace $(KOBJ)/.lab-built $(INITRAMFS) $(LAB) $(GEN)/lab_syscall_nr.h
	@$(LAB) wiring $(LAB_BOOT) --ksrc $(KSRC) --out $(OUT)/wiring --mode $(LAB_MODE)
.PHONY: wiring

TRACE_OUT := $(BENCH_OUT)/trace
trace: deps-trace $(KOBJ)/.lab-built $(INITRAMFS) $(LAB)
	@$(LAB) trace $(LAB_BOOT) --out $(TRACE_OUT)

# make compare-kernels: the same paths on 6.1 and 6.12 (lab compare-kernels).
# For each version, lab trace with the default mitigations (the traced
# lab_null paths and an icount boot of bench-quick) into
# results/compare-kernels/ARCH/KVER, then the two side by side in
# results/compare-kernels/ARCH/. Without ARCH=, x86_64 and then arm64, as
# make bench does; a trace whose own checks fail still leaves its listings,
# and the comparison says which checks failed.
KCMP_OUT := results/compare-kernels
KCMP_BOTH := $(if $(filter file,$(origin ARCH)),yes)
compare-kernels-trace: deps-trace $(KOBJ)/.lab-built $(INITRAMFS) $(LAB)
	@$(LAB) trace $(LAB_BOOT) --mitigations default --out $(KCMP_OUT)/$(ARCH)/$(KVER) || \
		echo "==> lab trace (KVER=$(KVER), $(ARCH)): a check failed ($(KCMP_OUT)/$(ARCH)/$(KVER)/check.tap)"
compare-kernels: $(LAB)
	@$(MAKE) -s KVER=6.1 compare-kernels-trace
	@$(MAKE) -s KVER=6.12 compare-kernels-trace
	@$(LAB) compare-kernels --out $(KCMP_OUT)/$(ARCH) $(KCMP_OUT)/$(ARCH)/6.1 $(KCMP_OUT)/$(ARCH)/6.12
	$(if $(KCMP_BOTH),@$(MAKE) -s ARCH=arm64 compare-kernels)
.PHONY: compare-kernels compare-kernels-trace

# make test: both architectures and both kernel versions in one summary.
# The default version (KVER) on x86_64: its boots (the lab kernel and its
# two variants) and the checks of make trace, wiring and mitigations, the
# host's checks beside them (make host-checks, their rows added by lab
# summary). Beside it, in the background, one after the other, the
# kernels of the other parts: its arm64 kernels, then every other
# version's lab kernel on both architectures (make test-kernels); as soon
# as a part's kernels are built, its boots start (make test-boots: for the
# other versions TEST_LAB_ONLY=yes, the test plan, the icount checks, the
# trace check, no variants) while the next part's kernel builds. Kernel
# builds take turns (KLOCK), so the next one starts when the last ends.
# The parts share the two cores: QEMU's TCG runs a vCPU per thread, and
# what is checked is counted in instructions, which load does not change.
# Each part saves its rows (OUT/test/summary.json); lab summary puts them
# together, other parts' rows labelled "arm64: ...", "6.1 x86_64: ...",
# and one that did not finish is a failure. make test ARCH=arm64 runs
# arm64's part alone.
TEST_LAB_ONLY ?=
TEST_KERNELS := $(KOBJ)/.lab-built $(if $(TEST_LAB_ONLY),,$(KOBJ_NOSYS)/.lab-built $(KOBJ_NOEXP)/.lab-built)
TEST_BOOTS := $(TEST_KERNELS) $(INITRAMFS) $(LAB) $(if $(TEST_LAB_ONLY),,$(INITRAMFS_NOEXP))
LAB_TEST = $(LAB) test $(LAB_BOOT) $(if $(TEST_LAB_ONLY),--lab-only,--kernel-nosys $(BZIMAGE_NOSYS) \
	--kernel-noexports $(BZIMAGE_NOEXP) --kobj-noexports $(KOBJ_NOEXP) \
	--initrd-noexports $(INITRAMFS_NOEXP)) --out $(OUT)/test --mode $(LAB_MODE) \
	--trace-tap $(OUT)/test-trace/check.tap
TRACE_CHECK = echo "==> make trace ($(ARCH), $(KVER), default mitigations) against icount (log: $(OUT)/test-trace.log)"; \
	mkdir -p $(OUT) && rm -f $(OUT)/test-trace/check.tap; \
	$(LAB) trace $(LAB_BOOT) --out $(OUT)/test-trace --check-only >$(OUT)/test-trace.log 2>&1 || true
# Where a version's and an architecture's make test-boots writes.
test_out = $(BUILD)/out$(call kver_dir,$(1))$(if $(filter arm64,$(2)),/arm64)
OTHER_KVERS := $(if $(KSRC_IS_DEFAULT),$(filter-out $(KVER),$(KVERS)))
# The other versions' parts, VERSION:ARCH.
OTHER_TESTS := $(foreach v,$(OTHER_KVERS),$(foreach a,x86_64 arm64,$(v):$(a)))
tv = $(word 1,$(subst :, ,$(1)))
ta = $(word 2,$(subst :, ,$(1)))
other_out = $(call test_out,$(call tv,$(1)),$(call ta,$(1)))
# The background parts in the order their kernels are built: this
# version's arm64 (DEFAULT), then the others'. part_make: a part's make.
BG_PARTS := DEFAULT:arm64 $(OTHER_TESTS)
part_make = $(MAKE) -s $(if $(filter DEFAULT,$(call tv,$(1))),ARCH=arm64,KVER=$(call tv,$(1)) \
	ARCH=$(call ta,$(1)) TEST_LAB_ONLY=yes)
part_out = $(if $(filter DEFAULT,$(call tv,$(1))),$(ARM64_OUT),$(call other_out,$(1)))
# Each part's kernels, and then, beside the next part's, its boots. The
# other versions' trees are extracted and patched at the start, beside
# arm64's kernels (waited for before their first kernel).
BG_CHAIN = trees=; $(foreach v,$(OTHER_KVERS),{ $(MAKE) -s KVER=$(v) patch-tree \
	>>$(BUILD)/test-kernels.out 2>&1 || true; } & trees="$$trees $$!";) \
	$(foreach p,$(BG_PARTS),mkdir -p $(call part_out,$(p)); \
	$(if $(filter DEFAULT,$(call tv,$(p))),,[ -z "$$trees" ] || wait $$trees; trees=;) \
	$(call part_make,$(p)) test-kernels >>$(BUILD)/test-kernels.out 2>&1 || true; \
	{ $(call part_make,$(p)) test-boots >$(call part_out,$(p))/test-make.out 2>&1 || true; } & ) wait
ARM64_OUT := $(BUILD)/out$(KVER_DIR)/arm64
TEST_PARTS := $(ARM64_OUT) $(foreach t,$(OTHER_TESTS),$(call other_out,$(t)))
TEST_SUMMARIES := --with-summary arm64=$(ARM64_OUT)/test/summary.json \
	$(foreach t,$(OTHER_TESTS),--with-summary '$(call tv,$(t)) $(call ta,$(t))=$(call other_out,$(t))/test/summary.json')

# One version's and architecture's boots and trace check, the rows saved
# for make test to include (the verdict is the whole's).
test-kernels: deps-test $(TEST_KERNELS)
# The default version's arm64 part runs make test-kvm ARCH=arm64 as well.
TEST_KVM_HERE := $(and $(filter arm64,$(ARCH)),$(if $(TEST_LAB_ONLY),,yes))
test-boots: deps-test deps-trace $(TEST_BOOTS)
	@$(TRACE_CHECK)
	@rm -f $(OUT)/test/summary.json
	@$(LAB_TEST) >$(OUT)/test.log 2>&1 || true
	$(if $(TEST_KVM_HERE),@$(MAKE) -s test-kvm >$(OUT)/test-kvm.log 2>&1 || true)
.PHONY: test-boots test-kernels

ifeq ($(ARCH),arm64)
test: deps-test deps-trace $(TEST_BOOTS)
	@$(TRACE_CHECK)
	@rm -f $(OUT)/test-kvm/summary.json
	@echo "==> make test-kvm ARCH=arm64: lab boot --mode auto under KVM, in a TCG guest (log: $(OUT)/test-kvm.log)"
	@$(MAKE) -s test-kvm >$(OUT)/test-kvm.log 2>&1 || true
	@$(LAB_TEST) --with-summary kvm=$(OUT)/test-kvm/summary.json
else
# The host's checks: unit tests, scripts against bad input, the patcher,
# the series, the manual pages, the package list.
host-checks: $(PATCHES)/series
	@$(MAKE) -s host-tests
	@echo "==> the lab's scripts and host tool against bad input"
	@tests/host/test_scripts.sh $(TOOLS)/lab-tbl /usr/src/linux-source-6.1.tar.xz $(BZIMAGE) $(INITRAMFS) \
		$(BUILD)/scripts-test $(LAB) >$(BUILD)/host-tests/scripts.tap 2>&1 || true
	@tests/host/test_patcher.sh $(TOOLS)/lab-tbl $(BUILD)/patcher-test \
		$(foreach v,$(KVERS),/usr/src/linux-source-$(v).tar.xz) >$(BUILD)/host-tests/patcher.tap 2>&1 || true
	@tests/host/test_checkpatch.sh $(KSRC) >$(BUILD)/host-tests/checkpatch.tap 2>&1 || true
	@tests/host/test_man.sh docs/man1 docs/man2 >$(BUILD)/host-tests/man.tap 2>&1 || true
	@$(MAKE) -s $(TOOLS)/lab-new-syscall
	@tests/host/test_new_syscall.sh $(TOOLS)/lab-new-syscall $(BUILD)/new-syscall-test \
		$(firstword $(wildcard $(KSRC)/arch/x86/entry/syscalls/syscall_64.tbl)) \
		>$(BUILD)/host-tests/new_syscall.tap 2>&1 || true
	@tests/host/test_packages.sh >$(BUILD)/host-tests/packages.tap 2>&1 || true
	@tests/host/test_arm64_status.sh $(LAB) $(BUILD)/arm64-status-test \
		>$(BUILD)/host-tests/arm64_status.tap 2>&1 || true
	@tests/host/test_patches.sh $(KERNEL_TARBALL) $(PATCHES) $(KSRC) $(BUILD)/patches-test \
		>$(BUILD)/host-tests/patches.tap 2>&1 || true
.PHONY: host-checks

# What the foreground needs after its kernels (built before the background
# starts, and the host tool, which every part uses).
test-prep: $(TEST_BOOTS) $(PATCHES)/series deps-test deps-trace
.PHONY: test-prep
test: deps-test-background $(TEST_KERNELS) $(LAB)
	@rm -f $(OUT)/test/summary.json $(addsuffix /test/summary.json,$(TEST_PARTS)) $(BUILD)/test-kernels.out \
		$(OUT)/test-kvm/summary.json $(ARM64_OUT)/test-kvm/summary.json
	@echo "==> in the background: arm64's kernels, then $(OTHER_KVERS)'s on both architectures, each part's boots when its kernels are built (logs: $(BUILD)/test-kernels.out $(addsuffix /test.log,$(TEST_PARTS)))"
	@trap 'trap - INT TERM; kill 0' INT TERM; \
	{ $(BG_CHAIN); } & \
	$(MAKE) -s test-prep || { echo "make test: the $(ARCH) $(KVER) part could not be built; stopping the background parts" >&2; kill 0; }; \
	rm -f $(BUILD)/host-tests/*.tap; \
	{ $(MAKE) -s host-checks >$(BUILD)/host-checks.out 2>&1 || true; } & \
	$(TRACE_CHECK); \
	rm -f $(OUT)/test-mitigations/check.tap $(OUT)/test-wiring/check.tap; \
	echo "==> make wiring: the IDT, the MSRs, the tables (log: $(OUT)/test-wiring.log)"; \
	$(LAB) wiring $(LAB_BOOT) --ksrc $(KSRC) --out $(OUT)/test-wiring --mode $(LAB_MODE) --check-only \
		>$(OUT)/test-wiring.log 2>&1; \
	echo "==> make mitigations, PTI alone, against the defaults (log: $(OUT)/test-mitigations.log)"; \
	$(LAB) mitigations $(LAB_MIT) --out $(OUT)/test-mitigations --only nopti --check-only \
		>$(OUT)/test-mitigations.log 2>&1; \
	echo "==> $(ARCH) $(KVER): the boots (log: $(OUT)/test.log)"; \
	$(LAB_TEST) --mitigations-tap $(OUT)/test-mitigations/check.tap \
		--wiring-tap $(OUT)/test-wiring/check.tap >$(OUT)/test.log 2>&1; \
	echo "==> make test-kvm: lab boot --mode auto under KVM, in a TCG guest (log: $(OUT)/test-kvm.log)"; \
	$(MAKE) -s test-kvm >$(OUT)/test-kvm.log 2>&1; \
	echo "==> waiting for the host's checks and the background parts"; wait; \
	grep -hs '^==> ' $(BUILD)/host-checks.out $(BUILD)/test-kernels.out $(foreach p,$(BG_PARTS),$(call part_out,$(p))/test-make.out); \
	$(LAB) summary --host-tap $(BUILD)/host-tests --with-summary $(OUT)/test/summary.json $(TEST_SUMMARIES) \
		--with-summary kvm=$(OUT)/test-kvm/summary.json \
		--with-summary 'kvm arm64=$(ARM64_OUT)/test-kvm/summary.json'
endif

# make test-kvm: the lab's kvm mode run for real where the host has no KVM
# (lab nested): a TCG guest (L1: Debian's 6.1 kernel, busybox, a QEMU for
# ARCH, the host tool built for ARCH, the lab kernel and its initramfs;
# scripts/kvm-l1.sh, the .debs cached in KVM_L1/debs) runs lab boot --mode
# auto, plan run, and carries the run directory back. x86_64's L1 has AMD
# SVM with nested paging (KVM's modules, this QEMU); arm64's (make test-kvm
# ARCH=arm64) the virt machine's EL2 (KVM built into Debian's kernel,
# kvm-arm.mode=nvhe) and Debian's arm64 QEMU and libraries, fetched with a
# private apt state in build/kvm-l1-arm64/apt. Its rows are saved in
# OUT/test-kvm/summary.json, for lab summary --with-summary kvm=FILE.
KVM_L1 := $(BUILD)/kvm-l1$(if $(filter arm64,$(ARCH)),-arm64)
KVM_L1_CPIO := $(KVM_L1)/l1.cpio
# (fetched once: remove KVM_L1 to fetch again)
$(KVM_L1)/x/.unpacked:
	@scripts/kvm-l1.sh fetch $(ARCH) $(KVM_L1)
# The host tool for arm64's L1: Debian's cross compiler, against the
# libjansson of the arm64 .debs (libjansson4, libjansson-dev).
KVM_L1_ARM64_X := $(BUILD)/kvm-l1-arm64/x
LAB_ARM64 := $(TOOLS)/arm64/lab
$(LAB_ARM64): $(LAB_SRC) $(LAB_HDR) $(FAMILY_GEN)/lab_family.h $(KVM_L1_ARM64_X)/.unpacked | deps
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc $(HOST_CFLAGS) -Ihost -Iinclude/lab -I$(FAMILY_GEN) -I$(KVM_L1_ARM64_X)/usr/include -o $@ $(LAB_SRC) \
		-L$(KVM_L1_ARM64_X)/usr/lib/aarch64-linux-gnu -ljansson -lm
KVM_L1_LAB := $(if $(filter arm64,$(ARCH)),$(LAB_ARM64),$(LAB))
$(KVM_L1)/vmlinuz $(KVM_L1_CPIO) &: $(KVM_L1_LAB) $(KVM_L1)/x/.unpacked $(KOBJ)/.lab-built $(INITRAMFS) \
		scripts/kvm-l1.sh guest/kvm-l1/init
	@scripts/kvm-l1.sh list $(ARCH) $(KVM_L1) $(KVM_L1_LAB) $(BZIMAGE) $(INITRAMFS) $(KOBJ) \
		guest/kvm-l1/init >$(KVM_L1_CPIO).list
	@$(KOBJ)/usr/gen_init_cpio $(KVM_L1_CPIO).list >$(KVM_L1_CPIO)
# L1's whole run; L2's boots inside it get two thirds of it.
KVM_TIMEOUT ?= 300
test-kvm: deps $(LAB) $(KVM_L1)/vmlinuz $(KVM_L1_CPIO)
	@rm -f $(OUT)/test-kvm/summary.json
	@$(LAB) nested --arch $(ARCH) --kernel $(KVM_L1)/vmlinuz --initrd $(KVM_L1_CPIO) \
		--out $(OUT)/test-kvm --timeout $(KVM_TIMEOUT)
.PHONY: test-kvm

# --- the patch series ---------------------------------------------------------------------
# make patches: the lab's change to Debian's pristine source (KVER) as a git
# format-patch series (scripts/patches.sh; the messages in kernel/patch/series/),
# the default version's in build/patches/, another's in build/patches/KVER/.
PATCHES_INPUTS := $(KERNEL_INPUTS) $(wildcard kernel/patch/series/* kernel/selftests/lab_syscalls/*) \
	kernel/selftests/lab_syscalls/.gitignore $(wildcard tests/guest/*_test.c) \
	tests/guest/lab_test.h user/lab_syscall.h scripts/patches.sh scripts/lib.sh
$(PATCHES)/series: $(PATCHES_INPUTS) | deps-patches
	@scripts/patches.sh $(KERNEL_TARBALL) $(TOOLS)/lab-tbl $(PATCHES)
patches: $(PATCHES)/series
.PHONY: patches deps-patches

# --- host unit tests (cmocka, with AddressSanitizer and UBSan) ----------------------------

HOST_TEST_CFLAGS := $(HOST_CFLAGS) -Itools -Ihost -Iinclude/lab -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_TESTS := $(BUILD)/host-tests/test_syscall_table $(BUILD)/host-tests/test_stats \
	$(BUILD)/host-tests/test_ktap $(BUILD)/host-tests/test_results \
	$(BUILD)/host-tests/test_mitigations $(BUILD)/host-tests/test_compare \
	$(BUILD)/host-tests/test_status $(BUILD)/host-tests/test_host_bench
$(BUILD)/host-tests/test_syscall_table: tests/host/test_syscall_table.c tools/syscall_table.c tools/syscall_table.h
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< tools/syscall_table.c -lcmocka
HOST_TESTS += $(BUILD)/host-tests/test_family
$(BUILD)/host-tests/test_family: tests/host/test_family.c tools/family.c tools/family_write.c tools/family.h
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< tools/family.c tools/family_write.c -lcmocka
HOST_TESTS += $(BUILD)/host-tests/test_kedit
$(BUILD)/host-tests/test_kedit: tests/host/test_kedit.c $(KEDIT_SRC) tools/lines.h tools/kedit.h
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< $(KEDIT_SRC) -lcmocka
$(BUILD)/host-tests/test_stats: tests/host/test_stats.c include/lab/lab_stats.h include/lab/lab_row.h
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< -lcmocka
# The parser and the summary, on recorded guest output (tests/data/).
PARSER_SRC := host/ktap.c host/rows.c host/run.c host/summary.c host/util.c
# lab mitigations' model, on recorded documents, listings and vulnerability files (tests/mitigations/).
MIT_TEST_SRC := host/mitigation.c host/mitigation_model.c host/checks.c host/util.c
$(BUILD)/host-tests/test_mitigations: tests/host/test_mitigations.c $(MIT_TEST_SRC) host/mitigation.h host/mitigation_model.h host/checks.h $(wildcard tests/mitigations/*)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -DLAB_MIT_DATA='"tests/mitigations"' -o $@ $< $(MIT_TEST_SRC) -ljansson -lcmocka
# An arm64 boot's status line against the files it counts (made in the test).
$(BUILD)/host-tests/test_status: tests/host/test_status.c host/status.c host/status.h host/boot.h host/util.c include/lab/lab_ports.h
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< host/status.c host/util.c -ljansson -lcmocka
# The host's runs with stand-in programs (one the host cannot exec), and
# the report's table of them.
$(BUILD)/host-tests/test_host_bench: tests/host/test_host_bench.c host/host_bench.c host/report_model.c host/report_write.c host/meta.c host/plot.c host/proc.c $(PARSER_SRC) $(LAB_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< host/host_bench.c host/report_model.c host/report_write.c host/meta.c host/plot.c host/proc.c $(PARSER_SRC) -ljansson -lcmocka -lm
# make test-kvm's carried run directory, on archives made in the test.
HOST_TESTS += $(BUILD)/host-tests/test_untar
$(BUILD)/host-tests/test_untar: tests/host/test_untar.c host/untar.c host/untar.h host/util.c
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< host/untar.c host/util.c -lcmocka
# The host tool's command lines: each command's options, refusals, --help.
HOST_TESTS += $(BUILD)/host-tests/test_opts
OPTS_TEST_SRC := host/opts.c host/commands.c host/boot.c host/progress.c host/meta.c host/proc.c host/status.c host/util.c
$(BUILD)/host-tests/test_opts: tests/host/test_opts.c $(OPTS_TEST_SRC) $(LAB_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< $(OPTS_TEST_SRC) -ljansson -lcmocka
# A boot's progress line, from a KTAP stream as it grows.
HOST_TESTS += $(BUILD)/host-tests/test_progress
$(BUILD)/host-tests/test_progress: tests/host/test_progress.c host/progress.c host/progress.h host/util.c
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< host/progress.c host/util.c -lcmocka
# Running a program (no shell) and quoting for gnuplot.
HOST_TESTS += $(BUILD)/host-tests/test_proc
$(BUILD)/host-tests/test_proc: tests/host/test_proc.c host/proc.c host/proc.h host/plot.c host/plot.h host/util.c
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< host/proc.c host/plot.c host/util.c -lcmocka
# lab trace's model, on recorded traces (tests/trace/: trace.json, icount rows, check.tap).
HOST_TESTS += $(BUILD)/host-tests/test_trace
TRACE_TEST_SRC := host/trace_model.c host/checks.c $(PARSER_SRC)
$(BUILD)/host-tests/test_trace: tests/host/test_trace.c $(TRACE_TEST_SRC) host/trace_model.h host/checks.h \
		$(shell find tests/trace -type f 2>/dev/null)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -DLAB_TRACE_DATA='"tests/trace"' -o $@ $< $(TRACE_TEST_SRC) -ljansson -lcmocka -lm
# x86_64 beside arm64, on rows made in the test.
$(BUILD)/host-tests/test_compare: tests/host/test_compare.c host/compare.c host/compare.h $(PARSER_SRC)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -o $@ $< host/compare.c $(PARSER_SRC) -ljansson -lcmocka -lm
# Two kernel versions side by side, on constructed trace directories (tests/kcompare/).
HOST_TESTS += $(BUILD)/host-tests/test_kcompare
KCMP_TEST_SRC := host/kcompare.c host/kcompare_write.c host/mitigation.c $(PARSER_SRC)
$(BUILD)/host-tests/test_kcompare: tests/host/test_kcompare.c $(KCMP_TEST_SRC) host/kcompare.h host/mitigation.h \
		$(shell find tests/kcompare -type f 2>/dev/null)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -DLAB_KC_DATA='"tests/kcompare"' -o $@ $< $(KCMP_TEST_SRC) -ljansson -lcmocka -lm
# The report's model on recorded runs (tests/report/: results/raw's, trimmed).
HOST_TESTS += $(BUILD)/host-tests/test_report
REPORT_TEST_SRC := host/report_model.c host/host_bench.c host/meta.c host/proc.c $(PARSER_SRC)
$(BUILD)/host-tests/test_report: tests/host/test_report.c $(REPORT_TEST_SRC) $(LAB_HDR) \
		$(shell find tests/report -type f 2>/dev/null)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -DLAB_REPORT_DATA='"tests/report"' -o $@ $< $(REPORT_TEST_SRC) -ljansson -lcmocka -lm
$(BUILD)/host-tests/test_%: tests/host/test_%.c $(PARSER_SRC) $(LAB_HDR) $(wildcard tests/data/*/*)
	@mkdir -p $(@D)
	$(CC) $(HOST_TEST_CFLAGS) -DLAB_TEST_DATA='"tests/data"' -o $@ $< $(PARSER_SRC) -ljansson -lcmocka
$(HOST_TESTS): | deps-host-tests
host-tests: $(HOST_TESTS)
	@# A non-zero exit (a sanitizer's report at exit, a crash) is one more failure.
	@for t in $(HOST_TESTS); do \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t >$$t.tap 2>&1 || \
			echo "not ok - $${t##*/} exited with status $$?" >>$$t.tap; \
	done
.PHONY: host-tests deps-host-tests

clean:
	rm -rf $(GUEST) $(GEN) $(MODULES) $(BUILD)/host-tests $(TOOLS) $(OUT) $(INITRAMFS)* \
		$(MODULES_NOEXP) $(INITRAMFS_NOEXP)* \
		$(PATCHES) $(BUILD)/patches-test
distclean:
	rm -rf $(BUILD)
