package ceremony

// Contribute: a participant mixes fresh secret randomness into the latest
// phase-1 (powers of tau) or phase-2 (circuit-specific δ and σ) state.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	cmpc "github.com/consensys/gnark-crypto/ecc/bn254/mpcsetup"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	gio "github.com/consensys/gnark/io"
)

// randomScalar draws a uniform non-zero scalar from rng (64 bytes reduced
// mod r: bias < 2^-250).
func randomScalar(rng io.Reader) (fr.Element, error) {
	var buf [64]byte
	for {
		if _, err := io.ReadFull(rng, buf[:]); err != nil {
			return fr.Element{}, fmt.Errorf("read randomness: %w", err)
		}
		var e fr.Element
		e.SetBigInt(new(big.Int).SetBytes(buf[:]))
		if !e.IsZero() {
			return e, nil
		}
	}
}

// Contribute adds one contribution to phase (1 or 2): it reads the
// latest state, mixes in fresh secret randomness from rng (crypto/rand if
// nil), writes phaseP/NNN.bin and returns its index and hash (SHA-256 of the
// payload), which the participant should publish. The secret scalars are
// dropped when it returns. Phase 1 must still be open; phase 2 needs
// SealPhase1 first. It checks the file it builds on (header, digest,
// structure, points on the curve) but not the whole transcript: run
// Verify for that.
func Contribute(dir string, phase int, rng io.Reader, opts ...Option) (index int, hash []byte, err error) {
	o := options(opts)
	if phase != 1 && phase != 2 {
		return 0, nil, fmt.Errorf("ceremony contribute: phase must be 1 or 2, have %d", phase)
	}
	if rng == nil {
		rng = rand.Reader
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return 0, nil, err
	}
	defer unlock()
	seal, err := readSeal(dir)
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, finalFile)); err == nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %s is already finalized", dir)
	}
	switch {
	case phase == 1 && seal != nil:
		return 0, nil, fmt.Errorf("ceremony contribute: phase 1 of %s is sealed; contribute to phase 2", dir)
	case phase == 2 && seal == nil:
		return 0, nil, fmt.Errorf("ceremony contribute: phase 1 of %s is not sealed yet (coordinator: zkpoc ceremony seal-phase1)", dir)
	}
	k, err := listContributions(dir, phase)
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	var payload []byte
	name := fmt.Sprintf("phase %d contribution %d (domain %d)", phase, k+1, m.DomainSize)
	err = o.step(name, func() error {
		var err error
		if phase == 1 {
			payload, err = contributePhase1(dir, m, k, rng)
		} else {
			payload, err = contributePhase2(dir, m, k, rng)
		}
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	path := contribPath(dir, phase, k+1)
	if _, err := os.Stat(path); err == nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %s appeared while contributing", path)
	}
	if err := writePhaseFile(path, phase, k+1, payload); err != nil {
		return 0, nil, fmt.Errorf("ceremony contribute: %w", err)
	}
	sum := sha256.Sum256(payload)
	return k + 1, sum[:], nil
}

func contributePhase1(dir string, m *Manifest, k int, rng io.Reader) ([]byte, error) {
	N := m.DomainSize
	var prev []byte
	if k == 0 {
		var b bytes.Buffer
		if _, err := mpcsetup.NewPhase1(N).WriteTo(&b); err != nil {
			return nil, err
		}
		prev = b.Bytes()
	} else {
		var err error
		if prev, err = readPhaseFile(dir, 1, k, phase1PayloadSize(N, sha256.Size)); err != nil {
			return nil, err
		}
		if err := checkPhase1Layout(prev, N); err != nil {
			return nil, &ContributionError{Phase: 1, Index: k, Err: err}
		}
	}
	challenge := sha256.Sum256(prev)
	var commons mpcsetup.SrsCommons
	if _, err := commons.ReadFrom(bytes.NewReader(prev[3*proofSize:])); err != nil {
		return nil, &ContributionError{Phase: 1, Index: k, Err: fmt.Errorf("decode: %w", err)}
	}
	tau, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	alpha, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	beta, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	// UpdateValues with a non-zero value uses it as is: the proofs of
	// knowledge for our own scalars.
	proofs := [3]cmpc.UpdateProof{
		cmpc.UpdateValues(&tau, challenge[:], mpcsetup.DST_TAU),
		cmpc.UpdateValues(&alpha, challenge[:], mpcsetup.DST_ALPHA),
		cmpc.UpdateValues(&beta, challenge[:], mpcsetup.DST_BETA),
	}
	updatePhase1(&commons, &tau, &alpha, &beta)
	var b bytes.Buffer
	b.Grow(int(phase1PayloadSize(N, sha256.Size)))
	for i := range proofs {
		if _, err := proofs[i].WriteTo(&b); err != nil {
			return nil, err
		}
	}
	if _, err := commons.WriteTo(&b); err != nil {
		return nil, err
	}
	if _, err := gio.WriteBytesShort(challenge[:], &b); err != nil {
		return nil, err
	}
	tau.SetZero()
	alpha.SetZero()
	beta.SetZero()
	return b.Bytes(), nil
}

// parallel runs fn over [0, n) in chunks on all cores.
func parallel(n int, fn func(start, end int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for s := 0; s < n; s += chunk {
		e := min(s+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(s, e)
		}()
	}
	wg.Wait()
}

// updatePhase1 is gnark's SrsCommons.update, parallelized: τⁱ-scaling of
// every power, α and β folded into the α/β vectors.
func updatePhase1(c *mpcsetup.SrsCommons, tau, alpha, beta *fr.Element) {
	var coeff big.Int
	alpha.BigInt(&coeff)
	c.G1.AlphaTau[0].ScalarMultiplication(&c.G1.AlphaTau[0], &coeff)
	beta.BigInt(&coeff)
	c.G1.BetaTau[0].ScalarMultiplication(&c.G1.BetaTau[0], &coeff)
	c.G2.Beta.ScalarMultiplication(&c.G2.Beta, &coeff)
	nG2 := len(c.G2.Tau)
	parallel(len(c.G1.Tau)-1, func(start, end int) {
		var tp, scaled fr.Element
		var k big.Int
		tp.Exp(*tau, big.NewInt(int64(start+1)))
		for i := start + 1; i <= end; i++ {
			tp.BigInt(&k)
			c.G1.Tau[i].ScalarMultiplication(&c.G1.Tau[i], &k)
			if i < nG2 {
				c.G2.Tau[i].ScalarMultiplication(&c.G2.Tau[i], &k)
				scaled.Mul(&tp, alpha)
				scaled.BigInt(&k)
				c.G1.AlphaTau[i].ScalarMultiplication(&c.G1.AlphaTau[i], &k)
				scaled.Mul(&tp, beta)
				scaled.BigInt(&k)
				c.G1.BetaTau[i].ScalarMultiplication(&c.G1.BetaTau[i], &k)
			}
			tp.Mul(&tp, tau)
		}
	})
}

func contributePhase2(dir string, m *Manifest, k int, rng io.Reader) ([]byte, error) {
	prevPayload, err := readPhaseFile(dir, 2, k, phase2MaxPayload(m))
	if err != nil {
		return nil, err
	}
	p, err := decodePhase2(prevPayload, m, 2, k)
	if err != nil {
		return nil, err
	}
	challenge := sha256.Sum256(prevPayload)
	p.Challenge = challenge[:]
	delta, err := randomScalar(rng)
	if err != nil {
		return nil, err
	}
	sigma := make([]fr.Element, len(p.Parameters.G1.SigmaCKK))
	for i := range sigma {
		if sigma[i], err = randomScalar(rng); err != nil {
			return nil, err
		}
	}
	p.Delta = cmpc.UpdateValues(&delta, p.Challenge, mpcsetup.DST_DELTA)
	for i := range sigma {
		p.Sigmas[i] = cmpc.UpdateValues(&sigma[i], p.Challenge, mpcsetup.DST_SIGMA+byte(i))
	}
	// gnark's Phase2.update.
	scale := func(s []curve.G1Affine, e *fr.Element) {
		var k big.Int
		e.BigInt(&k)
		parallel(len(s), func(start, end int) {
			for i := start; i < end; i++ {
				s[i].ScalarMultiplication(&s[i], &k)
			}
		})
	}
	var I big.Int
	for i := range sigma {
		sigma[i].BigInt(&I)
		p.Parameters.G2.Sigma[i].ScalarMultiplication(&p.Parameters.G2.Sigma[i], &I)
		scale(p.Parameters.G1.SigmaCKK[i], &sigma[i])
		sigma[i].SetZero()
	}
	delta.BigInt(&I)
	p.Parameters.G2.Delta.ScalarMultiplication(&p.Parameters.G2.Delta, &I)
	p.Parameters.G1.Delta.ScalarMultiplication(&p.Parameters.G1.Delta, &I)
	var inv fr.Element
	inv.Inverse(&delta)
	scale(p.Parameters.G1.Z, &inv)
	scale(p.Parameters.G1.PKK, &inv)
	delta.SetZero()
	inv.SetZero()
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
