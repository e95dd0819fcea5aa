// Answers are written at the end of the event loop's turn, all together, instead of each as soon
// as it is ready. A turn reads every request that has arrived on any connection; writing their
// answers back to back afterwards, rather than one between each read, sends them while the
// client side is still awake and busy with the previous ones: on loopback, the kernel's delivery
// of each answer (and the wake-up of a client that had gone to sleep waiting for it) is charged to
// the server's CPU, and it was most of the kernel's time per request (bench/README.md, "Answers
// written at the end of the turn"). An answer waits at most until the end of the turn it became
// ready in: the callbacks run in setImmediate's phase, after the turn's I/O callbacks.
let held: Array<() => void> = [];
let scheduled = false;

function release(): void {
  scheduled = false;
  const batch = held;
  held = [];
  for (const f of batch) {
    try {
      f();
    } catch (e) {
      // A bug: every caller catches its own failures (the onSend hook resolves a promise that
      // Fastify handles; sendCased logs and cuts the connection). One failure must not keep the
      // turn's other answers back, and it still surfaces as an uncaught error.
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

/** Runs `write` at the end of this turn of the event loop, after every answer already held. */
export function atTurnEnd(write: () => void): void {
  held.push(write);
  if (!scheduled) {
    scheduled = true;
    setImmediate(release);
  }
}
