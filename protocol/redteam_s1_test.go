package protocol

import (
	"math/big"
	"math/rand/v2"
	"testing"

	frbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	h2fbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/hash_to_field"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	h2f "github.com/consensys/gnark-crypto/ecc/bn254/fr/hash_to_field"
)

// TestRedteamS1ChallengeIsGnarks: SyntheticChallenge equals, for any
// bytes (empty, one byte, the 64-byte uncompressed point size, long), the
// commitment wire gnark's Groth16 verifier computes from the same bytes —
// its code transcribed from backend/groth16/{bn254,bls12-381}/verify.go:
// hash_to_field with CommitmentDst, the first min(Size, fr.Bytes) bytes of
// Sum, reduced by SetBytes. A truncation or reduction that differed would
// let the verifier's r and the circuit's part ways.
func TestRedteamS1ChallengeIsGnarks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 31, 32, 64, 96, 128, 1000} {
		for k := 0; k < 8; k++ {
			b := make([]byte, size)
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			if k == 1 {
				for i := range b {
					b[i] = 0xff
				}
			}
			{
				h := h2f.New([]byte(CommitmentDst))
				h.Write(b)
				sum := h.Sum(nil)
				nb := fr.Bytes
				if h.Size() < nb {
					nb = h.Size()
				}
				var want fr.Element
				want.SetBytes(sum[:nb])
				got, err := SyntheticChallenge(BN254, b)
				if err != nil {
					t.Fatal(err)
				}
				if got.Cmp(want.BigInt(new(big.Int))) != 0 {
					t.Errorf("bn254, %d bytes: r = %v, gnark's %v", size, got, want.String())
				}
			}
			{
				h := h2fbls.New([]byte(CommitmentDst))
				h.Write(b)
				sum := h.Sum(nil)
				nb := frbls.Bytes
				if h.Size() < nb {
					nb = h.Size()
				}
				var want frbls.Element
				want.SetBytes(sum[:nb])
				got, err := SyntheticChallenge(BLS12381, b)
				if err != nil {
					t.Fatal(err)
				}
				if got.Cmp(want.BigInt(new(big.Int))) != 0 {
					t.Errorf("bls12-381, %d bytes: r = %v, gnark's %v", size, got, want.String())
				}
			}
		}
	}
}

// TestRedteamS1CheckReference: SyntheticCheck equals Σ_ij (A·B)_ij·r^(n·i+j)
// mod p computed with big integers, at n = 1, 2, 3, 7, 33, on random int16
// matrices and on the extremes (every entry −2^15, every entry 2^15 − 1,
// mixed: |(A·B)_ij| = n·2^30, where an int32 or int64 shortcut would
// overflow at large n), at r = 0, 1, p − 1 and random r, both curves.
func TestRedteamS1CheckReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, curve := range Curves {
		p := curve.ScalarField()
		rs := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(p, big.NewInt(1)), randomBelow(rng, p)}
		for _, n := range []int{1, 2, 3, 7, 33} {
			fills := map[string]func(i int) (int16, int16){
				"random":  func(int) (int16, int16) { return int16(rng.Uint32()), int16(rng.Uint32()) },
				"min·min": func(int) (int16, int16) { return -1 << 15, -1 << 15 },
				"max·min": func(int) (int16, int16) { return 1<<15 - 1, -1 << 15 },
			}
			for name, fill := range fills {
				a, b := make([]int16, n*n), make([]int16, n*n)
				for i := range a {
					a[i], b[i] = fill(i)
				}
				for _, r := range rs {
					got, err := SyntheticCheck(curve, r, a, b, n)
					if err != nil {
						t.Fatal(err)
					}
					want, pow := new(big.Int), big.NewInt(1)
					for i := 0; i < n; i++ {
						for j := 0; j < n; j++ {
							c := new(big.Int)
							for k := 0; k < n; k++ {
								c.Add(c, new(big.Int).Mul(big.NewInt(int64(a[i*n+k])), big.NewInt(int64(b[k*n+j]))))
							}
							want.Add(want, c.Mul(c, pow))
							pow.Mul(pow, r).Mod(pow, p)
						}
					}
					want.Mod(want, p)
					if got.Cmp(want) != 0 {
						t.Errorf("%s n=%d %s r=%v: s = %v, reference %v", curve, n, name, r, got, want)
					}
				}
			}
		}
	}
}

// randomBelow is a full-width value reduced mod p.
func randomBelow(rng *rand.Rand, p *big.Int) *big.Int {
	b := make([]byte, 48)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(b), p)
}
