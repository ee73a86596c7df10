// Package ceremony runs and verifies a multi-party Groth16 trusted-setup
// ceremony for one zkpoc circuit on BN254 (BGM17, as implemented by gnark's
// backend/groth16/bn254/mpcsetup), and stores the keys it yields in a
// [keys.Cache].
//
// # What it guarantees
//
// A Groth16 setup has a secret (τ, α, β, δ, …) whose holder can forge
// proofs. In a ceremony every participant mixes fresh secret randomness
// into the setup and publishes a proof of knowledge of it, bound to the
// hash of the state it built on. The keys are sound as long as at least one
// contributor in each phase was honest — drew its randomness well and let
// no one see it before [Contribute] erased it: 1 of N. [Verify] lets anyone
// check that every contribution is a well-formed update of the one before
// it and that both public beacons were applied, so a verifier need trust
// no single party, only that one of the published contribution hashes it
// accepts came from someone honest. Keys whose provenance is not a
// ceremony with at least one contribution per phase are a dev setup
// ([keys.IsDevSetup]).
//
// # Flow
//
// All state lives in one ceremony directory:
//
//	Init            coordinator: manifest.json, ccs.bin
//	Contribute(1)   each phase-1 participant, in turn: phase1/NNN.bin
//	SealPhase1      coordinator, with public beacon 1: phase1-seal.json, phase2/000.bin
//	Contribute(2)   each phase-2 participant, in turn: phase2/NNN.bin
//	Verify          anyone: checks every contribution and the beacons
//	Finalize        coordinator, with public beacon 2: keys into a Cache, final.json
//
// Phase 2 can only start from a sealed phase 1 (gnark derives the phase-2
// base from the sealed powers of tau), so the phase-1 beacon is fixed by
// [SealPhase1] and recorded in phase1-seal.json; the beacon given to
// [Verify] and [Finalize] is the final (phase-2) beacon.
//
// Every phase file is "ZKPOC-CEREMONY" header + payload, where the payload is
// gnark's canonical (compressed) serialization of the Phase1/Phase2 object.
// The header carries version, phase, index, payload length and SHA-256; the
// payload's SHA-256 is the contribution hash the participant publishes, and
// it is also the challenge the next contribution is bound to.
//
// What a verified transcript establishes is pinned as a
// [keys.TranscriptRecord] ([Report.Transcript]): that record, the
// ceremony provenance and the beacon bounds live in package keys, so that
// the cache and the verifier can read them without importing gnark's MPC
// code.
//
// # Files
//
//	doc.go         this overview
//	options.go     Option, WithProgress, WithCompiledCCS; progress lines around long steps
//	errors.go      ErrBadContribution, ContributionError (names the rejected file)
//	manifest.go    manifest.json and ccs.bin: Manifest, ReadManifest, the size limits
//	dir.go         the directory: file names, listing contributions, phase1-seal.json, the lock
//	phasefile.go   the phase-file header, exact payload sizes, layout checks before decoding
//	init.go        Init: open a ceremony for a circuit
//	contribute.go  Contribute: phase-1 (τ, α, β) and phase-2 (δ, σ) updates
//	seal.go        SealPhase1: apply beacon 1, derive the phase-2 base
//	verify.go      Verify, Report: check the whole transcript, derive the keys
//	finalize.go    Finalize: apply beacon 2, extract and store the keys, final.json
package ceremony
