// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// ReentrantWorker is a task's worker whose payout receiver calls the
/// registry again (TestReentrantPayout): attack sends `outer` (a
/// submitResult) from this contract; receive() sends `again` (the same
/// submitResult, or a refund) while the payout is in flight, records what
/// happened, and with bubble set reverts with the inner call's revert data.
contract ReentrantWorker {
    address public registry;
    bytes public again;
    bool public bubble;
    uint256 public calls;
    bool public innerOk;
    bytes public innerRevert;
    uint256 public received;

    function attack(address reg, bytes calldata outer, bytes calldata reentry, bool bubbleUp) external {
        registry = reg;
        again = reentry;
        bubble = bubbleUp;
        (bool ok, bytes memory ret) = reg.call(outer);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    receive() external payable {
        received += msg.value;
        calls++;
        (bool ok, bytes memory ret) = registry.call(again);
        innerOk = ok;
        innerRevert = ret;
        if (bubble) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
