// Package network is the wire protocol of the zkpoc network (seed 002's
// Stage 5, seed 003's sampled re-dispatch) on NATS JetStream: the subjects,
// streams, key-value buckets and messages that the task market, the
// coordinator (the PoC validator) and the workers exchange. It holds no
// proving or verifying code and no server: the coordinator, worker and
// market packages below it do the work, and nats-server (embedded in
// network/embedded, or external) carries it.
//
// # Flow
//
//	market   POST /v1/tasks ──request zkpoc.intake──▶ coordinator
//	coordinator: allocates task_id and request_id (the task is fixed at
//	   intake), writes the TaskRecord (bucket zkpoc_tasks), picks a live
//	   worker and publishes a Job on stream ZKPOC_JOBS, subject
//	   zkpoc.jobs.node.<node_id>
//	worker   registers (request zkpoc.register.<node_id>, signed; the
//	   coordinator creates its consumer "node-<node_id>"), sends heartbeats,
//	   pulls its own jobs (no worker can pull or ack another's), proves in
//	   auto mode with in-progress acks, and publishes a
//	   Result on zkpoc.results.<node_id> (stream ZKPOC_RESULTS) before it
//	   acks the job. A sampled run commits first: request
//	   zkpoc.commit.<node_id> with the row root; the coordinator records it
//	   and answers with a challenge drawn after it (crypto/rand).
//	coordinator: verifies every Result, re-dispatches a fraction (and by
//	   policy every sampled or binding receipt) to a second worker it picks,
//	   compares, settles a disagreement by its own recomputation (n up to
//	   its recompute budget) or by a third worker and a 2-of-3 majority of
//	   verified receipts, records strikes
//	   (bucket zkpoc_nodes), credits rewards once per request (bucket
//	   zkpoc_ledger), and appends blocks of SUBMIT_RESULT transactions with
//	   their compute_root to stream ZKPOC_BLOCKS.
//
// A synthetic task is fixed at intake, before any worker is chosen (seed
// 003: request_id is allocated at intake), so its seed is
// SHA-256(latest block hash ‖ the coordinator's address ‖ "/" ‖ task_id):
// every worker that executes the request, first or re-dispatched, computes
// the same product, results are idempotent per request_id, and two tasks
// are two products even between two blocks.
//
// Every message is JSON. Every identifier that names a subject token (a
// node id, a request id) is 64 lowercase hex digits, so no token can carry
// a wildcard or a dot.
package network
