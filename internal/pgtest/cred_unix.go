//go:build unix

package pgtest

import (
	"os/exec"
	"syscall"
)

// setCredential makes cmd run as cred (nil: the current user).
func setCredential(cmd *exec.Cmd, cred *credential) {
	if cred == nil {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: cred.uid, Gid: cred.gid}}
}
