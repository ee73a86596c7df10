package receipt_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

func ExampleSign() {
	// A fixed seed makes the key, and so the Ed25519 signature, reproducible.
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	key := ed25519.NewKeyFromSeed(seed)
	pub := key.Public().(ed25519.PublicKey)

	r := &receipt.Receipt{
		Version:         receipt.Version,
		Mode:            protocol.ModeBinding,
		InputCommitment: "12345",
		OutputDigest:    "000000000000000000000000000000000000000000000000000000000000002a",
		OutputDigestAlg: protocol.OutputDigestAlgorithm(protocol.BN254),
	}
	env, err := receipt.Sign(r, key)
	if err != nil {
		panic(err)
	}
	data, _ := json.Marshal(env)

	// A verifier decodes the envelope, checks the signature, then reads the statement.
	got, err := receipt.Decode(data)
	if err != nil {
		panic(err)
	}
	fmt.Println("keyid:", got.Signatures[0].KeyID)
	fmt.Println("verify:", got.VerifySignature(pub))
	st, _, err := got.Statement()
	if err != nil {
		panic(err)
	}
	fmt.Println(st.PredicateType)
	for _, s := range st.Subject {
		fmt.Println(s.Name, s.Digest[receipt.DigestAlgorithm])
	}

	// Any change to the signed bytes is caught.
	got.PayloadType = "application/json"
	fmt.Println("tampered:", got.VerifySignature(pub))
	// Output:
	// keyid: 21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9
	// verify: <nil>
	// https://zkpoc.dev/compute-receipt/v1
	// input_commitment 12345
	// output_digest 000000000000000000000000000000000000000000000000000000000000002a
	// tampered: envelope signature does not verify
}

func ExamplePAE() {
	fmt.Printf("%s\n", receipt.PAE("http://example.com/HelloWorld", []byte("hello world")))
	// Output: DSSEv1 29 http://example.com/HelloWorld 11 hello world
}
