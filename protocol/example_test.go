package protocol_test

import (
	"encoding/hex"
	"fmt"

	"github.com/zkpoc/zkpoc/protocol"
)

func ExamplePoE() {
	hex32 := func(s string) [32]byte {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 {
			panic("want 32 bytes of hex")
		}
		return [32]byte(b)
	}
	poe := protocol.PoE(
		hex32("d14327e3f6c50957e335c3ed362b976c5502e436237e3de9a5d305ad576b77b7"), // request_id
		hex32("000000000000000000000000000000000000000000000000000000000000002a"), // output_digest
		hex32("21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"), // node_id
	)
	fmt.Println(hex.EncodeToString(poe[:]))
	// Output: 61e6cd147576a21b83556d533ed5f7aad9cb2874b64d4cbb90cecf755fe340cf
}
