// goclient: log in with golang.org/x/crypto/ssh and run one command.
//
//	goclient HOST PORT USER KEYFILE KEX CIPHER COMMAND
//
// KEX and CIPHER are single algorithm names, or "-" for the library's
// defaults. The remote command's output goes to stdout; the host key type
// the library accepted is printed to stderr as "hostkey: TYPE". The exit
// status is the remote command's, or 255 when the connection failed.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/crypto/ssh"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "goclient: "+format+"\n", args...)
	os.Exit(255)
}

func main() {
	if len(os.Args) != 8 {
		fail("usage: goclient HOST PORT USER KEYFILE KEX CIPHER COMMAND")
	}
	host, port, user, keyfile := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	kex, cipher, command := os.Args[5], os.Args[6], os.Args[7]

	pem, err := os.ReadFile(keyfile)
	if err != nil {
		fail("reading %s: %v", keyfile, err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		fail("parsing %s: %v", keyfile, err)
	}
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			fmt.Fprintf(os.Stderr, "hostkey: %s\n", key.Type())
			return nil
		},
		Timeout: 20 * time.Second,
	}
	if kex != "-" {
		cfg.KeyExchanges = []string{kex}
	}
	if cipher != "-" {
		cfg.Ciphers = []string{cipher}
	}
	client, err := ssh.Dial("tcp", net.JoinHostPort(host, port), cfg)
	if err != nil {
		fail("connecting: %v", err)
	}
	defer client.Close()
	fmt.Fprintf(os.Stderr, "server version: %s\n", client.ServerVersion())

	session, err := client.NewSession()
	if err != nil {
		fail("opening a session: %v", err)
	}
	defer session.Close()
	session.Stdout = os.Stdout
	session.Stderr = os.Stderr
	err = session.Run(command)
	var exit *ssh.ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &exit):
		os.Exit(exit.ExitStatus())
	default:
		fail("running %q: %v", command, err)
	}
}
