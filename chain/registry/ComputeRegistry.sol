// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// The entry point of gnark's exported Groth16 verifier for zkpoc's circuit
/// (chain.ExportSolidity): it returns nothing when the proof verifies for the
/// four public inputs (input_commitment; output_digest; PoE hi, lo) and
/// reverts otherwise.
interface IComputeVerifier {
    function verifyProof(bytes calldata proof, uint256[4] calldata input) external view;
}

/// ComputeRegistry holds compute tasks with escrowed rewards and pays the
/// task's worker for a SUBMIT_RESULT (seed 002) whose Groth16 proof verifies
/// under the verifier the owner registered for the task's circuit shape and
/// whose public inputs are bound to the task. Each accepted result is logged
/// as a ResultAccepted event; a block's compute_root is computed off chain from
/// those events, in log order, exactly as chain.ComputeRoot and `zkpoc root`
/// compute it (README: "ComputeRegistry").
contract ComputeRegistry {
    /// The BN254 scalar field modulus: every public input must be below it.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant LOW128 = (1 << 128) - 1;
    uint16 internal constant MAX_N = 4096;
    uint8 internal constant MAX_F = 16;

    /// None: never posted; Open: escrowed, unpaid; Settled: paid to its
    /// worker (ResultAccepted) or refunded to its poster (TaskRefunded).
    enum State {
        None,
        Open,
        Settled
    }

    /// The escrow of an open task, one storage slot, zeroed when the task is
    /// settled (which makes settling cheaper: a storage refund).
    struct Escrow {
        address verifier; // the verifier registered for the shape when the task was posted
        uint96 reward; // wei, escrowed by postTask; > 0 while open
    }

    /// A task, in six storage slots. requestId, inputCommitment, the shape
    /// and the deadline are the poster's word for the task's canonical JSON
    /// (request_id = SHA-256 of it); a worker checks them off chain before
    /// working (registry.CheckTask, `zkpoc chain status --task`).
    struct Task {
        bytes32 requestId; // SHA-256(canonical JSON of the ComputeTask)
        bytes32 inputCommitment; // payload.input_commitment, < R
        address worker; // the only sender paid; 0: open (see submitResult)
        uint64 deadline; // unix seconds: submit while block.timestamp <= deadline, refund after
        uint16 n;
        uint8 f;
        Escrow escrow;
        address poster; // refunded after the deadline
        bytes32 circuit; // circuit id, ASCII, left-aligned, zero-padded (e.g. "freivalds-v5")
    }

    /// What a poster states about a task (postTask).
    struct TaskSpec {
        bytes16 taskId; // the ComputeTask's task_id, a UUID, as its 16 bytes
        bytes32 requestId;
        bytes32 inputCommitment;
        bytes32 circuit;
        uint16 n;
        uint8 f;
        uint64 deadline;
        address worker;
    }

    struct VerifierEntry {
        address verifier;
        bytes32 vkFingerprint; // SHA-256 of gnark's compressed verifying key (the receipt's key_fingerprint)
    }

    address public immutable owner;
    mapping(bytes16 => Task) internal tasks;
    mapping(bytes32 => VerifierEntry) internal verifiers; // by shapeKey(circuit, n, f)
    mapping(address => bool) public activeVerifier;

    event VerifierSet(bytes32 indexed circuit, uint16 n, uint8 f, address verifier, bytes32 vkFingerprint);
    event VerifierRevoked(address indexed verifier);
    /// Everything the ComputeResults of the task's results need besides
    /// ResultAccepted: the shape and key fingerprint of its zk_compute_proof,
    /// and public input 0 (the input commitment).
    event TaskPosted(
        bytes16 indexed taskId,
        address indexed poster,
        address indexed worker,
        TaskSpec spec,
        bytes32 vkFingerprint,
        address verifier,
        uint256 reward
    );
    /// The accepted ComputeResult: task_id, worker_address (the sender),
    /// result_hash (the PoE), the proof (the verifier's uncompressed layout)
    /// and public input 1 (output_digest) from which, with TaskPosted, its
    /// zk_compute_proof is rebuilt, and the worker's signature bytes (empty:
    /// JSON null).
    event ResultAccepted(
        bytes16 indexed taskId,
        address indexed worker,
        bytes32 resultHash,
        uint256 outputDigest,
        bytes proof,
        bytes signature
    );
    event TaskRefunded(bytes16 indexed taskId, address indexed poster, uint256 reward);

    error NotOwner(address sender);
    error InvalidShape(uint16 n, uint8 f);
    error NotAContract(address verifier);
    error NoVerifier(bytes32 circuit, uint16 n, uint8 f);
    error TaskExists(bytes16 taskId);
    error NoReward();
    error RewardTooLarge(uint256 reward);
    error DeadlineInPast(uint64 deadline, uint256 timestamp);
    error InputCommitmentNotCanonical(bytes32 inputCommitment);
    error UnknownTask(bytes16 taskId);
    error TaskSettled(bytes16 taskId);
    error DeadlinePassed(uint64 deadline, uint256 timestamp);
    error DeadlineNotPassed(uint64 deadline, uint256 timestamp);
    error WrongSender(address worker, address sender);
    error VerifierNotRegistered(address verifier);
    error PublicInputNotCanonical(uint256 index, uint256 value);
    error InputCommitmentMismatch(bytes32 task, uint256 proof);
    error ResultHashMismatch(bytes32 resultHash, uint256 poeHi, uint256 poeLo);
    error PoEMismatch(bytes32 expected, bytes32 resultHash);
    error ProofRejected(bytes reason);
    error PayoutFailed(address to, bytes reason);

    constructor() {
        owner = msg.sender;
    }

    function shapeKey(bytes32 circuit, uint16 n, uint8 f) public pure returns (bytes32) {
        return keccak256(abi.encode(circuit, n, f));
    }

    /// setVerifier registers the verifier contract for tasks of shape
    /// (circuit, n, f) posted from now on, with the fingerprint of the key it
    /// embeds (which the contract cannot check: the owner vouches for it,
    /// e.g. for a key from a ceremony). Tasks posted before keep theirs.
    function setVerifier(bytes32 circuit, uint16 n, uint8 f, address verifier, bytes32 vkFingerprint) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (n == 0 || n > MAX_N || f > MAX_F) revert InvalidShape(n, f);
        // An address without code would "accept" every proof were it called
        // with a low-level call; Solidity's checked call would revert, but
        // refuse it here, where the mistake is made.
        if (verifier.code.length == 0) revert NotAContract(verifier);
        verifiers[shapeKey(circuit, n, f)] = VerifierEntry(verifier, vkFingerprint);
        activeVerifier[verifier] = true;
        emit VerifierSet(circuit, n, f, verifier, vkFingerprint);
    }

    /// revokeVerifier stops a verifier (a broken key): no task is posted
    /// with it and no open task that names it is paid; their posters are
    /// refunded after the deadline.
    function revokeVerifier(address verifier) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        activeVerifier[verifier] = false;
        emit VerifierRevoked(verifier);
    }

    function verifierFor(bytes32 circuit, uint16 n, uint8 f) external view returns (address, bytes32) {
        VerifierEntry storage e = verifiers[shapeKey(circuit, n, f)];
        return (e.verifier, e.vkFingerprint);
    }

    /// postTask escrows msg.value as the reward of task s.taskId. s.worker
    /// 0 makes it open (any sender).
    function postTask(TaskSpec calldata s) external payable {
        Task storage t = tasks[s.taskId];
        if (t.poster != address(0)) revert TaskExists(s.taskId);
        if (msg.value == 0) revert NoReward();
        if (msg.value > type(uint96).max) revert RewardTooLarge(msg.value);
        if (s.deadline <= block.timestamp) revert DeadlineInPast(s.deadline, block.timestamp);
        if (uint256(s.inputCommitment) >= R) revert InputCommitmentNotCanonical(s.inputCommitment);
        VerifierEntry memory v = verifiers[shapeKey(s.circuit, s.n, s.f)];
        if (v.verifier == address(0) || !activeVerifier[v.verifier]) revert NoVerifier(s.circuit, s.n, s.f);
        t.requestId = s.requestId;
        t.inputCommitment = s.inputCommitment;
        t.worker = s.worker;
        t.deadline = s.deadline;
        t.n = s.n;
        t.f = s.f;
        t.escrow = Escrow(v.verifier, uint96(msg.value));
        t.poster = msg.sender;
        t.circuit = s.circuit;
        emit TaskPosted(s.taskId, msg.sender, s.worker, s, v.vkFingerprint, v.verifier, msg.value);
    }

    /// submitResult is SUBMIT_RESULT: the ComputeResult of task taskId —
    /// worker_address is msg.sender, result_hash is resultHash, signature the
    /// worker's signature bytes (carried, not checked: it is checkable only
    /// with the receipt) — plus the proof (gnark's MarshalSolidity layout),
    /// its four public inputs, and the node_id the PoE names (the SHA-256 of
    /// the node's Ed25519 key). It pays the task's reward to msg.sender.
    ///
    /// Soundness. What each check stops:
    ///   - the task is open (its escrow is not zero): a second submit for a
    ///     settled task (TaskSettled), a task that was never posted
    ///     (UnknownTask);
    ///   - block.timestamp <= deadline: a late result; the poster refunds
    ///     after the deadline, never both (DeadlinePassed);
    ///   - msg.sender == worker: another sender taking the named worker's
    ///     reward with a copy of its proof (WrongSender); an open task
    ///     (worker 0) pays whoever submits a valid proof first, so a copied
    ///     pending transaction can take the reward (the result is still the
    ///     right one): name the worker;
    ///   - the task's verifier is still active: a key the owner revoked
    ///     (VerifierNotRegistered);
    ///   - every public input < R: a non-canonical encoding x + R standing
    ///     for x in the comparisons below (the verifier refuses it too, with
    ///     PublicInputNotInField; this check does not rely on that)
    ///     (PublicInputNotCanonical);
    ///   - input[0] == the task's input commitment: a proof about other
    ///     matrices (InputCommitmentMismatch);
    ///   - resultHash == input[2] ‖ input[3] (128-bit halves): a
    ///     ComputeResult whose result_hash is not the PoE the proof binds
    ///     (ResultHashMismatch);
    ///   - resultHash == SHA-256(request_id ‖ input[1] ‖ nodeId): a proof for
    ///     another request (another task's, replayed) (PoEMismatch);
    ///   - the registered verifier accepts the proof for exactly these
    ///     inputs: a false claim about the product, or a proof made under any
    ///     other key (ProofRejected).
    /// Effects (the escrow zeroed, the event) come before the payout, the
    /// only external call with value: a reentrant receiver finds the task
    /// settled.
    ///
    /// What it trusts: the verifier contract the owner registered for the
    /// shape, i.e. the verifying key it embeds and the setup behind it (a
    /// single-party dev setup lets whoever ran it forge proofs; a
    /// multi-party ceremony lifts that to "one participant was honest"); the
    /// poster's requestId and inputCommitment, which the worker checks against
    /// the task's JSON before working; and the circuit that key is for
    /// (C' = floor(A·B / 2^f) for the matrices behind input[0], input[1] its
    /// digest, PoE = SHA-256(request_id ‖ input[1] ‖ node_id)). It does not
    /// check that nodeId belongs to msg.sender (the EVM has no Ed25519): the
    /// worker address is what is paid, the node is whoever proved.
    function submitResult(
        bytes16 taskId,
        bytes32 resultHash,
        bytes32 nodeId,
        bytes calldata signature,
        bytes calldata proof,
        uint256[4] calldata input
    ) external {
        Task storage t = tasks[taskId];
        Escrow memory escrow = _checkSubmit(t, taskId, resultHash, nodeId, input);
        try IComputeVerifier(escrow.verifier).verifyProof(proof, input) {} catch (bytes memory reason) {
            revert ProofRejected(reason);
        }

        // Effects, then the one interaction.
        delete t.escrow;
        emit ResultAccepted(taskId, msg.sender, resultHash, input[1], proof, signature);
        _pay(msg.sender, escrow.reward);
    }

    /// _checkSubmit is every check of submitResult but the proof's; it
    /// returns the task's escrow (the verifier to check the proof with, the
    /// reward).
    function _checkSubmit(
        Task storage t,
        bytes16 taskId,
        bytes32 resultHash,
        bytes32 nodeId,
        uint256[4] calldata input
    ) internal view returns (Escrow memory escrow) {
        escrow = _open(t, taskId);
        if (block.timestamp > t.deadline) revert DeadlinePassed(t.deadline, block.timestamp);
        address worker = t.worker;
        if (worker != address(0) && msg.sender != worker) revert WrongSender(worker, msg.sender);
        if (!activeVerifier[escrow.verifier]) revert VerifierNotRegistered(escrow.verifier);
        for (uint256 i = 0; i < 4; i++) {
            if (input[i] >= R) revert PublicInputNotCanonical(i, input[i]);
        }
        if (input[0] != uint256(t.inputCommitment)) revert InputCommitmentMismatch(t.inputCommitment, input[0]);
        if (input[2] != uint256(resultHash) >> 128 || input[3] != uint256(resultHash) & LOW128) {
            revert ResultHashMismatch(resultHash, input[2], input[3]);
        }
        bytes32 poe = sha256(abi.encodePacked(t.requestId, input[1], nodeId));
        if (poe != resultHash) revert PoEMismatch(poe, resultHash);
    }

    /// _open returns an open task's escrow, and reverts for any other.
    function _open(Task storage t, bytes16 taskId) internal view returns (Escrow memory escrow) {
        escrow = t.escrow;
        if (escrow.reward == 0) {
            if (t.poster == address(0)) revert UnknownTask(taskId);
            revert TaskSettled(taskId);
        }
    }

    /// refund returns an unpaid task's reward to its poster once the deadline
    /// has passed (anyone may call it; the poster is paid).
    function refund(bytes16 taskId) external {
        Task storage t = tasks[taskId];
        Escrow memory escrow = _open(t, taskId);
        if (block.timestamp <= t.deadline) revert DeadlineNotPassed(t.deadline, block.timestamp);
        delete t.escrow;
        address poster = t.poster;
        emit TaskRefunded(taskId, poster, escrow.reward);
        _pay(poster, escrow.reward);
    }

    function _pay(address to, uint256 amount) internal {
        (bool ok, bytes memory reason) = payable(to).call{value: amount}("");
        if (!ok) revert PayoutFailed(to, reason);
    }

    /// getTask returns a task as stored and its state (None: never posted;
    /// a settled task's escrow is zero).
    function getTask(bytes16 taskId) external view returns (Task memory task, State state) {
        task = tasks[taskId];
        if (task.escrow.reward != 0) state = State.Open;
        else if (task.poster != address(0)) state = State.Settled;
    }
}
