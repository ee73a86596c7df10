package workload_test

import (
	"encoding/hex"
	"fmt"

	"github.com/zkpoc/zkpoc/workload"
)

func ExampleDeriveSeed() {
	var blockHash [32]byte
	for i := range blockHash {
		blockHash[i] = byte(i)
	}
	seed := workload.DeriveSeed(blockHash, "cpc1qzkpocexampleworker0")
	fmt.Println(hex.EncodeToString(seed[:]))
	// Output: 9df48af6a66f5e432909486e67870f763fe4d8e272bb8fb9f372bd4f0a82f9c3
}

func ExampleMultiply() {
	// floor(-1/256) = -1: the shift rounds toward minus infinity.
	C, err := workload.Multiply([]int16{-1, 0, 0, 0}, []int16{1, 0, 0, 0}, 2, workload.DefaultFracBits)
	if err != nil {
		panic(err)
	}
	fmt.Println(C, workload.OutputBound(2, workload.DefaultFracBits))
	// Output: [-1 0 0 0] 25
}

func ExampleParseCPC() {
	wei, err := workload.ParseCPC("10.0")
	fmt.Println(wei, err)
	_, err = workload.ParseCPC("1e3")
	fmt.Println(err)
	// Output:
	// 10000000000000000000 <nil>
	// workload: parse CPC "1e3": invalid CPC amount: not a plain decimal (want digits with an optional '.' and fraction digits)
}
