package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

func runRoot(env *cliEnv, args []string) error {
	fs := newFlags(env, "root", "root [--worker ADDR]... [--block-hash HEX]... [--key VK] [--prove I -o FILE] RECEIPT... | root --verify FILE --root HEX", `
Builds the ComputeResult (seed 002) of each receipt, in the order given, and
prints the block's compute_root: the RFC 6962 SHA-256 Merkle root over their
canonical (RFC 8785) encodings. Every receipt is verified first, as zkpoc
verify does (key: --key, or the cache by its fingerprint); one that does not
pass is refused (exit 1 reject, 3 hold).
Each ComputeResult's worker_address is the one the receipt's node signed
(node.worker_address: zkpoc prove --worker); a --worker that differs is
refused. A receipt that signs none needs --worker and --block-hash, the hash
of the block its synthetic task was derived at, and is refused unless the
task's seed is SHA-256(block_hash ‖ worker) (a supplied task's receipt that
signs none is refused: nothing ties an address to it). With --block-hash a
signed address is checked against the seed too. --worker and --block-hash
are given once for all receipts or once per receipt, in order.
--prove I writes leaf I's inclusion proof; --verify checks such a proof
against a root (exit 1 if it does not verify).`)
	var workers, blockHashes stringList
	fs.Var(&workers, "worker", "worker address of the ComputeResults: must be the one each receipt signs; required with --block-hash for a receipt that signs none (once for all receipts, or once per receipt in order)")
	fs.Var(&blockHashes, "block-hash", "hash of the block a receipt's synthetic task was derived at, 64 hex (0x optional): its seed must be SHA-256(block_hash ‖ worker) (once for all receipts, or once per receipt in order)")
	keyPath := fs.String("key", "", "verifying key file for the receipts (default: the cache, by each receipt's fingerprint)")
	prove := fs.Int("prove", -1, "write the inclusion proof of leaf I (0-based)")
	proveGiven := func() bool { return isSet(fs, "prove") }
	out := fs.String("o", "", "file for --prove (default, or -: stdout)")
	verify := fs.String("verify", "", "inclusion proof file to verify (-: stdin)")
	root := fs.String("root", "", "compute_root to verify against, 64 hex (0x optional)")
	size := fs.Int("size", 0, "the block's number of ComputeResults: with --verify, required to match the proof's size (the root alone does not bind the size)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *size < 0 {
		return usagef("--size %d: a block has 0 or more ComputeResults", *size)
	}
	if proveGiven() && *prove < 0 {
		return usagef("--prove %d: a leaf index is 0 or more", *prove)
	}
	if *verify != "" {
		if *root == "" || len(pos) > 0 {
			return usagef("root --verify FILE --root HEX takes no receipts")
		}
		rootHex, err := hashArg("--root", *root)
		if err != nil {
			return err
		}
		data, err := readInput(env, *verify, chain.MaxInclusionProofBytes)
		if err != nil {
			return usageError{err}
		}
		p, err := chain.DecodeInclusionProof(data)
		if err != nil {
			return usagef("%s: %v", *verify, err)
		}
		if *size > 0 && p.Size != *size {
			fmt.Fprintf(env.stdout, "inclusion: reject: the proof is for a tree of %d leaves, the block has %d\n", p.Size, *size)
			return exitError{exitReject}
		}
		if *size == 0 {
			fmt.Fprintf(env.stderr, "warning: no --size: the tree size %d comes from the proof file; take it from the block\n", p.Size)
		}
		if err := p.Verify(rootHex); err != nil {
			fmt.Fprintf(env.stdout, "inclusion: reject: %v\n", err)
			return exitError{exitReject}
		}
		fmt.Fprintf(env.stdout, "inclusion: pass: leaf %d of %d is in compute_root %s\n", p.Index, p.Size, *root)
		return nil
	}
	if err := checkOutput("-o", *out); err != nil {
		return err
	}
	if len(pos) == 0 {
		return withHint(usagef("root needs at least one receipt: a block without ComputeResults has no compute_root to compute"),
			"zkpoc root RECEIPT...")
	}
	for _, l := range []struct {
		flag string
		vals stringList
	}{{"--worker", workers}, {"--block-hash", blockHashes}} {
		if len(l.vals) > 1 && len(l.vals) != len(pos) {
			return usagef("%d %s values for %d receipts: give one for all, or one per receipt", len(l.vals), l.flag, len(pos))
		}
	}
	hashes := make([][32]byte, len(blockHashes))
	for i, h := range blockHashes {
		if hashes[i], err = parseBlockHash("--block-hash", h); err != nil {
			return err
		}
	}
	results := make([]chain.ComputeResult, len(pos))
	nodes := map[string]bool{}
	for i, path := range pos {
		e, err := readEnvelope(env, path)
		if err != nil {
			return err
		}
		if err := requirePass(e, path, *keyPath, "put it in a compute_root"); err != nil {
			return err
		}
		st, _, _ := e.Statement() // readEnvelope decoded it
		nodes[st.Predicate.Node.NodeID] = true
		worker := perReceipt(workers, i)
		if len(hashes) > 0 {
			results[i], err = chain.FromReceiptForBlock(e, worker, perReceipt(hashes, i))
		} else {
			results[i], err = chain.FromReceipt(e, worker)
		}
		if errors.Is(err, chain.ErrWorkerAddress) {
			return withHint(usagef("%s: %v", path, err),
				"the worker address comes from the receipt (zkpoc prove --worker ADDR signs it); for a receipt that signs none, give --worker ADDR and --block-hash HEX, the block its task was derived at")
		}
		if err != nil {
			return usagef("%s: %v", path, err)
		}
	}
	if len(workers) == 1 && len(nodes) > 1 {
		return withHint(usagef("one --worker address for receipts from %d nodes: each ComputeResult names its own worker", len(nodes)),
			"give --worker once per receipt, in order, or leave it out to take each receipt's signed address")
	}
	leaves, err := chain.Leaves(results)
	if err != nil {
		return err
	}
	r := merkle.Root(leaves)
	fmt.Fprintf(env.progress(), "%d ComputeResults\n", len(results))
	if *prove < 0 {
		fmt.Fprintf(env.stdout, "compute_root %s\n", r)
		return nil
	}
	if *prove >= len(leaves) {
		return usagef("--prove %d: only %d receipts", *prove, len(leaves))
	}
	p, err := chain.NewInclusionProof(leaves, *prove)
	if err != nil {
		return err
	}
	if *out == "" || *out == stdinName {
		return printJSON(env, p)
	}
	fmt.Fprintf(env.stdout, "compute_root %s; inclusion proof of leaf %d written to %s\n", r, *prove, *out)
	return writeJSON(env, *out, p)
}

// perReceipt is receipt i's value of a flag given once for all receipts or
// once per receipt (the zero value when not given).
func perReceipt[T any](vals []T, i int) T {
	var zero T
	switch len(vals) {
	case 0:
		return zero
	case 1:
		return vals[0]
	}
	return vals[i]
}

const exportHelp = "Usage: zkpoc export solidity|calldata|compute-proof [flags]\n\n" +
	"  solidity       the Solidity verifier for a verifying key\n" +
	"  calldata       a receipt's proof as EVM calldata, hex\n" +
	"  compute-proof  a Groth16 receipt's zk_compute_proof bytes, base64\n\n" +
	"Run \"zkpoc export <sub> -h\" for flags.\n"

func runExport(env *cliEnv, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "solidity":
		fs := newFlags(env, "export solidity", "export solidity (--fingerprint FP | --key VK [--system plonk]) -o Verifier.sol", `
Writes the Solidity verifier for a verifying key, with gnark's exporter: a
Groth16 verifier (verifyProof(bytes,uint256[4])) or, for a PLONK key, a PLONK
verifier (Verify(bytes,uint256[])). A cached key is found by its fingerprint
in either system; a key file is read as Groth16 unless --system plonk.
Proofs are made with the Solidity-compatible hash-to-field, so receipts verify on an EVM.`)
		fp := fs.String("fingerprint", "", "cached key fingerprint (sha256:…, 0x… or hex), Groth16 or PLONK")
		keyPath := fs.String("key", "", "verifying key file instead of the cache")
		system := fs.String("system", string(protocol.Groth16), "with --key: the key's proof system, groth16 or plonk")
		out := fs.String("o", "", "output .sol file (default, or -: stdout)")
		if err := parseNone(fs, args); err != nil {
			return err
		}
		if err := checkSystem(*system); err != nil {
			return err
		}
		if err := checkOutput("-o", *out); err != nil {
			return err
		}
		if *fp != "" {
			h, err := fingerprintArg("--fingerprint", *fp)
			if err != nil {
				return err
			}
			*fp = h
		}
		vk, err := loadAnyVK(*fp, *keyPath, protocol.System(*system))
		if err != nil {
			return err
		}
		var b bytes.Buffer
		err = chain.ExportSolidity(vk, &b)
		if errors.Is(err, chain.ErrNotBN254) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		if *out == "" {
			*out = stdinName
		}
		return writeOutput(env, *out, b.Bytes())
	case "calldata", "compute-proof":
		fs := newFlags(env, "export "+sub, "export "+sub+" [--key VK] RECEIPT", `
calldata: the ABI calldata for the receipt's proof, hex: verifyProof(bytes,uint256[4])
for Groth16; Verify(bytes,uint256[]) for PLONK, whose proof layout depends on the
verifying key (found in the cache by the receipt's fingerprint, or --key).
compute-proof: the zk_compute_proof bytes a block header carries (README), base64;
Groth16 receipts only. Both refuse a receipt whose proof is not bound to its task
and node: the proof's input_commitment must be the task's payload.input_commitment
(a v1 task without one is refused) and its PoE SHA-256(request_id ‖ output_digest ‖ node_id).
The receipt is then verified, as zkpoc verify does (signature, node identity,
receipt_id, PoE, proof); one that does not pass is refused (exit 1 reject,
3 hold) and nothing is printed.`)
		keyPath := fs.String("key", "", "verifying key file (default: the cache, by the receipt's fingerprint)")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("export %s takes one receipt", sub)
		}
		e, err := readEnvelope(env, pos[0])
		if err != nil {
			return err
		}
		st, _, err := e.Statement()
		if err != nil {
			return usageError{err}
		}
		r := &st.Predicate
		what := chain.ExportCalldata
		if sub == "compute-proof" {
			what = chain.ExportComputeProof
		}
		if err := chain.CheckExportable(r, what); err != nil {
			err = usagef("%s: %w", pos[0], err)
			if r.Mode == protocol.ModePlonk && what == chain.ExportComputeProof {
				return withHint(err, "zkpoc export calldata %s gives the PLONK verifier's calldata", pos[0])
			}
			return err
		}
		if err := requirePass(e, pos[0], *keyPath, "export it"); err != nil {
			return err
		}
		if sub == "calldata" {
			cd, err := calldata(r, *keyPath)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "0x%s\n", hex.EncodeToString(cd))
			return nil
		}
		b, err := chain.EncodeComputeProof(r)
		if err != nil {
			return usageError{err}
		}
		fmt.Fprintln(env.stdout, base64.StdEncoding.EncodeToString(b))
		fmt.Fprintf(env.progress(), "zk_compute_proof: %d bytes\n", len(b))
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(env.stdout, exportHelp)
		return nil
	}
	return groupUsage("usage: zkpoc export solidity|calldata|compute-proof [flags]", exportHelp)
}

// calldata is the EVM calldata of a receipt's proof: Groth16's
// verifyProof(bytes,uint256[4]), or PLONK's Verify(bytes,uint256[]), laid
// out by the verifying key (keyPath, or the cache by the receipt's
// fingerprint). It does not verify the receipt: export does that first.
func calldata(r *receipt.Receipt, keyPath string) ([]byte, error) {
	if r.Mode != protocol.ModePlonk {
		cd, err := chain.Calldata(r.Proof.Bytes, r.Proof.PublicInputs)
		if err != nil {
			return nil, usageError{err}
		}
		return cd, nil
	}
	pvk, err := loadAnyVK(r.Proof.KeyFingerprint, keyPath, protocol.Plonk)
	if err != nil {
		return nil, err
	}
	cd, err := chain.PlonkCalldata(r.Proof.Bytes, r.Proof.PublicInputs, pvk)
	if err != nil {
		return nil, usageError{err}
	}
	return cd, nil
}

// loadAnyVK returns a verifying key: from the file path (read as system,
// on BN254), or from the cache by fingerprint, where either system's key
// may match.
func loadAnyVK(fp, path string, system protocol.System) (proofsystem.VerifyingKey, error) {
	switch {
	case path != "":
		vk, err := proofsystem.ReadVerifyingKeyFile(path, system, protocol.BN254)
		if err != nil {
			return nil, usageError{err}
		}
		return vk, nil
	case fp == "":
		return nil, usagef("give --fingerprint or --key")
	}
	cache, err := keyCache()
	if err != nil {
		return nil, err
	}
	vk, _, err := cache.FindByFingerprint(strings.TrimPrefix(fp, "sha256:"))
	if err != nil {
		return nil, usageError{fmt.Errorf("verifying key %s: %w", fp, err)}
	}
	return vk, nil
}
