package conns

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
)

// Batcher merges the requests to one cluster that arrive while earlier ones are in flight
// into one etcd transaction: etcd serves it with one gRPC call, and for reads one
// linearizable-read round (ReadIndex), for writes one raft entry, instead of one of each per
// request. The requests of many concurrent users so cost etcd and the proxy far less than
// the same requests sent one by one.
//
// A request is sent at once, on its own, while fewer than maxFlights calls are in flight;
// otherwise it waits in the queue, and each call that lands sends what is queued as the next
// call. Nothing waits on a timer, so a lone client never waits for company.
//
// Every request in a transaction arrived before the transaction was sent, and etcd applies
// the transaction at one point after that, so each is as linearizable as if sent alone: the
// requests of one transaction were concurrent, and any order among them is a valid one.
// Serializable reads go only with serializable reads, so that they are still answered by a
// member that has lost its leader. Writes merged into one transaction share its revision; no key
// is written twice in one.
type Batcher struct {
	// timeout bounds one call (the cluster's request timeout).
	timeout    time.Duration
	maxFlights int
	// maxBytes bounds the keys and values of one transaction (etcd's --max-request-bytes
	// less room for the rest of the request); 0 for reads, whose requests are small.
	maxBytes int
	// writes marks a batcher of puts: a batch never holds two puts to one key, and after a
	// failed transaction the puts are sent again one by one only when etcd refused it before
	// applying anything.
	writes bool

	mu sync.Mutex
	// maxOps is lowered when etcd refuses a transaction as having too many operations.
	maxOps  int
	flights int
	// queue holds requests waiting for a call; it is empty whenever fewer than maxFlights
	// calls are in flight.
	queue []*batchedOp
}

// batchedOp is one request in an Batcher; done is closed once resp or err is set.
type batchedOp struct {
	// ctx is the request's: once it ends, the request is dropped instead of sent, so that a
	// put whose caller was told it timed out is not applied long after.
	ctx  context.Context
	cli  *clientv3.Client
	op   clientv3.Op
	size int
	done chan struct{}
	resp OpResult
	err  error
}

// OpResult is the answer to a batched request: Get for a read, Put for a write.
type OpResult struct {
	Get *clientv3.GetResponse
	Put *clientv3.PutResponse
}

// opFraming is counted, besides its key and value, for each request in a transaction: the
// protobuf framing of a RequestOp with a PutRequest and its options, with room to spare.
const opFraming = 32

// defaultMaxTxnOps is etcd's default --max-txn-ops: the most requests merged into one
// transaction.
const defaultMaxTxnOps = 128

// batchFlights is how many calls a batcher keeps in flight to one cluster: two keep etcd busy
// while the next batch gathers (one, four and two measured alike in scripts/bench-opsproxy.sh).
const batchFlights = 2

// newReadBatcher merges single-key reads.
func newReadBatcher(timeout time.Duration) *Batcher {
	return &Batcher{timeout: timeout, maxFlights: batchFlights, maxOps: defaultMaxTxnOps}
}

// newWriteBatcher merges puts whose keys and values add up to at most maxBytes.
func newWriteBatcher(timeout time.Duration, maxBytes int) *Batcher {
	return &Batcher{timeout: timeout, maxFlights: batchFlights, maxOps: defaultMaxTxnOps, maxBytes: maxBytes, writes: true}
}

// do sends op (a single-key get, or a put, as the batcher is made for) through cli, alone or
// merged with other requests. It returns when op is answered or ctx ends; a write whose ctx
// ends may still be applied, as with any etcd request.
func (b *Batcher) Do(ctx context.Context, cli *clientv3.Client, op clientv3.Op) (OpResult, error) {
	b.mu.Lock()
	if b.flights < b.maxFlights {
		b.flights++
		b.mu.Unlock()
		resp, err := sendOne(ctx, cli, op)
		b.landed()
		return resp, err
	}
	r := &batchedOp{ctx: ctx, cli: cli, op: op, size: len(op.KeyBytes()) + len(op.ValueBytes()) + opFraming, done: make(chan struct{})}
	b.queue = append(b.queue, r)
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.resp, r.err
	case <-ctx.Done():
		// The request stays in its batch; its answer is dropped.
		return OpResult{}, ctx.Err()
	}
}

// landed ends a call: it sends the queued requests as the next call, or frees the flight.
func (b *Batcher) landed() {
	b.mu.Lock()
	batch := b.takeLocked()
	if len(batch) == 0 {
		b.flights--
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	go b.fly(batch)
}

// takeLocked removes the next batch from the queue, in arrival order: requests made through
// the same client as the first one (the client changes only when the cluster's connection was
// made again) and, for reads, of the same consistency; at most maxOps of them and maxBytes of
// keys and values, and for writes no key twice. Requests whose context has ended are dropped. What is left stays queued, in order,
// for the next call. The batch is empty only when the queue is.
func (b *Batcher) takeLocked() []*batchedOp {
	var batch []*batchedOp
	var keys map[string]struct{}
	if b.writes {
		keys = make(map[string]struct{})
	}
	bytes := 0
	rest := b.queue[:0]
	for _, r := range b.queue {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			close(r.done)
			continue
		}
		fits := (len(batch) == 0 || r.cli == batch[0].cli && r.op.IsSerializable() == batch[0].op.IsSerializable()) &&
			len(batch) < b.maxOps &&
			(b.maxBytes == 0 || len(batch) == 0 || bytes+r.size <= b.maxBytes)
		if fits && b.writes {
			_, dup := keys[string(r.op.KeyBytes())]
			fits = !dup
		}
		if !fits {
			rest = append(rest, r)
			continue
		}
		batch = append(batch, r)
		bytes += r.size
		if b.writes {
			keys[string(r.op.KeyBytes())] = struct{}{}
		}
	}
	clear(b.queue[len(rest):])
	b.queue = rest
	return batch
}

// fly sends a batch as one call, answers its requests and lands.
func (b *Batcher) fly(batch []*batchedOp) {
	defer b.landed()
	if len(batch) == 1 {
		r := batch[0]
		r.resp, r.err = sendOne(r.ctx, r.cli, r.op)
		close(r.done)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	ops := make([]clientv3.Op, len(batch))
	for i, r := range batch {
		ops[i] = r.op
	}
	txn, err := batch[0].cli.Txn(ctx).Then(ops...).Commit()
	if err == nil && len(txn.Responses) != len(batch) {
		err = errors.New("etcd answered a transaction with a different number of results")
	}
	if err != nil {
		if errors.Is(err, rpctypes.ErrTooManyOps) {
			b.mu.Lock()
			b.maxOps = max(1, min(b.maxOps, len(batch))/2)
			b.mu.Unlock()
		}
		if b.writes && !refusedBeforeApply(err) {
			// The transaction may have been applied: each put gets the error, as it would
			// alone, and none is sent again.
			for _, r := range batch {
				r.err = err
				close(r.done)
			}
			return
		}
		b.oneByOne(batch)
		return
	}
	for i, r := range batch {
		r.resp, r.err = resultOf(txn, i)
		close(r.done)
	}
}

// resultOf is the answer to the i-th request of a transaction, with the transaction's header.
func resultOf(txn *clientv3.TxnResponse, i int) (OpResult, error) {
	h := &etcdserverpb.ResponseHeader{ClusterId: txn.Header.ClusterId, MemberId: txn.Header.MemberId,
		Revision: txn.Header.Revision, RaftTerm: txn.Header.RaftTerm}
	switch {
	case txn.Responses[i].GetResponseRange() != nil:
		rr := txn.Responses[i].GetResponseRange()
		if rr.Header != nil {
			h.Revision = rr.Header.Revision
		}
		rr.Header = h
		return OpResult{Get: (*clientv3.GetResponse)(rr)}, nil
	case txn.Responses[i].GetResponsePut() != nil:
		rp := txn.Responses[i].GetResponsePut()
		rp.Header = h
		return OpResult{Put: (*clientv3.PutResponse)(rp)}, nil
	}
	return OpResult{}, errors.New("etcd answered a request of a transaction with something else")
}

// refusedBeforeApply reports whether etcd refused a transaction on its content (a lease that
// does not exist, too large, too many operations, a full database), so that nothing of it was
// applied and each request may be sent again on its own to get its own answer. Anything else
// (a timeout, a lost leader, a lost connection) may have come after the transaction was
// applied.
func refusedBeforeApply(err error) bool {
	var ee rpctypes.EtcdError
	if !errors.As(err, &ee) {
		return false
	}
	switch ee.Code() {
	case codes.InvalidArgument, codes.NotFound, codes.FailedPrecondition, codes.ResourceExhausted,
		codes.AlreadyExists, codes.OutOfRange, codes.PermissionDenied:
		return true
	}
	return false
}

// oneByOne sends each request of a failed batch on its own, all at once, each within its own
// request's context.
func (b *Batcher) oneByOne(batch []*batchedOp) {
	var wg sync.WaitGroup
	for _, r := range batch {
		wg.Go(func() {
			r.resp, r.err = sendOne(r.ctx, r.cli, r.op)
			close(r.done)
		})
	}
	wg.Wait()
}

// sendOne sends one request on its own.
func sendOne(ctx context.Context, cli *clientv3.Client, op clientv3.Op) (OpResult, error) {
	resp, err := cli.Do(ctx, op)
	if err != nil {
		return OpResult{}, err
	}
	return OpResult{Get: resp.Get(), Put: resp.Put()}, nil
}

// RequestOverhead is kept free of key and value bytes under max_request_bytes for the rest of
// a put request.
const RequestOverhead = 512
