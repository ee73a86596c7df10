package prover

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
)

// outputTree commits to the output rows and binds the root with the PoE.
func (rn *run) outputTree() ([][]byte, [32]byte, error) {
	leaves := sampling.RowLeaves(rn.c, rn.n)
	root, _ := merkle.RootHash(leaves)
	reqID, err := rn.task.RequestID()
	if err != nil {
		return nil, root, err
	}
	nodeID, err := receipt.DecodeHex32("node.node_id", rn.r.Node.NodeID)
	if err != nil {
		return nil, root, err
	}
	poe := protocol.PoE(reqID, root, nodeID)
	rn.r.OutputDigest = hex.EncodeToString(root[:])
	rn.r.OutputDigestAlg = receipt.DigestMerkleRows
	rn.r.PoE = hex.EncodeToString(poe[:])
	return leaves, root, nil
}

// bind records only the binding: PoE over the Merkle root of the rows.
func (rn *run) bind() error {
	if _, _, err := rn.outputTree(); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	return nil
}

// sample commits to the rows and opens the ones its randomness selects:
// proof-of-work Fiat–Shamir, or Options.Sampling.Challenge when set.
func (rn *run) sample() error {
	leaves, root, err := rn.outputTree()
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	return rn.open(leaves, root, rn.o.Sampling)
}

// open fills the sampling box for the committed rows.
func (rn *run) open(leaves [][]byte, root [32]byte, p sampling.Params) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	p = p.WithDefaults()
	n := rn.n
	reqID, _ := receipt.DecodeHex32("request_id", rn.r.RequestID)
	nodeID, _ := receipt.DecodeHex32("node.node_id", rn.r.Node.NodeID)
	com := sampling.Commitment{Root: root, RequestID: reqID, NodeID: nodeID, Rows: n}
	k := p.RowsFor(n)
	box := &receipt.Sampling{Rows: n, K: k, Epsilon: p.Epsilon, ErrorBound: sampling.Miss(n, k, sampling.WrongRows(n, p.Epsilon))}
	var seed [32]byte
	if p.Challenge != nil {
		box.Method, box.Challenge = receipt.SamplingMethodChallenge, hex.EncodeToString(p.Challenge)
		seed = com.ChallengeSeed(p.Challenge)
	} else {
		box.Method = receipt.SamplingMethodPoW
		if k < n { // every row opened needs no randomness: pow_bits 0, nonce 0
			box.PoWBits = p.PoWBits
		}
		start := time.Now()
		nonce, tries := sampling.SolvePoW(com.PoWChallenge(box.PoWBits), box.PoWBits, runtime.GOMAXPROCS(0))
		box.Nonce = sampling.FormatNonce(nonce)
		var err error
		if seed, err = com.PoWSeed(box.PoWBits, nonce); err != nil {
			return fmt.Errorf("sample: %w", err)
		}
		rn.o.logf("proof of work: %d bits in %d hashes (2^%.1f), %s", box.PoWBits, tries, math.Log2(float64(tries)), time.Since(start).Round(time.Millisecond))
	}
	box.Indices = sampling.Indices(seed, n, k)
	paths, err := merkle.InclusionProofs(leaves, box.Indices)
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	box.Paths = make([][]string, len(paths))
	for i, path := range paths {
		box.Paths[i] = make([]string, len(path))
		for j, h := range path {
			box.Paths[i][j] = hex.EncodeToString(h[:])
		}
	}
	rn.r.Sampling = box
	rn.o.logf("sampled %d of %d rows (%s; per-attempt bound %.3g at ε = %g)", k, n, box.Method, box.ErrorBound, p.Epsilon)
	return nil
}

// Committed is a run whose output rows are committed but not yet opened:
// the first half of a commit-then-challenge exchange. The node publishes
// Root (for example in a signed binding receipt); the challenger, having
// seen it, issues a challenge; Open answers it with the sampled receipt.
type Committed struct {
	rn     *run
	leaves [][]byte
	root   [32]byte
	opened bool
}

// Commit runs the task natively (Options.Mode is taken as sampled) and
// commits to its output rows: the Merkle root, bound to the request and the
// node by the PoE. Options.Sampling.Challenge must be unset: the challenge
// comes after the commitment.
func Commit(o Options) (*Committed, error) {
	if o.Sampling.Challenge != nil {
		return nil, errors.New("commit: the challenge must be issued after the commitment (leave Sampling.Challenge unset and pass it to Open)")
	}
	o.Mode = protocol.ModeSampled
	rn, _, err := start(o)
	if err != nil {
		return nil, err
	}
	leaves, root, err := rn.outputTree()
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if err := rn.inputsChecked(); err != nil { // no root published for matrices that are not the task's
		return nil, err
	}
	return &Committed{rn: rn, leaves: leaves, root: root}, nil
}

// Root is the committed Merkle root of the output rows (the receipt's
// output_digest).
func (c *Committed) Root() [32]byte { return c.root }

// Open draws the rows from challenge and returns the signed sampled
// receipt. A commitment is opened once: a node that could answer a second
// challenge would choose whichever sample misses its wrong rows.
func (c *Committed) Open(challenge []byte) (*Result, error) {
	if c.opened {
		return nil, errors.New("open: this commitment was already opened; a commitment answers one challenge")
	}
	if challenge == nil {
		return nil, errors.New("open: a challenge is required (for a non-interactive receipt use Run)")
	}
	p := c.rn.o.Sampling
	p.Challenge = challenge
	if err := c.rn.open(c.leaves, c.root, p); err != nil {
		return nil, err
	}
	c.opened = true
	return c.rn.seal()
}

// envelopeSlack leaves room for the indentation a receipt file adds.
const envelopeSlack = 4 << 10

// checkEnvelopeSize refuses a receipt larger than a verifier reads
// (receipt.MaxEnvelopeBytes): in practice a sampled receipt opening many
// rows of a large n, each with its audit path.
// ErrReceiptTooLarge is wrapped by Run's error for a receipt larger than a
// verifier reads (receipt.MaxEnvelopeBytes): a sampled receipt opening too many rows.
var ErrReceiptTooLarge = errors.New("receipt too large")

func checkEnvelopeSize(env *receipt.Envelope, r *receipt.Receipt) error {
	raw, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("prove: encode receipt: %w", err)
	}
	if len(raw)+envelopeSlack <= receipt.MaxEnvelopeBytes {
		return nil
	}
	hint := ""
	if s := r.Sampling; s != nil {
		hint = fmt.Sprintf(": %d rows with their audit paths are too many; open fewer rows or raise the proof of work, which lowers the k needed", s.K)
	}
	return fmt.Errorf("prove: %w: it would be %d bytes, over the %d a verifier reads%s", ErrReceiptTooLarge, len(raw), receipt.MaxEnvelopeBytes-envelopeSlack, hint)
}
