// Answers are written at the end of the event loop's turn, all together, instead of each as soon
// as it is ready. A turn reads every request that has arrived on any connection; writing their
// answers back to back afterwards, rather than one between each read, sends them while the
// client side is still awake and busy with the previous ones: on loopback, the kernel's delivery
// of each answer (and the wake-up of a client that had gone to sleep waiting for it) is charged to
// the server's CPU, and it was most of the kernel's time per request (bench/README.md, "Answers
// written at the end of the turn"). An answer waits at most until the end of the turn it became
// ready in: the promise resolves in setImmediate's phase, after the turn's I/O callbacks, and
// what waits on it runs in the order it began to wait.
import { checkSoon } from '../lib/young-generation.ts';

let turn: Promise<void> | undefined;

/**
 * Resolves at the end of this turn of the event loop (one promise for everything that waits in it).
 * Every answer passes here, so the young generation's cap is checked here too, within a turn that
 * answers a burst of requests (lib/young-generation.ts).
 */
export function turnEnd(): Promise<void> {
  checkSoon();
  turn ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      // Whatever begins to wait from here on (in the callbacks below) waits for the next turn.
      turn = undefined;
      resolve();
    }),
  );
  return turn;
}
