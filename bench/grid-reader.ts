// A slow consumer for the grid benchmark's memory figure: reads its stdin at about
// RATE bytes per second (argv[2], default 1 MiB/s) and discards it. Prints the byte count on exit.
const rate = Number(process.argv[2] ?? 1024 * 1024);
let received = 0;
let allowance = rate;
const stdin = process.stdin;
stdin.on('data', (chunk: Buffer) => {
  received += chunk.length;
  allowance -= chunk.length;
  if (allowance <= 0) stdin.pause();
});
const timer = setInterval(() => {
  allowance = Math.min(allowance + rate, rate);
  if (allowance > 0) stdin.resume();
}, 1000);
const finish = (): void => {
  clearInterval(timer);
  process.stdout.write(`${received}\n`);
  process.exit(0);
};
stdin.on('end', finish);
process.on('SIGTERM', finish);
