// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package registry

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// ComputeRegistryEscrow is an auto generated low-level Go binding around an user-defined struct.
type ComputeRegistryEscrow struct {
	Verifier common.Address
	Reward   *big.Int
}

// ComputeRegistryTask is an auto generated low-level Go binding around an user-defined struct.
type ComputeRegistryTask struct {
	RequestId       [32]byte
	InputCommitment [32]byte
	Worker          common.Address
	Deadline        uint64
	N               uint16
	F               uint8
	Escrow          ComputeRegistryEscrow
	Poster          common.Address
	Circuit         [32]byte
}

// ComputeRegistryTaskSpec is an auto generated low-level Go binding around an user-defined struct.
type ComputeRegistryTaskSpec struct {
	TaskId          [16]byte
	RequestId       [32]byte
	InputCommitment [32]byte
	Circuit         [32]byte
	N               uint16
	F               uint8
	Deadline        uint64
	Worker          common.Address
}

// ComputeRegistryMetaData contains all meta data concerning the ComputeRegistry contract.
var ComputeRegistryMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"uint256\",\"name\":\"timestamp\",\"type\":\"uint256\"}],\"name\":\"DeadlineInPast\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"uint256\",\"name\":\"timestamp\",\"type\":\"uint256\"}],\"name\":\"DeadlineNotPassed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"uint256\",\"name\":\"timestamp\",\"type\":\"uint256\"}],\"name\":\"DeadlinePassed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"task\",\"type\":\"bytes32\"},{\"internalType\":\"uint256\",\"name\":\"proof\",\"type\":\"uint256\"}],\"name\":\"InputCommitmentMismatch\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"inputCommitment\",\"type\":\"bytes32\"}],\"name\":\"InputCommitmentNotCanonical\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"}],\"name\":\"InvalidShape\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NoReward\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"},{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"}],\"name\":\"NoVerifier\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"}],\"name\":\"NotAContract\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"NotOwner\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"bytes\",\"name\":\"reason\",\"type\":\"bytes\"}],\"name\":\"PayoutFailed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"expected\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"}],\"name\":\"PoEMismatch\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes\",\"name\":\"reason\",\"type\":\"bytes\"}],\"name\":\"ProofRejected\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"index\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"PublicInputNotCanonical\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"},{\"internalType\":\"uint256\",\"name\":\"poeHi\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"poeLo\",\"type\":\"uint256\"}],\"name\":\"ResultHashMismatch\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"reward\",\"type\":\"uint256\"}],\"name\":\"RewardTooLarge\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"}],\"name\":\"TaskExists\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"}],\"name\":\"TaskSettled\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"}],\"name\":\"UnknownTask\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"}],\"name\":\"VerifierNotRegistered\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"worker\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"WrongSender\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"worker\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"outputDigest\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"bytes\",\"name\":\"proof\",\"type\":\"bytes\"},{\"indexed\":false,\"internalType\":\"bytes\",\"name\":\"signature\",\"type\":\"bytes\"}],\"name\":\"ResultAccepted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"poster\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"worker\",\"type\":\"address\"},{\"components\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"},{\"internalType\":\"bytes32\",\"name\":\"requestId\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"inputCommitment\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"},{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"worker\",\"type\":\"address\"}],\"indexed\":false,\"internalType\":\"structComputeRegistry.TaskSpec\",\"name\":\"spec\",\"type\":\"tuple\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"vkFingerprint\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"reward\",\"type\":\"uint256\"}],\"name\":\"TaskPosted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"poster\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"reward\",\"type\":\"uint256\"}],\"name\":\"TaskRefunded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"}],\"name\":\"VerifierRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"indexed\":false,\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"},{\"indexed\":false,\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"vkFingerprint\",\"type\":\"bytes32\"}],\"name\":\"VerifierSet\",\"type\":\"event\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"name\":\"activeVerifier\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"}],\"name\":\"getTask\",\"outputs\":[{\"components\":[{\"internalType\":\"bytes32\",\"name\":\"requestId\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"inputCommitment\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"worker\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"},{\"components\":[{\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"},{\"internalType\":\"uint96\",\"name\":\"reward\",\"type\":\"uint96\"}],\"internalType\":\"structComputeRegistry.Escrow\",\"name\":\"escrow\",\"type\":\"tuple\"},{\"internalType\":\"address\",\"name\":\"poster\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"}],\"internalType\":\"structComputeRegistry.Task\",\"name\":\"task\",\"type\":\"tuple\"},{\"internalType\":\"enumComputeRegistry.State\",\"name\":\"state\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"owner\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"components\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"},{\"internalType\":\"bytes32\",\"name\":\"requestId\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"inputCommitment\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"},{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"worker\",\"type\":\"address\"}],\"internalType\":\"structComputeRegistry.TaskSpec\",\"name\":\"s\",\"type\":\"tuple\"}],\"name\":\"postTask\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"}],\"name\":\"refund\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"}],\"name\":\"revokeVerifier\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"},{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"},{\"internalType\":\"address\",\"name\":\"verifier\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"vkFingerprint\",\"type\":\"bytes32\"}],\"name\":\"setVerifier\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"},{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"}],\"name\":\"shapeKey\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"pure\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes16\",\"name\":\"taskId\",\"type\":\"bytes16\"},{\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"nodeId\",\"type\":\"bytes32\"},{\"internalType\":\"bytes\",\"name\":\"signature\",\"type\":\"bytes\"},{\"internalType\":\"bytes\",\"name\":\"proof\",\"type\":\"bytes\"},{\"internalType\":\"uint256[4]\",\"name\":\"input\",\"type\":\"uint256[4]\"}],\"name\":\"submitResult\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"circuit\",\"type\":\"bytes32\"},{\"internalType\":\"uint16\",\"name\":\"n\",\"type\":\"uint16\"},{\"internalType\":\"uint8\",\"name\":\"f\",\"type\":\"uint8\"}],\"name\":\"verifierFor\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "ComputeRegistry",
	Bin: "0x60a0604052348015600e575f5ffd5b50336080526080516115f16100395f395f81816101a40152818161057d015261061001526115f15ff3fe60806040526004361061008f575f3560e01c80638da5cb5b116100575780638da5cb5b14610193578063bd02a235146101de578063d385ab74146101fd578063dfdecfaf1461021c578063f05b8ed51461023b575f5ffd5b80630d83864d14610093578063397cf1e0146100c957806352b2bb5f146100f65780637271df531461011757806378a5f46414610155575b5f5ffd5b34801561009e575f5ffd5b506100b26100ad3660046110bc565b61024e565b6040516100c09291906110f5565b60405180910390f35b3480156100d4575f5ffd5b506100e86100e33660046111e2565b610399565b6040519081526020016100c0565b348015610101575f5ffd5b5061011561011036600461125f565b6103de565b005b348015610122575f5ffd5b5061014561013136600461131d565b60026020525f908152604090205460ff1681565b60405190151581526020016100c0565b348015610160575f5ffd5b5061017461016f3660046111e2565b610533565b604080516001600160a01b0390931683526020830191909152016100c0565b34801561019e575f5ffd5b506101c67f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b0390911681526020016100c0565b3480156101e9575f5ffd5b506101156101f836600461131d565b610572565b348015610208575f5ffd5b50610115610217366004611336565b610605565b348015610227575f5ffd5b506101156102363660046110bc565b6107ad565b610115610249366004611387565b6108a7565b6102aa60408051610120810182525f8082526020808301829052828401829052606083018290526080830182905260a0830182905283518085019094528184528301529060c082019081525f6020820181905260409091015290565b506001600160801b031981165f908152602081815260408083208151610120810183528154815260018201548185015260028201546001600160a01b0380821683860152600160a01b8083046001600160401b03166060850152600160e01b830461ffff166080850152600160f01b90920460ff1660a0840152845180860190955260038401548082168652919091046001600160601b0390811695850195865260c083019490945260048301541660e08201526005909101546101008201529151919291161561037d57506001915091565b60e08201516001600160a01b031615610394575060025b915091565b604080516020810185905261ffff84169181019190915260ff821660608201525f906080016040516020818303038152906040528051906020012090505b9392505050565b6001600160801b031988165f90815260208190526040812090610404828b8b8b87610ca0565b80516040516335f8315960e11b81529192506001600160a01b031690636bf062b290610438908890889088906004016113c9565b5f6040518083038186803b15801561044e575f5ffd5b505afa92505050801561045f575060015b6104b6573d80801561048c576040519150601f19603f3d011682016040523d82523d5f602084013e610491565b606091505b50806040516367488e3b60e11b81526004016104ad919061141c565b60405180910390fd5b5f6003830155336001600160801b03198b167f13459d30fc4622527760b66db55b02fde3d5df6adff576915e2c9a7ab7321eae8b866001602002013589898d8d60405161050896959493929190611442565b60405180910390a36105273382602001516001600160601b0316610f7c565b50505050505050505050565b5f5f5f60015f610544888888610399565b815260208101919091526040015f2080546001909101546001600160a01b0390911697909650945050505050565b336001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016146105bd5760405163245aecd360e01b81523360048201526024016104ad565b6001600160a01b0381165f81815260026020526040808220805460ff19169055517fb48d1366d07d4afdd2b73cbb6f7c9c23d71c2c9478252d6b97492dfd3819e7c79190a250565b336001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016146106505760405163245aecd360e01b81523360048201526024016104ad565b61ffff84161580610666575061100061ffff8516115b806106745750601060ff8416115b156106a157604051630cb2224560e31b815261ffff8516600482015260ff841660248201526044016104ad565b816001600160a01b03163b5f036106d6576040516322a2d07b60e21b81526001600160a01b03831660048201526024016104ad565b6040518060400160405280836001600160a01b031681526020018281525060015f610702888888610399565b815260208082019290925260409081015f908120845181546001600160a01b0319166001600160a01b03918216178255948401516001918201559386168082526002845290829020805460ff1916909417909355805161ffff8816815260ff8716928101929092528101919091526060810182905285907f406a7d2b5aa9392f5cce362c48fd1891779874a4456e6b23d8538bbaffe047269060800160405180910390a25050505050565b6001600160801b031981165f908152602081905260408120906107d08284610ff2565b6002830154909150600160a01b90046001600160401b031642116108245760028201546040516343c5d47b60e01b8152600160a01b9091046001600160401b031660048201524260248201526044016104ad565b5f600383015560048201546020828101516040516001600160601b0390911681526001600160a01b039092169182916001600160801b03198716917ffa0d614f41a65ac04e050f8f8beef5a1db7fa461b95505948d272d4fac6decfd910160405180910390a36108a18183602001516001600160601b0316610f7c565b50505050565b5f80806108b760208501856110bc565b6001600160801b031916815260208101919091526040015f2060048101549091506001600160a01b031615610919576108f360208301836110bc565b60405163139eb22560e21b81526001600160801b031990911660048201526024016104ad565b345f036109395760405163374c934360e11b815260040160405180910390fd5b6001600160601b0334111561096357604051632562870f60e21b81523460048201526024016104ad565b4261097460e0840160c08501611497565b6001600160401b0316116109bd5761099260e0830160c08401611497565b6040516342fdf93760e01b81526001600160401b0390911660048201524260248201526044016104ad565b7f30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001604083013510610a07576040805163ede55f1360e01b81529083013560048201526024016104ad565b5f600181610a336060860135610a2360a08801608089016114b0565b6100e360c0890160a08a016114c9565b815260208082019290925260409081015f20815180830190925280546001600160a01b03168083526001909101549282019290925291501580610a8f575080516001600160a01b03165f9081526002602052604090205460ff16155b15610ae9576060830135610aa960a08501608086016114b0565b610ab960c0860160a087016114c9565b60405163bdc9423960e01b8152600481019390935261ffff909116602483015260ff1660448201526064016104ad565b6020830135825560408301356001830155610b0b610100840160e0850161131d565b6002830180546001600160a01b0319166001600160a01b0392909216919091179055610b3d60e0840160c08501611497565b6002830180546001600160401b0392909216600160a01b0267ffffffffffffffff60a01b19909216919091179055610b7b60a08401608085016114b0565b60028301805461ffff92909216600160e01b0261ffff60e01b19909216919091179055610bae60c0840160a085016114c9565b60028301805460ff92909216600160f01b0260ff60f01b199092169190911790556040805180820190915281516001600160a01b03168082526001600160601b0334166020909201829052600160a01b9091021760038301556004820180546001600160a01b0319163317905560608301356005830155610c36610100840160e0850161131d565b6001600160a01b031633610c4d60208601866110bc565b6001600160801b0319167fa3766f7cea30e8e68d64ee777f631f8611e1249e364850c67e99b47586fb6f76868560200151865f015134604051610c9394939291906114e2565b60405180910390a4505050565b604080518082019091525f8082526020820152610cbd8686610ff2565b6002870154909150600160a01b90046001600160401b0316421115610d12576002860154604051631ef7407960e11b8152600160a01b9091046001600160401b031660048201524260248201526044016104ad565b60028601546001600160a01b03168015801590610d385750336001600160a01b03821614155b15610d67576040516308cca56b60e01b81526001600160a01b03821660048201523360248201526044016104ad565b81516001600160a01b03165f9081526002602052604090205460ff16610dae57815160405163b585314560e01b81526001600160a01b0390911660048201526024016104ad565b5f5b6004811015610e38577f30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001848260048110610dec57610dec61142e565b602002013510610e305780848260048110610e0957610e0961142e565b6040516338e9b6eb60e21b81526004810193909352602002013560248201526044016104ad565b600101610db0565b506001870154833514610e6e5760018701546040516362a9c06560e11b81526004810191909152833560248201526044016104ad565b6040830135608086901c141580610e92575060608301356001600160801b03861614155b15610ec7576040805163cd10cb4b60e01b815260048101879052908401356024820152606084013560448201526064016104ad565b8654604080516020818101939093529185013590820152606081018590525f9060029060800160408051601f1981840301815290829052610f0791611599565b602060405180830381855afa158015610f22573d5f5f3e3d5ffd5b5050506040513d601f19601f82011682018060405250810190610f4591906115af565b9050858114610f715760405163b0f2186560e01b815260048101829052602481018790526044016104ad565b505095945050505050565b5f5f836001600160a01b0316836040515f6040518083038185875af1925050503d805f8114610fc6576040519150601f19603f3d011682016040523d82523d5f602084013e610fcb565b606091505b5091509150816108a1578381604051639a72219960e01b81526004016104ad9291906115c6565b604080518082019091525f8082526020820152506040805180820190915260038301546001600160a01b0381168252600160a01b90046001600160601b0316602082018190525f0361109a5760048301546001600160a01b031661107557604051634badb8cf60e01b81526001600160801b0319831660048201526024016104ad565b60405163ce1547ab60e01b81526001600160801b0319831660048201526024016104ad565b92915050565b80356001600160801b0319811681146110b7575f5ffd5b919050565b5f602082840312156110cc575f5ffd5b6103d7826110a0565b600381106110f157634e487b7160e01b5f52602160045260245ffd5b9052565b82518152602080840151908201526040808401516001600160a01b031690820152606080840151610160830191611136908401826001600160401b03169052565b50608084015161114c608084018261ffff169052565b5060a084015161116160a084018260ff169052565b5060c084015161119060c084018280516001600160a01b031682526020908101516001600160601b0316910152565b5060e08401516001600160a01b038116610100840152506101008401516101208301526103d76101408301846110d5565b803561ffff811681146110b7575f5ffd5b803560ff811681146110b7575f5ffd5b5f5f5f606084860312156111f4575f5ffd5b83359250611204602085016111c1565b9150611212604085016111d2565b90509250925092565b5f5f83601f84011261122b575f5ffd5b5081356001600160401b03811115611241575f5ffd5b602083019150836020828501011115611258575f5ffd5b9250929050565b5f5f5f5f5f5f5f5f610120898b031215611277575f5ffd5b611280896110a0565b9750602089013596506040890135955060608901356001600160401b038111156112a8575f5ffd5b6112b48b828c0161121b565b90965094505060808901356001600160401b038111156112d2575f5ffd5b6112de8b828c0161121b565b90945092505061012089018a10156112f4575f5ffd5b60a0890190509295985092959890939650565b80356001600160a01b03811681146110b7575f5ffd5b5f6020828403121561132d575f5ffd5b6103d782611307565b5f5f5f5f5f60a0868803121561134a575f5ffd5b8535945061135a602087016111c1565b9350611368604087016111d2565b925061137660608701611307565b949793965091946080013592915050565b5f610100828403128015611399575f5ffd5b509092915050565b81835281816020850137505f828201602090810191909152601f909101601f19169091010190565b60a081525f6113dc60a0830185876113a1565b90506080836020840137949350505050565b5f81518084528060208401602086015e5f602082860101526020601f19601f83011685010191505092915050565b602081525f6103d760208301846113ee565b634e487b7160e01b5f52603260045260245ffd5b868152856020820152608060408201525f6114616080830186886113a1565b82810360608401526114748185876113a1565b9998505050505050505050565b80356001600160401b03811681146110b7575f5ffd5b5f602082840312156114a7575f5ffd5b6103d782611481565b5f602082840312156114c0575f5ffd5b6103d7826111c1565b5f602082840312156114d9575f5ffd5b6103d7826111d2565b61016081016001600160801b03196114f9876110a0565b16825260208681013590830152604080870135908301526060808701359083015261ffff611529608088016111c1565b16608083015260ff61153d60a088016111d2565b1660a083015261154f60c08701611481565b6001600160401b031660c083015261156960e08701611307565b6001600160a01b0390811660e0840152610100830186905284166101208301528261014083015295945050505050565b5f82518060208501845e5f920191825250919050565b5f602082840312156115bf575f5ffd5b5051919050565b6001600160a01b03831681526040602082018190525f906115e9908301846113ee565b94935050505056",
}

// ComputeRegistry is an auto generated Go binding around an Ethereum contract.
type ComputeRegistry struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *ComputeRegistry) GetABI() abi.ABI {
	return c.abi
}

// NewComputeRegistry creates a new instance of ComputeRegistry.
func NewComputeRegistry() *ComputeRegistry {
	parsed, err := ComputeRegistryMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &ComputeRegistry{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *ComputeRegistry) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackActiveVerifier is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7271df53.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function activeVerifier(address ) view returns(bool)
func (computeRegistry *ComputeRegistry) PackActiveVerifier(arg0 common.Address) []byte {
	enc, err := computeRegistry.abi.Pack("activeVerifier", arg0)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackActiveVerifier is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7271df53.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function activeVerifier(address ) view returns(bool)
func (computeRegistry *ComputeRegistry) TryPackActiveVerifier(arg0 common.Address) ([]byte, error) {
	return computeRegistry.abi.Pack("activeVerifier", arg0)
}

// UnpackActiveVerifier is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7271df53.
//
// Solidity: function activeVerifier(address ) view returns(bool)
func (computeRegistry *ComputeRegistry) UnpackActiveVerifier(data []byte) (bool, error) {
	out, err := computeRegistry.abi.Unpack("activeVerifier", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackGetTask is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0d83864d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getTask(bytes16 taskId) view returns((bytes32,bytes32,address,uint64,uint16,uint8,(address,uint96),address,bytes32) task, uint8 state)
func (computeRegistry *ComputeRegistry) PackGetTask(taskId [16]byte) []byte {
	enc, err := computeRegistry.abi.Pack("getTask", taskId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetTask is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0d83864d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getTask(bytes16 taskId) view returns((bytes32,bytes32,address,uint64,uint16,uint8,(address,uint96),address,bytes32) task, uint8 state)
func (computeRegistry *ComputeRegistry) TryPackGetTask(taskId [16]byte) ([]byte, error) {
	return computeRegistry.abi.Pack("getTask", taskId)
}

// GetTaskOutput serves as a container for the return parameters of contract
// method GetTask.
type GetTaskOutput struct {
	Task  ComputeRegistryTask
	State uint8
}

// UnpackGetTask is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x0d83864d.
//
// Solidity: function getTask(bytes16 taskId) view returns((bytes32,bytes32,address,uint64,uint16,uint8,(address,uint96),address,bytes32) task, uint8 state)
func (computeRegistry *ComputeRegistry) UnpackGetTask(data []byte) (GetTaskOutput, error) {
	out, err := computeRegistry.abi.Unpack("getTask", data)
	outstruct := new(GetTaskOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Task = *abi.ConvertType(out[0], new(ComputeRegistryTask)).(*ComputeRegistryTask)
	outstruct.State = *abi.ConvertType(out[1], new(uint8)).(*uint8)
	return *outstruct, nil
}

// PackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function owner() view returns(address)
func (computeRegistry *ComputeRegistry) PackOwner() []byte {
	enc, err := computeRegistry.abi.Pack("owner")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function owner() view returns(address)
func (computeRegistry *ComputeRegistry) TryPackOwner() ([]byte, error) {
	return computeRegistry.abi.Pack("owner")
}

// UnpackOwner is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8da5cb5b.
//
// Solidity: function owner() view returns(address)
func (computeRegistry *ComputeRegistry) UnpackOwner(data []byte) (common.Address, error) {
	out, err := computeRegistry.abi.Unpack("owner", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackPostTask is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf05b8ed5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function postTask((bytes16,bytes32,bytes32,bytes32,uint16,uint8,uint64,address) s) payable returns()
func (computeRegistry *ComputeRegistry) PackPostTask(s ComputeRegistryTaskSpec) []byte {
	enc, err := computeRegistry.abi.Pack("postTask", s)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPostTask is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf05b8ed5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function postTask((bytes16,bytes32,bytes32,bytes32,uint16,uint8,uint64,address) s) payable returns()
func (computeRegistry *ComputeRegistry) TryPackPostTask(s ComputeRegistryTaskSpec) ([]byte, error) {
	return computeRegistry.abi.Pack("postTask", s)
}

// PackRefund is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdfdecfaf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function refund(bytes16 taskId) returns()
func (computeRegistry *ComputeRegistry) PackRefund(taskId [16]byte) []byte {
	enc, err := computeRegistry.abi.Pack("refund", taskId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRefund is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdfdecfaf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function refund(bytes16 taskId) returns()
func (computeRegistry *ComputeRegistry) TryPackRefund(taskId [16]byte) ([]byte, error) {
	return computeRegistry.abi.Pack("refund", taskId)
}

// PackRevokeVerifier is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbd02a235.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeVerifier(address verifier) returns()
func (computeRegistry *ComputeRegistry) PackRevokeVerifier(verifier common.Address) []byte {
	enc, err := computeRegistry.abi.Pack("revokeVerifier", verifier)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeVerifier is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbd02a235.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeVerifier(address verifier) returns()
func (computeRegistry *ComputeRegistry) TryPackRevokeVerifier(verifier common.Address) ([]byte, error) {
	return computeRegistry.abi.Pack("revokeVerifier", verifier)
}

// PackSetVerifier is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd385ab74.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setVerifier(bytes32 circuit, uint16 n, uint8 f, address verifier, bytes32 vkFingerprint) returns()
func (computeRegistry *ComputeRegistry) PackSetVerifier(circuit [32]byte, n uint16, f uint8, verifier common.Address, vkFingerprint [32]byte) []byte {
	enc, err := computeRegistry.abi.Pack("setVerifier", circuit, n, f, verifier, vkFingerprint)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetVerifier is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd385ab74.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setVerifier(bytes32 circuit, uint16 n, uint8 f, address verifier, bytes32 vkFingerprint) returns()
func (computeRegistry *ComputeRegistry) TryPackSetVerifier(circuit [32]byte, n uint16, f uint8, verifier common.Address, vkFingerprint [32]byte) ([]byte, error) {
	return computeRegistry.abi.Pack("setVerifier", circuit, n, f, verifier, vkFingerprint)
}

// PackShapeKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x397cf1e0.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function shapeKey(bytes32 circuit, uint16 n, uint8 f) pure returns(bytes32)
func (computeRegistry *ComputeRegistry) PackShapeKey(circuit [32]byte, n uint16, f uint8) []byte {
	enc, err := computeRegistry.abi.Pack("shapeKey", circuit, n, f)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackShapeKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x397cf1e0.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function shapeKey(bytes32 circuit, uint16 n, uint8 f) pure returns(bytes32)
func (computeRegistry *ComputeRegistry) TryPackShapeKey(circuit [32]byte, n uint16, f uint8) ([]byte, error) {
	return computeRegistry.abi.Pack("shapeKey", circuit, n, f)
}

// UnpackShapeKey is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x397cf1e0.
//
// Solidity: function shapeKey(bytes32 circuit, uint16 n, uint8 f) pure returns(bytes32)
func (computeRegistry *ComputeRegistry) UnpackShapeKey(data []byte) ([32]byte, error) {
	out, err := computeRegistry.abi.Unpack("shapeKey", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackSubmitResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x52b2bb5f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitResult(bytes16 taskId, bytes32 resultHash, bytes32 nodeId, bytes signature, bytes proof, uint256[4] input) returns()
func (computeRegistry *ComputeRegistry) PackSubmitResult(taskId [16]byte, resultHash [32]byte, nodeId [32]byte, signature []byte, proof []byte, input [4]*big.Int) []byte {
	enc, err := computeRegistry.abi.Pack("submitResult", taskId, resultHash, nodeId, signature, proof, input)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x52b2bb5f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitResult(bytes16 taskId, bytes32 resultHash, bytes32 nodeId, bytes signature, bytes proof, uint256[4] input) returns()
func (computeRegistry *ComputeRegistry) TryPackSubmitResult(taskId [16]byte, resultHash [32]byte, nodeId [32]byte, signature []byte, proof []byte, input [4]*big.Int) ([]byte, error) {
	return computeRegistry.abi.Pack("submitResult", taskId, resultHash, nodeId, signature, proof, input)
}

// PackVerifierFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x78a5f464.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function verifierFor(bytes32 circuit, uint16 n, uint8 f) view returns(address, bytes32)
func (computeRegistry *ComputeRegistry) PackVerifierFor(circuit [32]byte, n uint16, f uint8) []byte {
	enc, err := computeRegistry.abi.Pack("verifierFor", circuit, n, f)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVerifierFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x78a5f464.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function verifierFor(bytes32 circuit, uint16 n, uint8 f) view returns(address, bytes32)
func (computeRegistry *ComputeRegistry) TryPackVerifierFor(circuit [32]byte, n uint16, f uint8) ([]byte, error) {
	return computeRegistry.abi.Pack("verifierFor", circuit, n, f)
}

// VerifierForOutput serves as a container for the return parameters of contract
// method VerifierFor.
type VerifierForOutput struct {
	Arg0 common.Address
	Arg1 [32]byte
}

// UnpackVerifierFor is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x78a5f464.
//
// Solidity: function verifierFor(bytes32 circuit, uint16 n, uint8 f) view returns(address, bytes32)
func (computeRegistry *ComputeRegistry) UnpackVerifierFor(data []byte) (VerifierForOutput, error) {
	out, err := computeRegistry.abi.Unpack("verifierFor", data)
	outstruct := new(VerifierForOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Arg0 = *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	outstruct.Arg1 = *abi.ConvertType(out[1], new([32]byte)).(*[32]byte)
	return *outstruct, nil
}

// ComputeRegistryResultAccepted represents a ResultAccepted event raised by the ComputeRegistry contract.
type ComputeRegistryResultAccepted struct {
	TaskId       [16]byte
	Worker       common.Address
	ResultHash   [32]byte
	OutputDigest *big.Int
	Proof        []byte
	Signature    []byte
	Raw          *types.Log // Blockchain specific contextual infos
}

const ComputeRegistryResultAcceptedEventName = "ResultAccepted"

// ContractEventName returns the user-defined event name.
func (ComputeRegistryResultAccepted) ContractEventName() string {
	return ComputeRegistryResultAcceptedEventName
}

// UnpackResultAcceptedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ResultAccepted(bytes16 indexed taskId, address indexed worker, bytes32 resultHash, uint256 outputDigest, bytes proof, bytes signature)
func (computeRegistry *ComputeRegistry) UnpackResultAcceptedEvent(log *types.Log) (*ComputeRegistryResultAccepted, error) {
	event := "ResultAccepted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != computeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ComputeRegistryResultAccepted)
	if len(log.Data) > 0 {
		if err := computeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range computeRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ComputeRegistryTaskPosted represents a TaskPosted event raised by the ComputeRegistry contract.
type ComputeRegistryTaskPosted struct {
	TaskId        [16]byte
	Poster        common.Address
	Worker        common.Address
	Spec          ComputeRegistryTaskSpec
	VkFingerprint [32]byte
	Verifier      common.Address
	Reward        *big.Int
	Raw           *types.Log // Blockchain specific contextual infos
}

const ComputeRegistryTaskPostedEventName = "TaskPosted"

// ContractEventName returns the user-defined event name.
func (ComputeRegistryTaskPosted) ContractEventName() string {
	return ComputeRegistryTaskPostedEventName
}

// UnpackTaskPostedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event TaskPosted(bytes16 indexed taskId, address indexed poster, address indexed worker, (bytes16,bytes32,bytes32,bytes32,uint16,uint8,uint64,address) spec, bytes32 vkFingerprint, address verifier, uint256 reward)
func (computeRegistry *ComputeRegistry) UnpackTaskPostedEvent(log *types.Log) (*ComputeRegistryTaskPosted, error) {
	event := "TaskPosted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != computeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ComputeRegistryTaskPosted)
	if len(log.Data) > 0 {
		if err := computeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range computeRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ComputeRegistryTaskRefunded represents a TaskRefunded event raised by the ComputeRegistry contract.
type ComputeRegistryTaskRefunded struct {
	TaskId [16]byte
	Poster common.Address
	Reward *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const ComputeRegistryTaskRefundedEventName = "TaskRefunded"

// ContractEventName returns the user-defined event name.
func (ComputeRegistryTaskRefunded) ContractEventName() string {
	return ComputeRegistryTaskRefundedEventName
}

// UnpackTaskRefundedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event TaskRefunded(bytes16 indexed taskId, address indexed poster, uint256 reward)
func (computeRegistry *ComputeRegistry) UnpackTaskRefundedEvent(log *types.Log) (*ComputeRegistryTaskRefunded, error) {
	event := "TaskRefunded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != computeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ComputeRegistryTaskRefunded)
	if len(log.Data) > 0 {
		if err := computeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range computeRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ComputeRegistryVerifierRevoked represents a VerifierRevoked event raised by the ComputeRegistry contract.
type ComputeRegistryVerifierRevoked struct {
	Verifier common.Address
	Raw      *types.Log // Blockchain specific contextual infos
}

const ComputeRegistryVerifierRevokedEventName = "VerifierRevoked"

// ContractEventName returns the user-defined event name.
func (ComputeRegistryVerifierRevoked) ContractEventName() string {
	return ComputeRegistryVerifierRevokedEventName
}

// UnpackVerifierRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event VerifierRevoked(address indexed verifier)
func (computeRegistry *ComputeRegistry) UnpackVerifierRevokedEvent(log *types.Log) (*ComputeRegistryVerifierRevoked, error) {
	event := "VerifierRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != computeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ComputeRegistryVerifierRevoked)
	if len(log.Data) > 0 {
		if err := computeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range computeRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ComputeRegistryVerifierSet represents a VerifierSet event raised by the ComputeRegistry contract.
type ComputeRegistryVerifierSet struct {
	Circuit       [32]byte
	N             uint16
	F             uint8
	Verifier      common.Address
	VkFingerprint [32]byte
	Raw           *types.Log // Blockchain specific contextual infos
}

const ComputeRegistryVerifierSetEventName = "VerifierSet"

// ContractEventName returns the user-defined event name.
func (ComputeRegistryVerifierSet) ContractEventName() string {
	return ComputeRegistryVerifierSetEventName
}

// UnpackVerifierSetEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event VerifierSet(bytes32 indexed circuit, uint16 n, uint8 f, address verifier, bytes32 vkFingerprint)
func (computeRegistry *ComputeRegistry) UnpackVerifierSetEvent(log *types.Log) (*ComputeRegistryVerifierSet, error) {
	event := "VerifierSet"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != computeRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ComputeRegistryVerifierSet)
	if len(log.Data) > 0 {
		if err := computeRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range computeRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (computeRegistry *ComputeRegistry) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["DeadlineInPast"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackDeadlineInPastError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["DeadlineNotPassed"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackDeadlineNotPassedError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["DeadlinePassed"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackDeadlinePassedError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["InputCommitmentMismatch"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackInputCommitmentMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["InputCommitmentNotCanonical"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackInputCommitmentNotCanonicalError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["InvalidShape"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackInvalidShapeError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["NoReward"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackNoRewardError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["NoVerifier"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackNoVerifierError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["NotAContract"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackNotAContractError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["NotOwner"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackNotOwnerError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["PayoutFailed"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackPayoutFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["PoEMismatch"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackPoEMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["ProofRejected"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackProofRejectedError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["PublicInputNotCanonical"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackPublicInputNotCanonicalError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["ResultHashMismatch"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackResultHashMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["RewardTooLarge"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackRewardTooLargeError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["TaskExists"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackTaskExistsError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["TaskSettled"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackTaskSettledError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["UnknownTask"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackUnknownTaskError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["VerifierNotRegistered"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackVerifierNotRegisteredError(raw[4:])
	}
	if bytes.Equal(raw[:4], computeRegistry.abi.Errors["WrongSender"].ID.Bytes()[:4]) {
		return computeRegistry.UnpackWrongSenderError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// ComputeRegistryDeadlineInPast represents a DeadlineInPast error raised by the ComputeRegistry contract.
type ComputeRegistryDeadlineInPast struct {
	Deadline  uint64
	Timestamp *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error DeadlineInPast(uint64 deadline, uint256 timestamp)
func ComputeRegistryDeadlineInPastErrorID() common.Hash {
	return common.HexToHash("0x42fdf9378830182b2836c0ae38ca50de9c42f1bafb3b648060d05e2c5777bea9")
}

// UnpackDeadlineInPastError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error DeadlineInPast(uint64 deadline, uint256 timestamp)
func (computeRegistry *ComputeRegistry) UnpackDeadlineInPastError(raw []byte) (*ComputeRegistryDeadlineInPast, error) {
	out := new(ComputeRegistryDeadlineInPast)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "DeadlineInPast", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryDeadlineNotPassed represents a DeadlineNotPassed error raised by the ComputeRegistry contract.
type ComputeRegistryDeadlineNotPassed struct {
	Deadline  uint64
	Timestamp *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error DeadlineNotPassed(uint64 deadline, uint256 timestamp)
func ComputeRegistryDeadlineNotPassedErrorID() common.Hash {
	return common.HexToHash("0x43c5d47b64ec1889ef0f6fb26b9833bcc4164421bb52f7827e17a6dd9a51a0f4")
}

// UnpackDeadlineNotPassedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error DeadlineNotPassed(uint64 deadline, uint256 timestamp)
func (computeRegistry *ComputeRegistry) UnpackDeadlineNotPassedError(raw []byte) (*ComputeRegistryDeadlineNotPassed, error) {
	out := new(ComputeRegistryDeadlineNotPassed)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "DeadlineNotPassed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryDeadlinePassed represents a DeadlinePassed error raised by the ComputeRegistry contract.
type ComputeRegistryDeadlinePassed struct {
	Deadline  uint64
	Timestamp *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error DeadlinePassed(uint64 deadline, uint256 timestamp)
func ComputeRegistryDeadlinePassedErrorID() common.Hash {
	return common.HexToHash("0x3dee80f26b09083e6b22a1f70917a891078741122fa0a3e7bd5b67f2cd39cdd1")
}

// UnpackDeadlinePassedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error DeadlinePassed(uint64 deadline, uint256 timestamp)
func (computeRegistry *ComputeRegistry) UnpackDeadlinePassedError(raw []byte) (*ComputeRegistryDeadlinePassed, error) {
	out := new(ComputeRegistryDeadlinePassed)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "DeadlinePassed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryInputCommitmentMismatch represents a InputCommitmentMismatch error raised by the ComputeRegistry contract.
type ComputeRegistryInputCommitmentMismatch struct {
	Task  [32]byte
	Proof *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InputCommitmentMismatch(bytes32 task, uint256 proof)
func ComputeRegistryInputCommitmentMismatchErrorID() common.Hash {
	return common.HexToHash("0xc55380ca464ee56594be8708e1e4156a00220532e8a5c8725c8741d62f76b167")
}

// UnpackInputCommitmentMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InputCommitmentMismatch(bytes32 task, uint256 proof)
func (computeRegistry *ComputeRegistry) UnpackInputCommitmentMismatchError(raw []byte) (*ComputeRegistryInputCommitmentMismatch, error) {
	out := new(ComputeRegistryInputCommitmentMismatch)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "InputCommitmentMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryInputCommitmentNotCanonical represents a InputCommitmentNotCanonical error raised by the ComputeRegistry contract.
type ComputeRegistryInputCommitmentNotCanonical struct {
	InputCommitment [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InputCommitmentNotCanonical(bytes32 inputCommitment)
func ComputeRegistryInputCommitmentNotCanonicalErrorID() common.Hash {
	return common.HexToHash("0xede55f138e7773d8c3131cb5e46f52427bdc35d88293ad95828fd68e9bd8ad5f")
}

// UnpackInputCommitmentNotCanonicalError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InputCommitmentNotCanonical(bytes32 inputCommitment)
func (computeRegistry *ComputeRegistry) UnpackInputCommitmentNotCanonicalError(raw []byte) (*ComputeRegistryInputCommitmentNotCanonical, error) {
	out := new(ComputeRegistryInputCommitmentNotCanonical)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "InputCommitmentNotCanonical", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryInvalidShape represents a InvalidShape error raised by the ComputeRegistry contract.
type ComputeRegistryInvalidShape struct {
	N uint16
	F uint8
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidShape(uint16 n, uint8 f)
func ComputeRegistryInvalidShapeErrorID() common.Hash {
	return common.HexToHash("0x659112282dd64d4718ab49db3bf08a3c34ff7d56740f926a54fc23fc160db034")
}

// UnpackInvalidShapeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidShape(uint16 n, uint8 f)
func (computeRegistry *ComputeRegistry) UnpackInvalidShapeError(raw []byte) (*ComputeRegistryInvalidShape, error) {
	out := new(ComputeRegistryInvalidShape)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "InvalidShape", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryNoReward represents a NoReward error raised by the ComputeRegistry contract.
type ComputeRegistryNoReward struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NoReward()
func ComputeRegistryNoRewardErrorID() common.Hash {
	return common.HexToHash("0x6e9926867647f014fe6f058476a85675fcd0acfbd948b9dfc30f512962889215")
}

// UnpackNoRewardError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NoReward()
func (computeRegistry *ComputeRegistry) UnpackNoRewardError(raw []byte) (*ComputeRegistryNoReward, error) {
	out := new(ComputeRegistryNoReward)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "NoReward", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryNoVerifier represents a NoVerifier error raised by the ComputeRegistry contract.
type ComputeRegistryNoVerifier struct {
	Circuit [32]byte
	N       uint16
	F       uint8
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NoVerifier(bytes32 circuit, uint16 n, uint8 f)
func ComputeRegistryNoVerifierErrorID() common.Hash {
	return common.HexToHash("0xbdc94239e006ed1a77ba921a21bc91ab67085a087907e81f42f6f0f24cce2e15")
}

// UnpackNoVerifierError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NoVerifier(bytes32 circuit, uint16 n, uint8 f)
func (computeRegistry *ComputeRegistry) UnpackNoVerifierError(raw []byte) (*ComputeRegistryNoVerifier, error) {
	out := new(ComputeRegistryNoVerifier)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "NoVerifier", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryNotAContract represents a NotAContract error raised by the ComputeRegistry contract.
type ComputeRegistryNotAContract struct {
	Verifier common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotAContract(address verifier)
func ComputeRegistryNotAContractErrorID() common.Hash {
	return common.HexToHash("0x8a8b41ec6b8382733436ac0321a506b0d1e41dc29c8650d1fd1ff17e726ab809")
}

// UnpackNotAContractError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotAContract(address verifier)
func (computeRegistry *ComputeRegistry) UnpackNotAContractError(raw []byte) (*ComputeRegistryNotAContract, error) {
	out := new(ComputeRegistryNotAContract)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "NotAContract", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryNotOwner represents a NotOwner error raised by the ComputeRegistry contract.
type ComputeRegistryNotOwner struct {
	Sender common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotOwner(address sender)
func ComputeRegistryNotOwnerErrorID() common.Hash {
	return common.HexToHash("0x245aecd3fabbd17d6c3c92dc7f0ab916ea8cbf6fc1862c8b56893090ac3fff4c")
}

// UnpackNotOwnerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotOwner(address sender)
func (computeRegistry *ComputeRegistry) UnpackNotOwnerError(raw []byte) (*ComputeRegistryNotOwner, error) {
	out := new(ComputeRegistryNotOwner)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "NotOwner", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryPayoutFailed represents a PayoutFailed error raised by the ComputeRegistry contract.
type ComputeRegistryPayoutFailed struct {
	To     common.Address
	Reason []byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error PayoutFailed(address to, bytes reason)
func ComputeRegistryPayoutFailedErrorID() common.Hash {
	return common.HexToHash("0x9a7221997fd02b2b92272175a101e2b0b08d0d394c5250c8435f8c6eeb8a4d61")
}

// UnpackPayoutFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error PayoutFailed(address to, bytes reason)
func (computeRegistry *ComputeRegistry) UnpackPayoutFailedError(raw []byte) (*ComputeRegistryPayoutFailed, error) {
	out := new(ComputeRegistryPayoutFailed)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "PayoutFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryPoEMismatch represents a PoEMismatch error raised by the ComputeRegistry contract.
type ComputeRegistryPoEMismatch struct {
	Expected   [32]byte
	ResultHash [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error PoEMismatch(bytes32 expected, bytes32 resultHash)
func ComputeRegistryPoEMismatchErrorID() common.Hash {
	return common.HexToHash("0xb0f21865dd57bc3b4b8a147fa4a65f419ff89bfcbc637730297aefc7d1c10944")
}

// UnpackPoEMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error PoEMismatch(bytes32 expected, bytes32 resultHash)
func (computeRegistry *ComputeRegistry) UnpackPoEMismatchError(raw []byte) (*ComputeRegistryPoEMismatch, error) {
	out := new(ComputeRegistryPoEMismatch)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "PoEMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryProofRejected represents a ProofRejected error raised by the ComputeRegistry contract.
type ComputeRegistryProofRejected struct {
	Reason []byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ProofRejected(bytes reason)
func ComputeRegistryProofRejectedErrorID() common.Hash {
	return common.HexToHash("0xce911c76ff208b978ba31d48c0e607b3f351e1dfd12554d90037b63c9b1b0e6c")
}

// UnpackProofRejectedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ProofRejected(bytes reason)
func (computeRegistry *ComputeRegistry) UnpackProofRejectedError(raw []byte) (*ComputeRegistryProofRejected, error) {
	out := new(ComputeRegistryProofRejected)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "ProofRejected", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryPublicInputNotCanonical represents a PublicInputNotCanonical error raised by the ComputeRegistry contract.
type ComputeRegistryPublicInputNotCanonical struct {
	Index *big.Int
	Value *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error PublicInputNotCanonical(uint256 index, uint256 value)
func ComputeRegistryPublicInputNotCanonicalErrorID() common.Hash {
	return common.HexToHash("0xe3a6dbac60b3ed9eb160ff30ba899fb76990a315ede81132ea68a6819fed8e09")
}

// UnpackPublicInputNotCanonicalError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error PublicInputNotCanonical(uint256 index, uint256 value)
func (computeRegistry *ComputeRegistry) UnpackPublicInputNotCanonicalError(raw []byte) (*ComputeRegistryPublicInputNotCanonical, error) {
	out := new(ComputeRegistryPublicInputNotCanonical)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "PublicInputNotCanonical", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryResultHashMismatch represents a ResultHashMismatch error raised by the ComputeRegistry contract.
type ComputeRegistryResultHashMismatch struct {
	ResultHash [32]byte
	PoeHi      *big.Int
	PoeLo      *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ResultHashMismatch(bytes32 resultHash, uint256 poeHi, uint256 poeLo)
func ComputeRegistryResultHashMismatchErrorID() common.Hash {
	return common.HexToHash("0xcd10cb4b8bf04ffd56f07c1dd1f81082deef283c60b51440a18aea34416541dd")
}

// UnpackResultHashMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ResultHashMismatch(bytes32 resultHash, uint256 poeHi, uint256 poeLo)
func (computeRegistry *ComputeRegistry) UnpackResultHashMismatchError(raw []byte) (*ComputeRegistryResultHashMismatch, error) {
	out := new(ComputeRegistryResultHashMismatch)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "ResultHashMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryRewardTooLarge represents a RewardTooLarge error raised by the ComputeRegistry contract.
type ComputeRegistryRewardTooLarge struct {
	Reward *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error RewardTooLarge(uint256 reward)
func ComputeRegistryRewardTooLargeErrorID() common.Hash {
	return common.HexToHash("0x958a1c3cd3049e6294e87bb84db386d0b730f7c410201ae0272978fcef0eda70")
}

// UnpackRewardTooLargeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error RewardTooLarge(uint256 reward)
func (computeRegistry *ComputeRegistry) UnpackRewardTooLargeError(raw []byte) (*ComputeRegistryRewardTooLarge, error) {
	out := new(ComputeRegistryRewardTooLarge)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "RewardTooLarge", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryTaskExists represents a TaskExists error raised by the ComputeRegistry contract.
type ComputeRegistryTaskExists struct {
	TaskId [16]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TaskExists(bytes16 taskId)
func ComputeRegistryTaskExistsErrorID() common.Hash {
	return common.HexToHash("0x4e7ac8949167183163abb1781f360ceac91bee96dcc238965d54b98dbb11172c")
}

// UnpackTaskExistsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TaskExists(bytes16 taskId)
func (computeRegistry *ComputeRegistry) UnpackTaskExistsError(raw []byte) (*ComputeRegistryTaskExists, error) {
	out := new(ComputeRegistryTaskExists)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "TaskExists", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryTaskSettled represents a TaskSettled error raised by the ComputeRegistry contract.
type ComputeRegistryTaskSettled struct {
	TaskId [16]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TaskSettled(bytes16 taskId)
func ComputeRegistryTaskSettledErrorID() common.Hash {
	return common.HexToHash("0xce1547ab5d0a8c763f7bf51a951c6b0d9d43ca5556943c88e000f82e09ba9c6e")
}

// UnpackTaskSettledError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TaskSettled(bytes16 taskId)
func (computeRegistry *ComputeRegistry) UnpackTaskSettledError(raw []byte) (*ComputeRegistryTaskSettled, error) {
	out := new(ComputeRegistryTaskSettled)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "TaskSettled", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryUnknownTask represents a UnknownTask error raised by the ComputeRegistry contract.
type ComputeRegistryUnknownTask struct {
	TaskId [16]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error UnknownTask(bytes16 taskId)
func ComputeRegistryUnknownTaskErrorID() common.Hash {
	return common.HexToHash("0x4badb8cf6e5f67ac081faaec4b97fc45408382b0db743ec4f6388c33a47e6fc6")
}

// UnpackUnknownTaskError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error UnknownTask(bytes16 taskId)
func (computeRegistry *ComputeRegistry) UnpackUnknownTaskError(raw []byte) (*ComputeRegistryUnknownTask, error) {
	out := new(ComputeRegistryUnknownTask)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "UnknownTask", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryVerifierNotRegistered represents a VerifierNotRegistered error raised by the ComputeRegistry contract.
type ComputeRegistryVerifierNotRegistered struct {
	Verifier common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error VerifierNotRegistered(address verifier)
func ComputeRegistryVerifierNotRegisteredErrorID() common.Hash {
	return common.HexToHash("0xb585314520e9c3253a174b9521b0c5c48b8cd50ed30492319b22ceaa5a886892")
}

// UnpackVerifierNotRegisteredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error VerifierNotRegistered(address verifier)
func (computeRegistry *ComputeRegistry) UnpackVerifierNotRegisteredError(raw []byte) (*ComputeRegistryVerifierNotRegistered, error) {
	out := new(ComputeRegistryVerifierNotRegistered)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "VerifierNotRegistered", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ComputeRegistryWrongSender represents a WrongSender error raised by the ComputeRegistry contract.
type ComputeRegistryWrongSender struct {
	Worker common.Address
	Sender common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error WrongSender(address worker, address sender)
func ComputeRegistryWrongSenderErrorID() common.Hash {
	return common.HexToHash("0x08cca56b1d8b7ce1d33dabb74d262b06707bd8cad2858d778763fe0403c1df36")
}

// UnpackWrongSenderError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error WrongSender(address worker, address sender)
func (computeRegistry *ComputeRegistry) UnpackWrongSenderError(raw []byte) (*ComputeRegistryWrongSender, error) {
	out := new(ComputeRegistryWrongSender)
	if err := computeRegistry.abi.UnpackIntoInterface(out, "WrongSender", raw); err != nil {
		return nil, err
	}
	return out, nil
}
