// Command noteverify is an independent check of the registry's signed
// notes: it verifies a note with Go's golang.org/x/mod/sumdb/note, the
// reference implementation of C2SP signed-note.
//
// Usage: noteverify VERIFIER-KEY NOTE-FILE
// Exit status: 0 verified, 1 not verified, 2 usage or I/O error.
package main

import (
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: noteverify VERIFIER-KEY NOTE-FILE")
		os.Exit(2)
	}
	v, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "noteverify: bad verifier key:", err)
		os.Exit(2)
	}
	msg, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "noteverify:", err)
		os.Exit(2)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fmt.Fprintln(os.Stderr, "noteverify: not verified:", err)
		os.Exit(1)
	}
	fmt.Printf("verified by %s+%08x (%d bytes of text)\n",
		n.Sigs[0].Name, n.Sigs[0].Hash, len(n.Text))
}
