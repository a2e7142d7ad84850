#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CriaKernels
import Synchronization

/// A persistent pool of worker threads for data-parallel kernels.
///
/// `run` hands one closure to every thread (the caller's thread takes index 0) and returns
/// when all of them have finished. Workers spin briefly between jobs, because a forward pass
/// issues hundreds of short jobs per token, then sleep on a condition variable when idle.
/// Nothing is allocated per job. Workers reference only the shared `Board`, never the pool,
/// so dropping the pool stops and joins them.
public final class ThreadPool: @unchecked Sendable {
    /// Threads taking part in each job, the caller's included.
    public let threadCount: Int

    private let board: Board
    private var workers: [pthread_t] = []

    /// - Parameter threadCount: threads per job, at least 1 (1 runs everything on the caller).
    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        board = Board(threads: self.threadCount)
        for index in 1..<self.threadCount {
            let context = Unmanaged.passRetained(WorkerContext(board: board, index: index)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let context = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
                context.board.workerLoop(index: context.index)
                return nil
            }, context)
            if status == 0 { workers.append(thread) } else {
                Unmanaged<WorkerContext>.fromOpaque(context).release()
            }
        }
    }

    deinit {
        board.stop()
        for thread in workers { pthread_join(thread, nil) }
    }

    /// Runs `body(thread, threads)` once on each of the pool's threads and waits for all.
    /// Calls must not overlap: one caller drives the pool at a time.
    public func run(_ body: (_ thread: Int, _ threads: Int) -> Void) {
        let threads = threadCount
        if threads == 1 || workers.count + 1 != threads {
            // Thread creation failed earlier: run every part on the caller, in order.
            for part in 0..<threads { body(part, threads) }
            return
        }
        withoutActuallyEscaping(body) { board.dispatch($0) }
    }

    /// Splits `0..<count` into one contiguous chunk per thread and runs `body` on each chunk.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        run { thread, threads in
            let range = ThreadPool.chunk(count, part: thread, of: threads)
            if !range.isEmpty { body(range) }
        }
    }

    /// The `part`-th of `parts` near-equal contiguous chunks of `0..<count`.
    public static func chunk(_ count: Int, part: Int, of parts: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }
}

/// The state the caller and the workers share: the current job and its counters.
private final class Board: @unchecked Sendable {
    typealias Job = (_ thread: Int, _ threads: Int) -> Void

    let threads: Int
    private var job: Job?
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>

    /// Spins before a worker goes to sleep; about 50–100 µs on current CPUs.
    private static let spinLimit = 20_000

    init(threads: Int) {
        self.threads = threads
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        wake.deallocate()
    }

    func dispatch(_ body: @escaping Job) {
        job = body
        pending.store(threads - 1, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(wake)
            pthread_mutex_unlock(mutex)
        }
        body(0, threads)
        while pending.load(ordering: .acquiring) > 0 { cria_cpu_relax() }
        job = nil
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        generation.add(1, ordering: .sequentiallyConsistent)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    func workerLoop(index: Int) {
        // Starts from the initial generation, not a fresh load: a worker that starts late must
        // still take the first job.
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < Board.spinLimit {
                    cria_cpu_relax()
                    continue
                }
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen {
                    pthread_cond_wait(wake, mutex)
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            job?(index, threads)
            pending.subtract(1, ordering: .releasing)
        }
    }
}

private final class WorkerContext {
    let board: Board
    let index: Int
    init(board: Board, index: Int) {
        self.board = board
        self.index = index
    }
}
