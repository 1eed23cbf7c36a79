# stages.awk: gives each traced instruction a stage. Input: a .trace file
# (n, address, symbol+offset, instruction); output: the same with the stage
# appended. PATH=syscall|kernel|function (-v path=...).
#   syscall:  the syscall instruction; entry (asm); entry work and dispatch;
#             the syscall body; exit work; return to user (asm, sysret)
#   kernel, function: the call; the body (to its return)
# Return and indirect-branch thunks count in the stage that used them.
BEGIN { FS = OFS = "\t" }
{
	base = $3
	sub(/\+0x[0-9a-f]+$/, "", base)
	if (path != "syscall") {
		stage = NR == 1 ? "call" : "body"
	} else if (NR == 1) {
		stage = "syscall instruction"
	} else if (base ~ /^(entry_SYSCALL_64|syscall_return_via_sysret|entry_SYSRETQ|swapgs_restore_regs)/) {
		stage = in_c ? "return to user (asm, sysret)" : "entry (asm)"
	} else if (base ~ /thunk/) {
		# keeps the stage that called it
	} else {
		in_c = 1
		if (base ~ /lab_null/) {
			stage = "syscall body"
			after_body = 1
		} else if (base ~ /exit_to_user|syscall_exit/ || after_body) {
			stage = "exit work"
			after_body = 1
		} else {
			stage = "entry work and dispatch"
		}
	}
	print $0, stage
}
