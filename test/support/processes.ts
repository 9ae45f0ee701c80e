import { readFileSync } from 'node:fs';

// Whether a process still runs: tests use it to prove that nothing was left running. A zombie (dead, waiting for
// its parent to collect its exit status) does not count: it holds no memory and runs nothing, and an orphan's
// zombie lasts as long as PID 1 takes to reap it (seconds in some containers).
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    // /proc/PID/stat: "pid (comm) state …"; comm may contain spaces and parentheses, the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
