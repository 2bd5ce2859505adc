//go:build !unix

package pgtest

import "os/exec"

// setCredential does nothing where users are not unix users.
func setCredential(cmd *exec.Cmd, cred *credential) {}
