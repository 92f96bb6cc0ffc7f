"""gunicorn's sync worker, made to finish, on a graceful stop, the connections the kernel already accepted for it.

A sync worker serves one connection at a time and closes it, so behind the gateway each request is a new
connection, accepted by whichever worker is free: no thread hand-offs, and no worker idles while the other
holds a queue (docs/benchmarks.md, section 34). The connections it has not yet accepted wait in the listen
backlog, which the stock worker abandons on SIGTERM; this one serves them first, as gthread serves its queue.
"""

from gunicorn.workers.sync import SyncWorker


class DrainingSyncWorker(SyncWorker):
    """On SIGTERM, serve what already waits in the listen backlog, then exit (SIGQUIT still stops at once)."""

    # Set by SIGTERM alone. The stock loop's return cannot tell: a SIGQUIT that lands inside a request is caught
    # as that request's error (a 500), and the loop then returns as after a graceful stop.
    graceful = False

    def handle_exit(self, sig, frame):
        self.graceful = True
        super().handle_exit(sig, frame)

    def run(self):
        super().run()
        if self.graceful:
            for listener in self.sockets:
                self.drain(listener)

    def drain(self, listener):
        while True:
            self.notify()
            try:
                self.accept(listener)
            except ConnectionAbortedError:  # that client gave up while it waited: on to the next
                continue
            except OSError:  # EAGAIN: the backlog is empty (or the listener is gone)
                return
